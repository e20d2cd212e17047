import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError, api, unwrap } from '../api/client.ts';
import { useToken } from '../api/queries.ts';
import type { Me } from '../api/types.ts';
import { PageHeader } from './PageHeader.tsx';
import './plan.css';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** One street's report and the best sites for one more elderly canteen in it. */
function useStreetReport(code: string) {
  const token = useToken();
  const report = useQuery({
    queryKey: ['lifecircle-street', code, token],
    enabled: Boolean(token),
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/lifecircle/streets/{code}', { params: { path: { code } } })),
  });
  const sites = useQuery({
    queryKey: ['lifecircle-sites', code, token],
    enabled: Boolean(token) && report.isSuccess,
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/lifecircle/best-sites', {
          params: { query: { category: 'elderly_care', area: code, limit: 3 } },
        }),
      ),
  });
  return { report, sites };
}

/**
 * The 15-minute life circle report of one street (`/lifecircle/:code`): residents within a
 * 15-minute walk of each TD/T 1062-2021 category, of all eight, and where one more elderly canteen
 * would cover the most residents; what is synthetic is said on the page.
 */
export function LifeCirclePage({ code, me }: { code: string; me: Me }) {
  const { t } = useTranslation();
  const { report, sites } = useStreetReport(code);
  const r = report.data;
  return (
    <div className="cockpit plan-page-wrap">
      <PageHeader me={me} backLabel={t('plan.back')} />
      <main className="plan-page lifecircle-page" aria-labelledby="lifecircle-title">
        {!r ? (
          <section className="plan-missing">
            <h1 id="lifecircle-title">{t('lifecircle.title')}</h1>
            <p className="muted">
              {report.isError
                ? report.error instanceof ApiError && report.error.status === 404
                  ? t('lifecircle.notFound')
                  : report.error.message
                : t('common.loading')}
            </p>
          </section>
        ) : (
          <>
            <section className="plan-hero">
              <h1 id="lifecircle-title">
                {r.street.name} · {t('lifecircle.title')}
              </h1>
              <p className="muted">
                {t('lifecircle.method', { kmh: r.walk.kmh, minutes: r.walk.minutes, metres: r.walk.budgetM })}
              </p>
              <p data-testid="lifecircle-all">
                {t('lifecircle.all', { share: pct(r.street.allShare), population: r.street.population })}
              </p>
            </section>
            <section>
              <table className="lifecircle-table" data-testid="lifecircle-table">
                <thead>
                  <tr>
                    <th scope="col">{t('lifecircle.category')}</th>
                    <th scope="col">{t('lifecircle.covered')}</th>
                    <th scope="col">{t('lifecircle.share')}</th>
                  </tr>
                </thead>
                <tbody>
                  {Object.entries(r.street.share).map(([k, share]) => (
                    <tr key={k} data-category={k} data-share={share}>
                      <th scope="row">{t(`layers.lifecircle.category.${k}`)}</th>
                      <td>{(r.street.covered as Record<string, number>)[k]}</td>
                      <td>{pct(share)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
            <section>
              <h2>{t('lifecircle.bestSites')}</h2>
              {sites.data ? (
                <ol data-testid="lifecircle-sites">
                  {sites.data.items.map((s) => (
                    <li key={s.node}>{t('lifecircle.site', { lon: s.lon, lat: s.lat, gain: s.gain })}</li>
                  ))}
                </ol>
              ) : (
                <p className="muted">{t('common.loading')}</p>
              )}
              <p className="muted small">
                {t('lifecircle.synthetic', {
                  network: r.data.walkingNetwork,
                  population: r.data.population,
                  synthetic: r.data.facilities.synthetic,
                  imported: r.data.facilities.imported,
                })}
              </p>
            </section>
          </>
        )}
      </main>
    </div>
  );
}
