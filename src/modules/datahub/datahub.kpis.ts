import { sql } from 'kysely';
import { z } from 'zod';
import type { Principal } from '../../platform/access.ts';
import type { Db } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
import type { DatahubDeps } from './datahub.deps.ts';

const DAY_MS = 86_400_000;
/** Days are the city's calendar days: China Standard Time, UTC+8 all year (no daylight saving). */
const CITY_OFFSET = '8 hours';
/** The window when the query names none: the 30 days up to now. */
const DEFAULT_DAYS = 30;

/** GET /api/v1/datahub/kpis. */
export const DatahubKpiQuerySchema = z.object({
  from: z.iso
    .datetime({ offset: true })
    .optional()
    .describe('start of the window (default: 30 days before `to`)'),
  to: z.iso.datetime({ offset: true }).optional().describe('end of the window, exclusive (default: now)'),
});
/** The window of the datahub KPIs. */
export type DatahubKpiWindow = z.infer<typeof DatahubKpiQuerySchema>;

const Count = z.number().int();
const Outcomes = { exchanges: Count, served: Count, denied: Count };

/** The data-sharing KPIs over a window (see the datahub README for what each figure counts). */
export const DatahubKpisSchema = z
  .object({
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
    exchanges: z.object({
      ...Outcomes,
      needsApproval: Count.describe('requests that became an application to the owner department'),
      failed: Count.describe('the source failed or refused the query'),
    }),
    byDay: z.array(z.object({ day: z.string().describe('YYYY-MM-DD, city time (UTC+8)'), ...Outcomes })),
    pairs: z.array(
      z.object({
        consumerDepartment: z.string(),
        ownerDepartment: z.string(),
        ...Outcomes,
      }),
    ),
    denials: z.array(
      z.object({
        entry: z.string(),
        kind: z.string().nullable(),
        basis: z.string().nullable().describe('legal basis, from the list version that decided'),
        count: Count,
      }),
    ),
    approvals: z.object({
      waiting: Count.describe('applications undecided now (pending or escalated)'),
      overdue: Count.describe('undecided past their due time (escalated, or not swept yet)'),
      decided: Count.describe('applications decided in the window'),
      approved: Count,
      rejected: Count,
      medianMinutes: z.number().nullable().describe('median of decided − requested, decided in the window'),
    }),
    collaboration: z.object({
      crossServed: Count.describe('exchanges served across a department boundary'),
      exchanges: Count,
      rate: z.number().nullable().describe('crossServed / exchanges, 3 decimals; null without exchanges'),
    }),
    departments: z.array(z.object({ code: z.string(), name: z.string() })),
  })
  .meta({ id: 'DatahubKpis' });
/** The datahub KPIs. */
export type DatahubKpis = z.infer<typeof DatahubKpisSchema>;

const ratio = (a: number, b: number) => (b === 0 ? null : Math.round((a / b) * 1000) / 1000);
const n = (v: unknown) => Number(v ?? 0);

/**
 * The data-sharing KPIs, read from the exchange log (`dh_exchange_log`), the applications
 * (`dh_application`) and the list versions (`dh_list_version`) for the denials' legal bases.
 * The figures are aggregated in SQL; only the groups come back.
 */
export class SharingKpis {
  private readonly deps: Pick<DatahubDeps, 'db' | 'clock' | 'departments'>;

  constructor(deps: Pick<DatahubDeps, 'db' | 'clock' | 'departments'>) {
    this.deps = deps;
  }

  async kpis(_principal: Principal, q: DatahubKpiWindow): Promise<DatahubKpis> {
    const now = this.deps.clock.now();
    const to = q.to ? new Date(q.to) : now;
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - DEFAULT_DAYS * DAY_MS);
    if (from.getTime() >= to.getTime())
      throw new AppError('invalid_request', '`from` must be before `to`', { field: 'from' });
    const db = this.deps.db;
    const [pairs, byDay, denials, approvals, departments] = await Promise.all([
      pairRows(db, from, to),
      dayRows(db, from, to),
      denialRows(db, from, to),
      approvalFigures(db, from, to, now),
      this.deps.departments.list(),
    ]);
    const sum = (k: 'exchanges' | 'served' | 'denied' | 'needsApproval' | 'failed') =>
      pairs.reduce((s, p) => s + p[k], 0);
    const exchanges = sum('exchanges');
    const crossServed = pairs
      .filter((p) => p.consumerDepartment !== p.ownerDepartment)
      .reduce((s, p) => s + p.served, 0);
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      exchanges: {
        exchanges,
        served: sum('served'),
        denied: sum('denied'),
        needsApproval: sum('needsApproval'),
        failed: sum('failed'),
      },
      byDay,
      pairs: pairs.map(({ needsApproval: _a, failed: _f, ...p }) => p),
      denials: await withBases(db, denials),
      approvals,
      collaboration: { crossServed, exchanges, rate: ratio(crossServed, exchanges) },
      departments: departments
        .map((d) => ({ code: d.code, name: d.name }))
        .sort((a, b) => a.code.localeCompare(b.code)),
    };
  }
}

const OUTCOMES = sql`
  count(*) as exchanges,
  count(*) filter (where decision = 'allow') as served,
  count(*) filter (where decision = 'deny') as denied,
  count(*) filter (where decision = 'needs_approval') as needs_approval,
  count(*) filter (where decision like 'failed:%') as failed`;

async function pairRows(db: Db, from: Date, to: Date) {
  const { rows } = await sql<Record<string, unknown>>`
    select consumer_dept, owner_dept, ${OUTCOMES}
    from dh_exchange_log where at >= ${from} and at < ${to}
    group by consumer_dept, owner_dept
    order by count(*) desc, consumer_dept, owner_dept`.execute(db);
  return rows.map((r) => ({
    consumerDepartment: String(r.consumer_dept),
    ownerDepartment: String(r.owner_dept),
    exchanges: n(r.exchanges),
    served: n(r.served),
    denied: n(r.denied),
    needsApproval: n(r.needs_approval),
    failed: n(r.failed),
  }));
}

async function dayRows(db: Db, from: Date, to: Date) {
  const { rows } = await sql<Record<string, unknown>>`
    select to_char((at at time zone 'UTC') + interval ${sql.lit(CITY_OFFSET)}, 'YYYY-MM-DD') as day, ${OUTCOMES}
    from dh_exchange_log where at >= ${from} and at < ${to}
    group by 1 order by 1`.execute(db);
  return rows.map((r) => ({
    day: String(r.day),
    exchanges: n(r.exchanges),
    served: n(r.served),
    denied: n(r.denied),
  }));
}

async function denialRows(db: Db, from: Date, to: Date) {
  // Counted per entry and list version, so each entry's basis is the one in force when it decided.
  const { rows } = await sql<{ entry: string; version: string; count: unknown }>`
    select e.entry, l.policy_version as version, count(*) as count
    from dh_exchange_log l cross join lateral unnest(l.entries) as e(entry)
    where l.at >= ${from} and l.at < ${to} and l.decision = 'deny'
    group by e.entry, l.policy_version`.execute(db);
  return rows.map((r) => ({ entry: r.entry, version: r.version, count: n(r.count) }));
}

/** Names each denying entry's kind and basis from the newest list version it was counted under. */
async function withBases(db: Db, rows: { entry: string; version: string; count: number }[]) {
  const versions = [...new Set(rows.map((r) => Number(r.version)).filter(Number.isInteger))];
  const entriesOf = new Map<number, Map<string, { kind: string; basis: string }>>();
  if (versions.length > 0) {
    const { rows: stored } = await sql<{
      version: number;
      entries: { id: string; kind: string; basis: string }[];
    }>`
      select version, entries from dh_list_version where version in (${sql.join(versions)})`.execute(db);
    for (const v of stored)
      entriesOf.set(
        Number(v.version),
        new Map(v.entries.map((e) => [e.id, { kind: e.kind, basis: e.basis }])),
      );
  }
  const byEntry = new Map<
    string,
    { entry: string; kind: string | null; basis: string | null; count: number; version: number }
  >();
  for (const r of rows) {
    const version = Number(r.version);
    const known = entriesOf.get(version)?.get(r.entry);
    const seen = byEntry.get(r.entry);
    if (!seen) {
      byEntry.set(r.entry, {
        entry: r.entry,
        kind: known?.kind ?? null,
        basis: known?.basis ?? null,
        count: r.count,
        version,
      });
      continue;
    }
    seen.count += r.count;
    if (known && (seen.basis === null || version > seen.version))
      Object.assign(seen, { kind: known.kind, basis: known.basis, version });
  }
  return [...byEntry.values()]
    .sort((a, b) => b.count - a.count || a.entry.localeCompare(b.entry))
    .map(({ version: _v, ...d }) => d);
}

async function approvalFigures(db: Db, from: Date, to: Date, now: Date) {
  const { rows } = await sql<Record<string, unknown>>`
    select
      count(*) filter (where status in ('pending', 'escalated')) as waiting,
      count(*) filter (where status in ('pending', 'escalated') and due_at < ${now}) as overdue,
      count(*) filter (where decided_at >= ${from} and decided_at < ${to}) as decided,
      count(*) filter (where status = 'approved' and decided_at >= ${from} and decided_at < ${to}) as approved,
      count(*) filter (where status = 'rejected' and decided_at >= ${from} and decided_at < ${to}) as rejected,
      percentile_cont(0.5) within group (order by extract(epoch from decided_at - requested_at))
        filter (where decided_at >= ${from} and decided_at < ${to}) as median_s
    from dh_application`.execute(db);
  const r = rows[0] ?? {};
  const median = r.median_s === null || r.median_s === undefined ? null : Number(r.median_s);
  return {
    waiting: n(r.waiting),
    overdue: n(r.overdue),
    decided: n(r.decided),
    approved: n(r.approved),
    rejected: n(r.rejected),
    medianMinutes: median === null ? null : Math.round((median / 60) * 10) / 10,
  };
}
