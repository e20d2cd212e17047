import { type FormEvent, lazy, Suspense, useCallback, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ROLE_GROUPS } from '../../../src/platform/roles.ts';
import {
  type DatahubKpis,
  type NegativeList,
  type Resource,
  useCatalogue,
  useDatahubKpis,
  useNegativeList,
} from '../api/datahub.ts';
import type { Me } from '../api/types.ts';
import type { Flow } from '../charts/SankeyChart.tsx';
import { EmptyState } from '../shared/EmptyState.tsx';
import './data.css';
import { PageHeader } from './PageHeader.tsx';

const SankeyChart = lazy(() => import('../charts/SankeyChart.tsx'));

/** Roles that may read the data-sharing KPIs (the server's check, which admin always passes). */
export const DATA_ROLES: readonly string[] = ['admin', ...ROLE_GROUPS.dataOversight];

/** The cockpit's data-sharing page. */
export const DATA_PATH = '/data';

const PAGE = 10;
const LIST_PAGE = 15;

const pct = (x: number | null | undefined) =>
  x === null || x === undefined ? '—' : `${Math.round(x * 1000) / 10}%`;

/** A department's name: the translated type (`departments.<type>`), else the name the server gives, else the code. */
function useDepartmentName(kpis: DatahubKpis | undefined) {
  const { t } = useTranslation();
  const names = useMemo(() => new Map((kpis?.departments ?? []).map((d) => [d.code, d.name])), [kpis]);
  return useCallback(
    (code: string) => {
      const type = code.split(':')[1] ?? code;
      return t(`departments.${type}`, { defaultValue: names.get(code) ?? code });
    },
    [t, names],
  );
}

/**
 * The data middle platform (数据中台) in the cockpit, `/data`: the data-sharing KPIs, flows between
 * departments (Sankey), denials by negative-list entry, approvals waiting, the catalogue browser and
 * the negative list in force. The catalogue and the list are open to every signed-in user; the KPIs
 * to city operators, auditors and the data authority.
 */
export function DataPage({ me }: { me: Me }) {
  const { t } = useTranslation();
  const mayKpis = me.principal.roles.some((r) => DATA_ROLES.includes(r));
  const kpis = useDatahubKpis(mayKpis);
  const deptName = useDepartmentName(kpis.data);
  return (
    <div className="cockpit data-page-wrap">
      <PageHeader me={me} backLabel={t('datahub.back')} />
      <main className="data-page" aria-labelledby="data-title">
        <h1 id="data-title">{t('datahub.title')}</h1>
        {mayKpis ? (
          <KpiSection kpis={kpis.data} error={kpis.error?.message} deptName={deptName} />
        ) : (
          <p className="muted">{t('datahub.kpisNotAllowed')}</p>
        )}
        <CatalogueSection deptName={deptName} departments={kpis.data?.departments} />
        <NegativeListSection deptName={deptName} />
      </main>
    </div>
  );
}

function KpiSection({
  kpis,
  error,
  deptName,
}: {
  kpis: DatahubKpis | undefined;
  error: string | undefined;
  deptName: (code: string) => string;
}) {
  const { t } = useTranslation();
  // Consumer and owner sides get distinct node ids, so two departments reading each other's data make no cycle.
  const flows: Flow[] = useMemo(
    () =>
      (kpis?.pairs ?? [])
        .filter((p) => p.consumerDepartment !== p.ownerDepartment && p.served > 0)
        .map((p) => ({
          source: `c|${p.consumerDepartment}`,
          target: `o|${p.ownerDepartment}`,
          value: p.served,
        })),
    [kpis],
  );
  const nodeLabel = useCallback((id: string) => deptName(id.slice(2)), [deptName]);
  if (!kpis)
    return (
      <section className="data-card data-kpis" aria-labelledby="data-kpis-title">
        <h2 id="data-kpis-title">{t('datahub.kpis')}</h2>
        <p className="muted">{error ?? t('common.loading')}</p>
      </section>
    );
  const { exchanges, approvals, collaboration } = kpis;
  const tiles: [string, string][] = [
    ['exchanges', exchanges.exchanges.toLocaleString()],
    ['served', exchanges.served.toLocaleString()],
    ['denied', exchanges.denied.toLocaleString()],
    ['collaboration', pct(collaboration.rate)],
    ['waiting', String(approvals.waiting)],
    [
      'medianApproval',
      approvals.medianMinutes === null ? '—' : t('kpi.minutes', { n: Math.round(approvals.medianMinutes) }),
    ],
  ];
  return (
    <>
      <section className="data-card data-kpis" aria-labelledby="data-kpis-title">
        <h2 id="data-kpis-title">{t('datahub.kpis')}</h2>
        <dl className="tiles">
          {tiles.map(([k, v]) => (
            <div className={`tile${v === '—' ? ' pending' : ''}`} key={k}>
              <dt>{t(`datahub.tile.${k}`)}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
        <p className="muted small">
          {t('datahub.kpiNote', { cross: collaboration.crossServed, total: collaboration.exchanges })}
        </p>
      </section>
      <section className="data-card data-flows" aria-labelledby="data-flows-title">
        <h2 id="data-flows-title">{t('datahub.flows')}</h2>
        <p className="muted small">{t('datahub.flowsNote')}</p>
        {flows.length === 0 ? (
          <EmptyState title={t('datahub.noFlows')} />
        ) : (
          <Suspense fallback={<div className="chart-placeholder" />}>
            <SankeyChart flows={flows} labelOf={nodeLabel} label={t('datahub.flows')} />
          </Suspense>
        )}
      </section>
      <section className="data-card data-denials" aria-labelledby="data-denials-title">
        <h2 id="data-denials-title">{t('datahub.denials')}</h2>
        {kpis.denials.length === 0 ? (
          <EmptyState title={t('datahub.noDenials')} />
        ) : (
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">{t('datahub.entry')}</th>
                <th scope="col">{t('datahub.kind')}</th>
                <th scope="col">{t('datahub.basis')}</th>
                <th scope="col" className="num">
                  {t('datahub.count')}
                </th>
              </tr>
            </thead>
            <tbody>
              {kpis.denials.map((d) => (
                <tr key={d.entry}>
                  <td className="mono">{d.entry}</td>
                  <td>{d.kind ? t(`datahub.entryKind.${d.kind}`, d.kind) : '—'}</td>
                  <td>{d.basis ?? '—'}</td>
                  <td className="num">{d.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="data-card data-approvals" aria-labelledby="data-approvals-title">
        <h2 id="data-approvals-title">{t('datahub.approvals')}</h2>
        <dl className="data-facts">
          <dt>{t('datahub.waiting')}</dt>
          <dd className="data-waiting">{approvals.waiting}</dd>
          <dt>{t('datahub.overdue')}</dt>
          <dd className={approvals.overdue > 0 ? 'late' : undefined}>{approvals.overdue}</dd>
          <dt>{t('datahub.decided')}</dt>
          <dd>{t('datahub.decidedValue', { approved: approvals.approved, rejected: approvals.rejected })}</dd>
          <dt>{t('datahub.tile.medianApproval')}</dt>
          <dd>
            {approvals.medianMinutes === null
              ? '—'
              : t('kpi.minutes', { n: Math.round(approvals.medianMinutes) })}
          </dd>
        </dl>
      </section>
    </>
  );
}

function CatalogueSection({
  deptName,
  departments,
}: {
  deptName: (code: string) => string;
  departments: { code: string }[] | undefined;
}) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState('');
  const [query, setQuery] = useState({ q: '', department: '', limit: PAGE, offset: 0 });
  const page = useCatalogue(query);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setQuery((q) => ({ ...q, q: draft, offset: 0 }));
  };
  const data = page.data;
  return (
    <section className="data-card data-catalogue" aria-labelledby="data-catalogue-title">
      <h2 id="data-catalogue-title">{t('datahub.catalogue')}</h2>
      <form className="data-search" onSubmit={submit}>
        <label>
          <span>{t('datahub.keywords')}</span>
          <input
            type="search"
            className="field-input"
            value={draft}
            placeholder={t('datahub.keywordsHint')}
            onChange={(e) => setDraft(e.target.value)}
          />
        </label>
        <label>
          <span>{t('datahub.department')}</span>
          <select
            className="field-input"
            value={query.department}
            onChange={(e) => setQuery((q) => ({ ...q, department: e.target.value, offset: 0 }))}
          >
            <option value="">{t('datahub.allDepartments')}</option>
            {(departments ?? []).map((d) => (
              <option key={d.code} value={d.code}>
                {deptName(d.code)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="btn btn-primary">
          {t('datahub.search')}
        </button>
      </form>
      <p className="muted small" aria-live="polite">
        {data
          ? data.total === 0
            ? t('datahub.noResults')
            : t('datahub.resultsRange', {
                from: data.offset + 1,
                to: data.offset + data.items.length,
                total: data.total,
              })
          : page.isError
            ? page.error.message
            : t('common.loading')}
      </p>
      <ul className="data-resources">
        {(data?.items ?? []).map((r) => (
          <ResourceItem key={r.id} resource={r} deptName={deptName} />
        ))}
      </ul>
      {data && data.total > PAGE ? (
        <div className="data-pager">
          <button
            type="button"
            className="btn btn-ghost"
            disabled={query.offset === 0}
            onClick={() => setQuery((q) => ({ ...q, offset: Math.max(0, q.offset - PAGE) }))}
          >
            {t('datahub.previous')}
          </button>
          <button
            type="button"
            className="btn btn-ghost"
            disabled={query.offset + PAGE >= data.total}
            onClick={() => setQuery((q) => ({ ...q, offset: q.offset + PAGE }))}
          >
            {t('datahub.next')}
          </button>
        </div>
      ) : null}
    </section>
  );
}

function ResourceItem({ resource: r, deptName }: { resource: Resource; deptName: (code: string) => string }) {
  const { t } = useTranslation();
  return (
    <li className="data-resource">
      <div className="data-resource-head">
        <strong>{r.titleZh}</strong>
        <span className={`badge sharing-${r.sharing}`}>{t(`datahub.sharing.${r.sharing}`, r.sharing)}</span>
        {r.synthetic ? <span className="badge synthetic">{t('datahub.synthetic')}</span> : null}
      </div>
      <p className="muted small">
        {deptName(r.ownerDepartment)} · {t(`datahub.resourceKind.${r.kind}`, r.kind)} ·{' '}
        {t(`datahub.frequency.${r.updateFrequency}`, r.updateFrequency)} · {r.sourceSystem} ·{' '}
        <span className="mono">{r.id}</span>
      </p>
      <ul className="data-fields" aria-label={t('datahub.fieldsOf', { title: r.titleZh })}>
        {r.fields.map((f) => (
          <li key={f.name} className={`field-class fc-${f.class}`}>
            {f.titleZh} <span className="fc-label">{t(`datahub.fieldClass.${f.class}`, f.class)}</span>
          </li>
        ))}
      </ul>
    </li>
  );
}

function NegativeListSection({ deptName }: { deptName: (code: string) => string }) {
  const { t } = useTranslation();
  const list = useNegativeList();
  const [offset, setOffset] = useState(0);
  const [filter, setFilter] = useState('');
  const entries = useMemo(() => {
    const f = filter.trim().toLowerCase();
    const all = list.data?.entries ?? [];
    return f
      ? all.filter((e) =>
          [e.id, e.basis, e.description, e.scope.ownerDepartment ?? '', e.scope.resourceId ?? ''].some((s) =>
            s.toLowerCase().includes(f),
          ),
        )
      : all;
  }, [list.data, filter]);
  const shown = entries.slice(offset, offset + LIST_PAGE);
  return (
    <section className="data-card data-list" aria-labelledby="data-list-title">
      <h2 id="data-list-title">{t('datahub.negativeList')}</h2>
      {list.data ? <ListHeader list={list.data} /> : <p className="muted">{t('common.loading')}</p>}
      <label className="data-filter">
        <span>{t('datahub.filterEntries')}</span>
        <input
          type="search"
          className="field-input"
          value={filter}
          onChange={(e) => {
            setFilter(e.target.value);
            setOffset(0);
          }}
        />
      </label>
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">{t('datahub.entry')}</th>
            <th scope="col">{t('datahub.kind')}</th>
            <th scope="col">{t('datahub.scope')}</th>
            <th scope="col">{t('datahub.basis')}</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((e) => (
            <tr key={e.id}>
              <td className="mono">{e.id}</td>
              <td>
                <span className={`badge entry-${e.kind}`}>{t(`datahub.entryKind.${e.kind}`, e.kind)}</span>
              </td>
              <td className="small">
                {[
                  e.scope.resourceId,
                  e.scope.ownerDepartment ? deptName(e.scope.ownerDepartment) : undefined,
                  e.scope.fieldClass ? t(`datahub.fieldClass.${e.scope.fieldClass}`) : undefined,
                ]
                  .filter(Boolean)
                  .join(' · ')}
              </td>
              <td>{e.basis}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {entries.length > LIST_PAGE ? (
        <div className="data-pager">
          <span className="muted small">
            {t('datahub.resultsRange', {
              from: offset + 1,
              to: offset + shown.length,
              total: entries.length,
            })}
          </span>
          <button
            type="button"
            className="btn btn-ghost"
            disabled={offset === 0}
            onClick={() => setOffset((o) => Math.max(0, o - LIST_PAGE))}
          >
            {t('datahub.previous')}
          </button>
          <button
            type="button"
            className="btn btn-ghost"
            disabled={offset + LIST_PAGE >= entries.length}
            onClick={() => setOffset((o) => o + LIST_PAGE)}
          >
            {t('datahub.next')}
          </button>
        </div>
      ) : null}
    </section>
  );
}

function ListHeader({ list }: { list: NegativeList }) {
  const { t } = useTranslation();
  const notShared = list.entries.filter((e) => e.kind === 'not_shared').length;
  return (
    <p className="data-list-version">
      {t('datahub.listVersion', {
        version: list.version,
        at: new Date(list.createdAt).toLocaleString(),
        total: list.entries.length,
        notShared,
        conditional: list.entries.length - notShared,
      })}
    </p>
  );
}
