import { z } from 'zod';
import type { Principal } from '../../platform/access.ts';
import type { Db } from '../../platform/db/database.ts';
import { forTables } from '../../platform/db/database.ts';
import type { DispatchService } from '../dispatch/index.ts';
import { EventRepository } from './events.repository.ts';
import { WithinSchema } from './events.schema.ts';
import type { EventTables } from './events.tables.ts';

const Group = z.object({
  key: z.string(),
  closed: z.number().int(),
  avgMinutes: z.number().nullable(),
  medianMinutes: z.number().nullable(),
});
const Share = z.object({ onTime: z.number().int(), total: z.number().int(), rate: z.number().nullable() });

/** GET /api/v1/kpis. */
export const KpiQuerySchema = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  within: WithinSchema.optional(),
});
/** The window of GET /api/v1/kpis. */
export type KpiQuery = z.infer<typeof KpiQuerySchema>;
/** The governance KPIs of the principal's jurisdiction over a window. */
export const KpiSchema = z.object({
  events: z.number().int(),
  closed: z.number().int(),
  timeToClose: z.object({ byLevel: z.array(Group), byCategory: z.array(Group) }),
  compliance: z.object({ accept: Share, arrive: Share, resolve: Share }),
  collaboration: z.object({
    multiDepartment: z.number().int(),
    dispatched: z.number().int(),
    rate: z.number().nullable(),
  }),
  satisfaction: z.object({
    ratings: z.number().int(),
    average: z.number().nullable(),
    satisfiedShare: z.number().nullable(),
  }),
  reopen: z.object({ reopened: z.number().int(), closedEver: z.number().int(), rate: z.number().nullable() }),
});
/** The KPIs. */
export type Kpis = z.infer<typeof KpiSchema>;

const ratio = (a: number, b: number) => (b === 0 ? null : Math.round((a / b) * 1000) / 1000);

/** Computes the KPIs from events in scope and their tasks (demo scale: rows are aggregated here). */
export async function computeKpis(
  db: Db,
  dispatch: DispatchService,
  principal: Principal,
  now: Date,
  q: KpiQuery,
): Promise<Kpis> {
  const rows = (
    await new EventRepository().list(forTables<EventTables>(db), principal, { ...q, limit: 1000 })
  ).filter((r) => r.status !== 'merged');
  const ids = rows.map((r) => r.id);
  const [tasks, ratings] = await Promise.all([
    dispatch.tasksOfEvents(ids),
    new EventRepository().ratings(forTables<EventTables>(db), ids),
  ]);
  const closed = rows.filter((r) => r.closed_at);
  const minutes = (r: (typeof rows)[number]) =>
    ((r.closed_at as Date).getTime() - r.created_at.getTime()) / 60_000;
  const groupBy = (key: (r: (typeof rows)[number]) => string) => {
    const groups = new Map<string, number[]>();
    for (const r of closed) groups.set(key(r), [...(groups.get(key(r)) ?? []), minutes(r)]);
    return [...groups].map(([k, xs]) => {
      const sorted = xs.sort((a, b) => a - b);
      return {
        key: k,
        closed: xs.length,
        avgMinutes: Math.round((xs.reduce((s, x) => s + x, 0) / xs.length) * 10) / 10,
        medianMinutes: Math.round((sorted[Math.floor((sorted.length - 1) / 2)] ?? 0) * 10) / 10,
      };
    });
  };
  const live = tasks.filter((t) => t.status !== 'cancelled' && t.status !== 'returned');
  const share = (
    done: (t: (typeof live)[number]) => string | null,
    due: (t: (typeof live)[number]) => string,
  ) => {
    let onTime = 0;
    let total = 0;
    for (const t of live) {
      const at = done(t);
      const deadline = Date.parse(due(t));
      if (!at && deadline > now.getTime()) continue; // not yet due, not yet done: not counted
      total += 1;
      if (at && Date.parse(at) <= deadline) onTime += 1;
    }
    return { onTime, total, rate: ratio(onTime, total) };
  };
  const dispatched = rows.filter((r) => r.category && r.status !== 'triage');
  const multi = dispatched.filter((r) => r.multi_department).length;
  const satisfied = ratings.filter((r) => r.rating >= 4).length;
  const closedEver = rows.filter((r) => r.closed_at || r.reopened > 0);
  const reopened = rows.filter((r) => r.reopened > 0).length;
  return {
    events: rows.length,
    closed: closed.length,
    timeToClose: {
      byLevel: groupBy((r) => r.handling_level ?? 'unknown'),
      byCategory: groupBy((r) => r.category ?? 'unknown'),
    },
    compliance: {
      accept: share(
        (t) => t.acceptedAt,
        (t) => t.acceptDueAt,
      ),
      arrive: share(
        (t) => t.arrivedAt,
        (t) => t.arriveDueAt,
      ),
      resolve: share(
        (t) => t.completedAt,
        (t) => t.resolveDueAt,
      ),
    },
    collaboration: {
      multiDepartment: multi,
      dispatched: dispatched.length,
      rate: ratio(multi, dispatched.length),
    },
    satisfaction: {
      ratings: ratings.length,
      average: ratings.length
        ? Math.round((ratings.reduce((s, r) => s + r.rating, 0) / ratings.length) * 100) / 100
        : null,
      satisfiedShare: ratio(satisfied, ratings.length),
    },
    reopen: { reopened, closedEver: closedEver.length, rate: ratio(reopened, closedEver.length) },
  };
}
