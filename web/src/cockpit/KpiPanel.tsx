import { lazy, type ReactNode, Suspense, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { Kpis, Range } from '../api/events.ts';
import type { Team } from '../api/types.ts';
import { download, toCsv } from '../shared/csv.ts';
import { EmptyState } from '../shared/EmptyState.tsx';
import { countBy } from './drill.ts';

const BarChart = lazy(() => import('../charts/BarChart.tsx'));

const pct = (x: number | null | undefined) =>
  x === null || x === undefined ? '—' : `${Math.round(x * 100)}%`;

/** KPI tiles (from GET /api/v1/kpis), then what is passed in (the event feed), then charts. */
export function KpiPanel({
  teams,
  loading,
  kpis,
  range,
  openEvents,
  children,
}: {
  teams: Team[];
  loading: boolean;
  kpis: Kpis | undefined;
  range: Range;
  openEvents: number | undefined;
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  const byKind = useMemo(() => countBy(teams, (team) => team.kind), [teams]);
  const closeTime = useMemo(() => {
    if (!kpis) return undefined;
    const groups = kpis.timeToClose.byLevel.filter((g) => g.avgMinutes !== null);
    const closed = groups.reduce((s, g) => s + g.closed, 0);
    return closed ? groups.reduce((s, g) => s + (g.avgMinutes ?? 0) * g.closed, 0) / closed : null;
  }, [kpis]);
  const tiles: [string, string][] = [
    ['teamsOnDuty', loading ? '…' : teams.length.toLocaleString()],
    ['openEvents', openEvents === undefined ? '…' : String(openEvents)],
    [
      'closeTime',
      closeTime === undefined
        ? '…'
        : closeTime === null
          ? '—'
          : t('kpi.minutes', { n: Math.round(closeTime) }),
    ],
    ['onTimeRate', kpis ? pct(kpis.compliance.resolve.rate) : '…'],
    ['collaboration', kpis ? pct(kpis.collaboration.rate) : '…'],
    [
      'satisfaction',
      kpis ? (kpis.satisfaction.average === null ? '—' : `${kpis.satisfaction.average.toFixed(1)}/5`) : '…',
    ],
  ];
  // A stage with nothing due yet has no rate: it is left out of the chart, not drawn as 0 %.
  const compliance: [string, number][] = kpis
    ? (['accept', 'arrive', 'resolve'] as const).flatMap((k): [string, number][] => {
        const rate = kpis.compliance[k].rate;
        return rate === null ? [] : [[t(`kpi.compliance.${k}`), Math.round(rate * 100)]];
      })
    : [];
  const byCategory: [string, number][] = (kpis?.timeToClose.byCategory ?? [])
    .filter((g) => g.avgMinutes !== null)
    .map((g) => [t(`categories.${g.key}`, g.key), Math.round(g.avgMinutes ?? 0)]);
  return (
    <section className="kpis">
      <h2>{t('kpi.title')}</h2>
      <dl className="tiles">
        {tiles.map(([k, v]) => (
          <div className={`tile${v === '—' ? ' pending' : ''}`} key={k}>
            <dt>{t(`kpi.${k}`)}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      <p className="muted small">
        {kpis
          ? t('kpi.note', { events: kpis.events, closed: kpis.closed, range: t(`filters.ranges.${range}`) })
          : t('common.loading')}{' '}
        <button
          type="button"
          className="link small"
          disabled={!kpis}
          onClick={() =>
            download(
              `kpis-${range}-${new Date().toISOString().slice(0, 10)}.csv`,
              toCsv([[t('kpi.csv.name'), t('kpi.csv.value')], ...tiles.map(([k, v]) => [t(`kpi.${k}`), v])]),
            )
          }
        >
          {t('filters.export')}
        </button>
      </p>
      {children}
      {kpis && kpis.events > 0 ? (
        <Suspense fallback={<div className="chart-placeholder" />}>
          {compliance.length ? (
            <figure className="chart-figure">
              <figcaption>{t('kpi.complianceChart')}</figcaption>
              <BarChart label={t('kpi.complianceChart')} rows={compliance} />
            </figure>
          ) : null}
          {byCategory.length ? (
            <figure className="chart-figure">
              <figcaption>{t('kpi.closeByCategory')}</figcaption>
              <BarChart label={t('kpi.closeByCategory')} rows={byCategory} />
            </figure>
          ) : null}
        </Suspense>
      ) : null}
      <figure className="chart-figure">
        <figcaption>{t('kpi.teamsByKind')}</figcaption>
        {teams.length === 0 ? (
          <EmptyState title={loading ? t('common.loading') : t('kpi.noTeams')} />
        ) : (
          <Suspense fallback={<div className="chart-placeholder" />}>
            <BarChart
              label={t('kpi.teamsByKind')}
              rows={byKind.map(([kind, n]) => [t(`teamKinds.${kind}`), n])}
            />
          </Suspense>
        )}
      </figure>
    </section>
  );
}
