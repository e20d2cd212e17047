import { lazy, type ReactNode, Suspense, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { Team } from '../api/types.ts';
import { EmptyState } from '../shared/EmptyState.tsx';
import { countBy } from './drill.ts';

const BarChart = lazy(() => import('../charts/BarChart.tsx'));

/** Indicators that need the events, tasks and devices APIs; shown as "no data yet" until then. */
const PENDING_KPIS = [
  'openEvents',
  'closeTime',
  'onTimeRate',
  'collaboration',
  'satisfaction',
  'deviceOnline',
] as const;

/** KPI tiles, then what is passed in (the event feed), then the on-duty teams by kind chart. */
export function KpiPanel({
  teams,
  loading,
  children,
}: {
  teams: Team[];
  loading: boolean;
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  const byKind = useMemo(() => countBy(teams, (team) => team.kind), [teams]);
  return (
    <section className="kpis">
      <h2>{t('kpi.title')}</h2>
      <dl className="tiles">
        <div className="tile">
          <dt>{t('kpi.teamsOnDuty')}</dt>
          <dd>{loading ? '…' : teams.length.toLocaleString()}</dd>
        </div>
        {PENDING_KPIS.map((k) => (
          <div className="tile pending" key={k}>
            <dt>{t(`kpi.${k}`)}</dt>
            <dd>
              <span aria-hidden="true">—</span>
              <span className="sr-only">{t('kpi.noData')}</span>
            </dd>
          </div>
        ))}
      </dl>
      <p className="muted small">{t('kpi.pendingNote')}</p>
      {children}
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
