/**
 * Workload per area for the cockpit's choropleth: open events (not closed, not merged) and
 * live / overdue tasks, counted for every jurisdiction level of each record's path (an event
 * in 解放碑街道 counts for the street, 渝中区 and 重庆市), within the caller's scope.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import { inScope, type Principal } from '../../platform/access.ts';
import { type Db, forTables } from '../../platform/db/database.ts';
import { tasksByPath } from '../dispatch/index.ts';
import type { EventTables } from './events.tables.ts';

/** GET /api/v1/areas/workload. */
export const WorkloadSchema = z.object({
  at: z.iso.datetime({ offset: true }),
  items: z.array(
    z.object({
      code: z.string().describe('jurisdiction code (every level of the records’ paths)'),
      openEvents: z.number().int().describe('events not closed and not merged'),
      liveTasks: z.number().int().describe('tasks not completed, cancelled or returned'),
      overdueTasks: z
        .number()
        .int()
        .describe('live tasks past an unmet time limit (accept, arrive or resolve)'),
    }),
  ),
});
/** The workload per area. */
export type Workload = z.infer<typeof WorkloadSchema>;

/** Open events per jurisdiction path, in scope. */
async function openEventsByPath(db: Db, principal: Principal): Promise<{ path: string; n: number }[]> {
  const rows = await forTables<EventTables>(db)
    .selectFrom('ev_event')
    .select(['jurisdiction_path', sql<number>`count(*)::int`.as('n')])
    .where('status', 'not in', ['closed', 'merged'])
    .where(inScope(principal, 'jurisdiction_path'))
    .groupBy('jurisdiction_path')
    .execute();
  return rows.map((r) => ({ path: r.jurisdiction_path, n: Number(r.n) }));
}

/** Open events and live/overdue tasks per jurisdiction code in the principal's scope. */
export async function workloadByArea(db: Db, principal: Principal, now: Date): Promise<Workload> {
  const [events, tasks] = await Promise.all([
    openEventsByPath(db, principal),
    tasksByPath(db, principal, now),
  ]);
  const byCode = new Map<string, { openEvents: number; liveTasks: number; overdueTasks: number }>();
  const add = (
    path: string,
    f: (e: { openEvents: number; liveTasks: number; overdueTasks: number }) => void,
  ) => {
    for (const code of path.split('/').filter(Boolean)) {
      const e = byCode.get(code) ?? { openEvents: 0, liveTasks: 0, overdueTasks: 0 };
      f(e);
      byCode.set(code, e);
    }
  };
  for (const e of events) add(e.path, (x) => (x.openEvents += e.n));
  for (const t of tasks)
    add(t.path, (x) => {
      x.liveTasks += t.live;
      x.overdueTasks += t.overdue;
    });
  return {
    at: now.toISOString(),
    items: [...byCode].map(([code, v]) => ({ code, ...v })).sort((a, b) => a.code.localeCompare(b.code)),
  };
}
