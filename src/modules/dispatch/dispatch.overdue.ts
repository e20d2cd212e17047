import { sql } from 'kysely';
import { inScope, type Principal } from '../../platform/access.ts';
import { type Db, forTables } from '../../platform/db/database.ts';
import type { DispatchTables } from './dispatch.tables.ts';

/** Statuses after which a task has no limit left to miss. */
const DONE = ['completed', 'cancelled', 'returned'];

/**
 * Live and overdue tasks per jurisdiction path (where the work is), in the principal's scope.
 * A task is overdue when it is still live (not completed, cancelled or returned) and one of its
 * time limits has passed unmet: not accepted by `accept_due_at`, not arrived by `arrive_due_at`,
 * or not completed by `resolve_due_at`. Escalation re-arms a timer for the next level but never
 * moves these limits, so an escalated task stays overdue until it is done.
 */
export async function tasksByPath(
  db: Db,
  principal: Principal,
  now: Date,
): Promise<{ path: string; live: number; overdue: number }[]> {
  const rows = await forTables<DispatchTables>(db)
    .selectFrom('dp_task')
    .select([
      'jurisdiction_path',
      sql<number>`count(*)::int`.as('live'),
      sql<number>`(count(*) filter (where (accepted_at is null and accept_due_at < ${now})
        or (arrived_at is null and arrive_due_at < ${now})
        or (completed_at is null and resolve_due_at < ${now})))::int`.as('overdue'),
    ])
    .where('status', 'not in', DONE)
    .where(inScope(principal, 'jurisdiction_path'))
    .groupBy('jurisdiction_path')
    .execute();
  return rows.map((r) => ({ path: r.jurisdiction_path, live: Number(r.live), overdue: Number(r.overdue) }));
}
