import { useQuery } from '@tanstack/react-query';
import { useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ROLE_GROUPS } from '../../../src/platform/roles.ts';
import { api, unwrap } from '../api/client.ts';
import { useToken } from '../api/queries.ts';
import type { GetOk, Me } from '../api/types.ts';
import { usePlaceNames } from '../shared/names.ts';
import { PageHeader } from './PageHeader.tsx';
import './plan.css';

/** The cockpit's joint-enforcement page. */
export const ENFORCEMENT_PATH = '/enforcement';
/** Who sees it: the KPIs' readers (operators and auditors) and the admin. */
export const ENFORCEMENT_ROLES: readonly string[] = ['admin', ...ROLE_GROUPS.oversight];

type Kpis = GetOk<'/api/v1/enforcement/kpis'>;
type Figures = Kpis['total'];

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
/** A change as a signed percentage ('—' when there is nothing to compare with). */
const change = (x: number | null) => (x === null ? '—' : `${x > 0 ? '+' : ''}${(x * 100).toFixed(1)}%`);
const num = (x: number, digits = 2) => x.toFixed(digits);

/** The first and last day of a year, for the KPIs' window. */
function yearWindow(year: number): { from: string; to: string } {
  return { from: `${year}-01-01`, to: `${year}-12-31` };
}

function useKpis(year: number) {
  const token = useToken();
  return useQuery({
    queryKey: ['enforcement-kpis', year, token],
    enabled: Boolean(token),
    refetchInterval: 60_000,
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/enforcement/kpis', { params: { query: yearWindow(year) } })),
  });
}

/** A bar of visits per enterprise against the unmerged plan's (the longer bar is the plan's). */
function VisitBars({ figures }: { figures: Figures }) {
  const { t } = useTranslation();
  const max = Math.max(figures.unmergedVisitsPerEnterprise, figures.visitsPerEnterprise, 1e-9);
  return (
    <div
      className="enf-bars"
      role="img"
      aria-label={t('enforcementPage.barsAria', {
        visits: num(figures.visitsPerEnterprise),
        planned: num(figures.unmergedVisitsPerEnterprise),
      })}
    >
      <span
        className="enf-bar planned"
        style={{ width: `${(100 * figures.unmergedVisitsPerEnterprise) / max}%` }}
      />
      <span className="enf-bar visits" style={{ width: `${(100 * figures.visitsPerEnterprise) / max}%` }} />
    </div>
  );
}

/** Complaints about repeated inspections in the year, against the previous year. */
function ComplaintFigures({ total }: { total: Kpis['total'] }) {
  const { t } = useTranslation();
  return (
    <>
      <h2>{t('enforcementPage.complaints')}</h2>
      <p className="muted small">{t('enforcementPage.complaintsMethod')}</p>
      <dl className="plan-facts" data-testid="enforcement-complaints">
        <dt>{t('enforcementPage.repeatComplaints')}</dt>
        <dd data-figure="repeatComplaints">{total.repeatComplaints.toLocaleString()}</dd>
        <dt>{t('enforcementPage.substantiated')}</dt>
        <dd data-figure="substantiatedComplaints">{total.substantiatedComplaints.toLocaleString()}</dd>
        <dt>{t('enforcementPage.perThousand')}</dt>
        <dd data-figure="complaintsPerThousandEnterprises">{num(total.complaintsPerThousandEnterprises)}</dd>
        <dt>{t('enforcementPage.previous', { from: total.previousFrom, to: total.previousTo })}</dt>
        <dd data-figure="previousRepeatComplaints">{total.previousRepeatComplaints.toLocaleString()}</dd>
        <dt>{t('enforcementPage.change')}</dt>
        <dd data-figure="repeatComplaintsChange">{change(total.repeatComplaintsChange)}</dd>
      </dl>
    </>
  );
}

/**
 * Joint enforcement (`/enforcement`): how much inspecting once saves — visits per enterprise
 * against the unmerged plan (one visit per department and enterprise), the share of joint visits,
 * flagged repeat visits — for the whole scope, per district and per department, how much of
 * the published checklists the countersigned records answered, and the complaints about repeated
 * inspections against the previous year.
 */
export function EnforcementPage({ me }: { me: Me }) {
  const { t } = useTranslation();
  const id = useId();
  const thisYear = new Date().getFullYear();
  const [year, setYear] = useState(thisYear);
  const kpis = useKpis(year);
  const data = kpis.data;
  const districtCodes = useMemo(() => (data?.byDistrict ?? []).map((d) => d.districtCode), [data]);
  const placeName = usePlaceNames(districtCodes);
  const total = data?.total;
  const hasData = Boolean(
    total &&
      (total.inspectionsPlanned > 0 || total.repeatComplaints > 0 || total.previousRepeatComplaints > 0),
  );
  return (
    <div className="cockpit plan-page-wrap">
      <PageHeader me={me} backLabel={t('plan.back')} />
      <main className="plan-page enforcement-page" aria-labelledby={`${id}-title`}>
        <section className="plan-hero">
          <h1 id={`${id}-title`}>{t('enforcementPage.title')}</h1>
          <p className="muted small">{t('enforcementPage.method')}</p>
          <form className="traffic-controls" onSubmit={(e) => e.preventDefault()}>
            <label>
              {t('enforcementPage.year')}{' '}
              <select
                value={year}
                onChange={(e) => setYear(Number(e.target.value))}
                data-testid="enforcement-year"
              >
                {[thisYear + 1, thisYear, thisYear - 1, thisYear - 2].map((y) => (
                  <option key={y} value={y}>
                    {y}
                  </option>
                ))}
              </select>
            </label>
          </form>
          {kpis.isError ? (
            <p className="error" role="alert">
              {kpis.error.message}
            </p>
          ) : null}
          {!total ? (
            <p className="muted">{t('common.loading')}</p>
          ) : !hasData ? (
            <p className="muted" data-testid="enforcement-empty">
              {t('enforcementPage.empty', { year })}
            </p>
          ) : (
            <>
              <dl className="plan-facts" data-testid="enforcement-figures">
                <dt>{t('enforcementPage.planned')}</dt>
                <dd data-figure="inspectionsPlanned">{total.inspectionsPlanned.toLocaleString()}</dd>
                <dt>{t('enforcementPage.visits')}</dt>
                <dd data-figure="visits">{total.visits.toLocaleString()}</dd>
                <dt>{t('enforcementPage.visitCut')}</dt>
                <dd data-figure="visitCut">{pct(total.visitCut)}</dd>
                <dt>{t('enforcementPage.jointShare')}</dt>
                <dd data-figure="jointShare">{pct(total.jointShare)}</dd>
                <dt>{t('enforcementPage.perEnterprise')}</dt>
                <dd data-figure="visitsPerEnterprise">
                  {num(total.visitsPerEnterprise)} · {t('enforcementPage.unmerged')}{' '}
                  {num(total.unmergedVisitsPerEnterprise)}
                </dd>
                <dt>{t('enforcementPage.flagged')}</dt>
                <dd data-figure="flaggedRepeats">{total.flaggedRepeats}</dd>
                <dt>{t('enforcementPage.creditRepairs')}</dt>
                <dd data-figure="creditRepairs">{total.creditRepairs}</dd>
                <dt>{t('enforcementPage.records')}</dt>
                <dd data-figure="records">
                  {data.records.count} · {t('enforcementPage.coverage')} {pct(data.records.checklistCoverage)}
                </dd>
              </dl>
              <VisitBars figures={total} />
              <p className="muted small enf-legend">
                <span className="enf-swatch planned" aria-hidden="true" /> {t('enforcementPage.unmerged')}{' '}
                <span className="enf-swatch visits" aria-hidden="true" /> {t('enforcementPage.visitsShort')}
              </p>
              <ComplaintFigures total={total} />
            </>
          )}
        </section>
        {data && hasData ? (
          <section className="plan-hero">
            <h2>{t('enforcementPage.districts')}</h2>
            <table className="lifecircle-table" data-testid="enforcement-districts">
              <thead>
                <tr>
                  <th>{t('enforcementPage.area')}</th>
                  <th>{t('enforcementPage.planned')}</th>
                  <th>{t('enforcementPage.visits')}</th>
                  <th>{t('enforcementPage.visitCut')}</th>
                  <th>{t('enforcementPage.jointShare')}</th>
                  <th>{t('enforcementPage.perEnterprise')}</th>
                  <th>{t('enforcementPage.flagged')}</th>
                  <th>{t('enforcementPage.repeatComplaints')}</th>
                  <th>{t('enforcementPage.substantiated')}</th>
                  <th>{t('enforcementPage.creditRepairs')}</th>
                </tr>
              </thead>
              <tbody>
                {data.byDistrict.map((d) => (
                  <tr key={d.districtCode} data-code={d.districtCode}>
                    <td>{placeName(d.districtCode)}</td>
                    <td>{d.inspectionsPlanned}</td>
                    <td>{d.visits}</td>
                    <td>{pct(d.visitCut)}</td>
                    <td>{pct(d.jointShare)}</td>
                    <td>
                      {num(d.visitsPerEnterprise)} / {num(d.unmergedVisitsPerEnterprise)}
                    </td>
                    <td>{d.flaggedRepeats}</td>
                    <td data-figure="repeatComplaints">{d.repeatComplaints}</td>
                    <td data-figure="substantiatedComplaints">{d.substantiatedComplaints}</td>
                    <td data-figure="creditRepairs">{d.creditRepairs}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <h2>{t('enforcementPage.departments')}</h2>
            <table className="lifecircle-table" data-testid="enforcement-departments">
              <thead>
                <tr>
                  <th>{t('enforcementPage.department')}</th>
                  <th>{t('enforcementPage.inspections')}</th>
                  <th>{t('enforcementPage.inJoint')}</th>
                  <th>{t('enforcementPage.jointShare')}</th>
                  <th>{t('enforcementPage.repeatComplaints')}</th>
                </tr>
              </thead>
              <tbody>
                {data.byDepartment.map((d) => (
                  <tr key={d.department} data-department={d.department}>
                    <td>{t(`draws.departments.${d.department}`, d.department)}</td>
                    <td>{d.inspections}</td>
                    <td>{d.inJointVisits}</td>
                    <td>{pct(d.jointShare)}</td>
                    <td data-figure="repeatComplaints">{d.repeatComplaints}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        ) : null}
      </main>
    </div>
  );
}
