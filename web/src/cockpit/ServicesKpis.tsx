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
 * the average lead time, the shares of materials from shared data and from the applicants, the
 * share fully online and the trips saved; per
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
          <KpiTable
            caption={t('desk.kpis.byBundle')}
            head={[
              t('desk.kpis.bundle'),
              t('desk.kpis.applications'),
              t('desk.kpis.completed'),
              t('desk.kpis.rejected'),
              t('desk.kpis.leadTime'),
              t('desk.kpis.shared'),
              t('desk.kpis.citizen'),
              t('desk.kpis.fullyOnline'),
              t('desk.kpis.tripsSaved'),
            ]}
            rows={k.bundles.map((b) => ({
              key: b.bundleId,
              name: bundleTitle(b.bundleId),
              cells: [
                b.applications,
                b.completed,
                b.rejected,
                b.avgLeadTimeMinutes === null
                  ? '—'
                  : t('kpi.minutes', { n: Math.round(b.avgLeadTimeMinutes * 10) / 10 }),
                pct(b.shareFromSharedData),
                pct(b.shareFromCitizen),
                pct(b.shareFullyOnline),
                b.avgTripsSaved === null ? '—' : b.avgTripsSaved.toFixed(1),
              ],
            }))}
          />
          <KpiTable
            caption={t('desk.kpis.byDepartment')}
            head={[
              t('desk.department'),
              t('desk.kpis.decided'),
              t('desk.kpis.onTime'),
              t('desk.kpis.open'),
              t('desk.kpis.overdue'),
              t('desk.kpis.escalated'),
            ]}
            rows={k.departments.map((d) => ({
              key: d.department,
              name: deptName(d.department),
              cells: [d.decided, pct(d.shareOnTime), d.open, d.overdue, d.escalated],
              late: d.overdue ? 3 : undefined,
            }))}
          />
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

/** One row of a KPI table: its name (the row header) and its figures. */
interface KpiRow {
  key: string;
  name: string;
  cells: (string | number)[];
  /** The index of a cell to mark late (an overdue count above zero). */
  late?: number;
}

/** A table of figures: the first column names the row, the others are numbers. */
function KpiTable({ caption, head, rows }: { caption: string; head: string[]; rows: KpiRow[] }) {
  return (
    <table className="data-table">
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr>
          {head.map((h, i) => (
            <th key={h} scope="col" className={i ? 'num' : undefined}>
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key}>
            <th scope="row">{r.name}</th>
            {r.cells.map((c, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the cells are positional columns of a fixed header
              <td key={i} className={i === r.late ? 'num late' : 'num'}>
                {c}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
