import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ROLE_GROUPS } from '../../../src/platform/roles.ts';
import { api, unwrap } from '../api/client.ts';
import { useToken } from '../api/queries.ts';
import { useBundles } from '../api/services.ts';
import { titleOf } from '../shared/bundles.ts';
import { EmptyState } from '../shared/EmptyState.tsx';
import { useDepartmentNames } from '../shared/names.ts';

/** Roles that may read the services KPIs (the server's check, which admin always passes). */
export const SERVICES_KPI_ROLES: readonly string[] = ['admin', ...ROLE_GROUPS.oversight];

const pct = (x: number | null) => (x === null ? '—' : `${Math.round(x * 1000) / 10}%`);

/** The services KPIs of the last 30 days (GET /api/v1/services/kpis), read again every 30 s. */
function useServicesKpis() {
  const token = useToken();
  return useQuery({
    queryKey: ['services-kpis', token],
    enabled: Boolean(token),
    refetchInterval: 30_000,
    queryFn: async () => unwrap(await api.GET('/api/v1/services/kpis')),
  });
}

/**
 * 一件事 figures for the city's oversight: per bundle the applications, completed and rejected,
 * the average lead time and the shares of materials from shared data and from the applicants; per
 * desk the steps decided, on time, open, overdue and escalated.
 */
export function ServicesKpis() {
  const { t, i18n } = useTranslation();
  const kpis = useServicesKpis();
  const bundles = useBundles();
  const deptName = useDepartmentNames((kpis.data?.departments ?? []).map((d) => d.department));
  const bundleTitle = (id: string) => {
    const b = bundles.data?.find((x) => x.id === id);
    return b ? titleOf(b, i18n.language) : id;
  };
  const k = kpis.data;
  return (
    <section className="desk-kpis" aria-labelledby="desk-kpis-title">
      <h2 id="desk-kpis-title">{t('desk.kpis.title')}</h2>
      {kpis.isError ? (
        <p className="error" role="alert">
          {t('desk.failed', { message: kpis.error.message })}
        </p>
      ) : !k ? (
        <p className="muted">{t('common.loading')}</p>
      ) : k.bundles.length === 0 ? (
        <EmptyState title={t('desk.kpis.none')} />
      ) : (
        <>
          <table className="data-table">
            <caption className="sr-only">{t('desk.kpis.byBundle')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('desk.kpis.bundle')}</th>
                <th scope="col" className="num">
                  {t('desk.kpis.applications')}
                </th>
                <th scope="col" className="num">
                  {t('desk.kpis.completed')}
                </th>
                <th scope="col" className="num">
                  {t('desk.kpis.rejected')}
                </th>
                <th scope="col" className="num">
                  {t('desk.kpis.leadTime')}
                </th>
                <th scope="col" className="num">
                  {t('desk.kpis.shared')}
                </th>
                <th scope="col" className="num">
                  {t('desk.kpis.citizen')}
                </th>
              </tr>
            </thead>
            <tbody>
              {k.bundles.map((b) => (
                <tr key={b.bundleId}>
                  <th scope="row">{bundleTitle(b.bundleId)}</th>
                  <td className="num">{b.applications}</td>
                  <td className="num">{b.completed}</td>
                  <td className="num">{b.rejected}</td>
                  <td className="num">
                    {b.avgLeadTimeMinutes === null
                      ? '—'
                      : t('kpi.minutes', { n: Math.round(b.avgLeadTimeMinutes * 10) / 10 })}
                  </td>
                  <td className="num">{pct(b.shareFromSharedData)}</td>
                  <td className="num">{pct(b.shareFromCitizen)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <table className="data-table">
            <caption className="sr-only">{t('desk.kpis.byDepartment')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('desk.department')}</th>
                <th scope="col" className="num">
                  {t('desk.kpis.decided')}
                </th>
                <th scope="col" className="num">
                  {t('desk.kpis.onTime')}
                </th>
                <th scope="col" className="num">
                  {t('desk.kpis.open')}
                </th>
                <th scope="col" className="num">
                  {t('desk.kpis.overdue')}
                </th>
                <th scope="col" className="num">
                  {t('desk.kpis.escalated')}
                </th>
              </tr>
            </thead>
            <tbody>
              {k.departments.map((d) => (
                <tr key={d.department}>
                  <th scope="row">{deptName(d.department)}</th>
                  <td className="num">{d.decided}</td>
                  <td className="num">{pct(d.shareOnTime)}</td>
                  <td className="num">{d.open}</td>
                  <td className={`num${d.overdue ? ' late' : ''}`}>{d.overdue}</td>
                  <td className="num">{d.escalated}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted small">
            {t('desk.kpis.note', {
              from: new Date(k.from).toLocaleDateString(),
              to: new Date(k.to).toLocaleDateString(),
            })}
          </p>
        </>
      )}
    </section>
  );
}
