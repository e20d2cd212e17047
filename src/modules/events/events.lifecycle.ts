import type { Db } from '../../platform/db/database.ts';
import { forTables } from '../../platform/db/database.ts';
import type { TaskDto } from '../dispatch/index.ts';
import type { EventCore } from './events.core.ts';
import type { EventStatus } from './events.schema.ts';
import type { EventTables } from './events.tables.ts';

// The event's life after dispatch: its status follows its tasks.

/**
 * Keeps the event's status in step with its tasks (called by dispatch inside its transaction):
 * a returned task sends the event to triage; all live tasks completed → resolved.
 */
export async function taskChanged(
  core: EventCore,
  trx: Db,
  task: TaskDto,
  change: { action: string; reason?: string },
): Promise<void> {
  const db = forTables<EventTables>(trx);
  const row = await core.repo.find(db, task.eventId, true);
  if (!row || ['closed', 'merged'].includes(row.status)) return;
  const now = core.deps.clock.now();
  if (change.action === 'return') {
    const reason = `task returned by ${task.departmentCode}: ${change.reason ?? ''}`;
    await core.repo.update(db, row.id, {
      status: 'triage',
      triage_reason: reason,
      status_note: reason,
      updated_at: now,
    });
    await core.statusChanged(trx, row, 'triage');
    await core.notifyCentre(trx, row, '任务退回待改派 Returned: re-route', reason);
    return;
  }
  if (row.status === 'triage') return;
  const tasks = (await core.deps.dispatch.tasksOf(trx, row.id)).filter(
    (t) => t.status !== 'cancelled' && t.status !== 'returned',
  );
  let next: EventStatus = 'dispatched';
  if (tasks.length > 0 && tasks.every((t) => t.status === 'completed')) next = 'resolved';
  else if (tasks.some((t) => ['accepted', 'en_route', 'arrived', 'completed'].includes(t.status)))
    next = 'in_progress';
  const note = noteFor(task, change.action);
  if (next === row.status && !note) return;
  await core.repo.update(db, row.id, {
    status: next,
    status_note: note ?? row.status_note,
    resolved_at: next === 'resolved' ? now : null,
    updated_at: now,
  });
  if (next !== row.status) {
    await core.statusChanged(trx, row, next);
    if (next === 'resolved')
      await core.notifyCentre(
        trx,
        row,
        '待核查结案 Ready for verification',
        `${row.category}: all tasks completed`,
      );
  }
}

/** The public status note for a task change. */
function noteFor(task: TaskDto, action: string): string | null {
  const team = task.team?.name ?? task.departmentCode;
  switch (action) {
    case 'accept':
      return `accepted by ${team}`;
    case 'en_route':
      return `${team} is on the way`;
    case 'arrive':
      return `${team} arrived on scene`;
    case 'complete':
      return `${team} completed the work${task.note ? `: ${task.note}` : ''}`;
    case 'unable':
      return `${team} could not complete: ${task.note ?? ''}`;
    case 'assign':
      return `dispatched to ${team}`;
    default:
      return null;
  }
}
