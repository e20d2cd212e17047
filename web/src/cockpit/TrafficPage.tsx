import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../api/client.ts';
import { useToken } from '../api/queries.ts';
import type { Me } from '../api/types.ts';
import { usePlaceNames } from '../shared/names.ts';
import { PageHeader } from './PageHeader.tsx';
import './plan.css';

const LineChart = lazy(() => import('../charts/LineChart.tsx'));

/** A day (YYYY-MM-DD) in Chongqing's time, `days` from today. */
function chongqingDay(days = 0, from = new Date()): string {
  const at = new Date(from.getTime() + days * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(at);
}

/** The same weekday a week before `day`. */
function weekBefore(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - 7 * 86_400_000).toISOString().slice(0, 10);
}

/** The 288 five-minute slots of a day as HH:mm. */
const SLOTS = Array.from({ length: 288 }, (_, i) => {
  const m = i * 5;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
});

const fmt = (x: number | null | undefined, digits = 2) =>
  x === null || x === undefined ? '—' : x.toFixed(digits);
const change = (x: number | null | undefined) =>
  x === null || x === undefined ? '' : ` (${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%)`;

function useIndex(area: string, day: string, compareDay: string) {
  const token = useToken();
  return useQuery({
    queryKey: ['traffic-index', area, day, compareDay, token],
    enabled: Boolean(token),
    refetchInterval: 60_000,
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/traffic/index', {
          params: {
            query: { day, ...(area ? { area } : {}), ...(compareDay ? { compareDay } : {}) },
          },
        }),
      ),
  });
}

/**
 * The traffic congestion index of a day (`/traffic`): the city's (or a district's) figures and
 * five-minute curve beside another day's, the arterial speed through the day, and the districts
 * ranked — so the seed's figures (index 1.89 → 1.43) can be recomputed from the platform's data.
 */
export function TrafficPage({ me }: { me: Me }) {
  const { t } = useTranslation();
  const id = useId();
  const [area, setArea] = useState('');
  const [day, setDay] = useState(() => chongqingDay());
  const [compareDay, setCompareDay] = useState(() => weekBefore(chongqingDay()));
  const index = useIndex(area, day, compareDay);
  const data = index.data;
  // The districts of the whole scope, kept from the city-wide answer for the area switch.
  const scope = useIndex('', day, '');
  const districtCodes = useMemo(() => (scope.data?.districts ?? []).map((d) => d.code), [scope.data]);
  const placeName = usePlaceNames(districtCodes);
  const f = data?.figures;
  const c = data?.compare;
  const curves = useMemo(
    () =>
      data
        ? [
            { name: day, colour: '#ff6b6b', values: data.curve },
            ...(c ? [{ name: compareDay, colour: '#7fb3ff', values: c.curve, dashed: true }] : []),
          ]
        : [],
    [data, c, day, compareDay],
  );
  const speed = useMemo(
    () =>
      data
        ? [{ name: t('trafficPage.arterialSpeed'), colour: '#2ecc71', values: data.arterialSpeedCurve }]
        : [],
    [data, t],
  );
  const ranked = [...(data?.districts ?? [])].sort((a, b) => (b.peakTti ?? 0) - (a.peakTti ?? 0));
  return (
    <div className="cockpit plan-page-wrap">
      <PageHeader me={me} backLabel={t('plan.back')} />
      <main className="plan-page traffic-page" aria-labelledby={`${id}-title`}>
        <section className="plan-hero">
          <h1 id={`${id}-title`}>{t('trafficPage.title')}</h1>
          <p className="muted small">{t('trafficPage.method')}</p>
          <form className="traffic-controls" onSubmit={(e) => e.preventDefault()}>
            <label>
              {t('trafficPage.area')}{' '}
              <select value={area} onChange={(e) => setArea(e.target.value)} data-testid="traffic-area">
                <option value="">{t('trafficPage.wholeScope')}</option>
                {districtCodes.map((code) => (
                  <option key={code} value={code}>
                    {placeName(code)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('trafficPage.day')}{' '}
              <input type="date" value={day} onChange={(e) => e.target.value && setDay(e.target.value)} />
            </label>
            <label>
              {t('trafficPage.compareDay')}{' '}
              <input type="date" value={compareDay} onChange={(e) => setCompareDay(e.target.value)} />
            </label>
          </form>
          {index.isError ? (
            <p className="error" role="alert">
              {index.error.message}
            </p>
          ) : null}
          {f ? (
            <dl className="plan-facts traffic-figures" data-testid="traffic-figures">
              <dt>{t('trafficPage.tti')}</dt>
              <dd data-figure="tti">
                {fmt(f.tti)}
                {c ? ` · ${compareDay} ${fmt(c.figures.tti)}` : ''}
              </dd>
              <dt>{t('trafficPage.morningPeak')}</dt>
              <dd data-figure="morningPeakTti">{fmt(f.morningPeakTti)}</dd>
              <dt>{t('trafficPage.eveningPeak')}</dt>
              <dd data-figure="eveningPeakTti">{fmt(f.eveningPeakTti)}</dd>
              <dt>{t('trafficPage.peak')}</dt>
              <dd data-figure="peakTti">
                {fmt(f.peakTti)}
                {f.peakLevel ? ` · ${t(`layers.traffic.level.${f.peakLevel}`)}` : ''}
                {change(c?.peakTtiChange)}
              </dd>
              <dt>{t('trafficPage.arterialSpeed')}</dt>
              <dd data-figure="arterialSpeedKmh">
                {fmt(f.arterialSpeedKmh, 1)} km/h{change(c?.arterialSpeedChange)}
              </dd>
              <dt>{t('trafficPage.peakArterialSpeed')}</dt>
              <dd data-figure="peakArterialSpeedKmh">{fmt(f.peakArterialSpeedKmh, 1)} km/h</dd>
              <dt>{t('trafficPage.links')}</dt>
              <dd data-figure="links">{f.links}</dd>
            </dl>
          ) : (
            <p className="muted">{t('common.loading')}</p>
          )}
        </section>
        {data ? (
          <section className="plan-hero">
            <h2>{t('trafficPage.curve')}</h2>
            <Suspense fallback={<p className="muted">{t('common.loading')}</p>}>
              <LineChart
                x={SLOTS}
                lines={curves}
                label={t('trafficPage.curveAria', { day, tti: fmt(f?.tti), peak: fmt(f?.peakTti) })}
              />
            </Suspense>
            <h2>{t('trafficPage.arterialSpeedCurve')}</h2>
            <Suspense fallback={<p className="muted">{t('common.loading')}</p>}>
              <LineChart
                x={SLOTS}
                lines={speed}
                unit=" km/h"
                label={t('trafficPage.speedAria', { day, speed: fmt(f?.arterialSpeedKmh, 1) })}
              />
            </Suspense>
            <h2>{t('trafficPage.districts')}</h2>
            {ranked.length ? (
              <table className="lifecircle-table" data-testid="traffic-districts">
                <thead>
                  <tr>
                    <th>{t('trafficPage.area')}</th>
                    <th>{t('trafficPage.tti')}</th>
                    <th>{t('trafficPage.peak')}</th>
                  </tr>
                </thead>
                <tbody>
                  {ranked.map((d) => (
                    <tr key={d.code} data-code={d.code}>
                      <td>{placeName(d.code)}</td>
                      <td>{fmt(d.tti)}</td>
                      <td>
                        {fmt(d.peakTti)}
                        {d.level ? ` · ${t(`layers.traffic.level.${d.level}`)}` : ''}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p className="muted">—</p>
            )}
          </section>
        ) : null}
      </main>
    </div>
  );
}
