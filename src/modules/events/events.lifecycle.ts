import type { Db } from '../../platform/db/database.ts';
import { forTables } from '../../platform/db/database.ts';
import type { TaskDto } from '../dispatch/index.ts';
import type { EventCore } from './events.core.ts';
import { noteColumns, notes, type StatusNote } from './events.notes.ts';
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
      ...noteColumns(notes.returned(task.departmentCode, change.reason ?? '')),
      updated_at: now,
    });
    await core.statusChanged(trx, row, 'triage');
    await core.notifyCentre(trx, row, '任务退回待改派 Returned: re-route', reason, {
      code: 'event.task_returned',
      params: { department: task.departmentCode, reason: change.reason ?? null },
    });
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
    ...(note ? noteColumns(note) : {}),
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
        { code: 'event.ready_for_verification', params: { category: row.category } },
      );
  }
}

/** The public status note for a task change. */
function noteFor(task: TaskDto, action: string): StatusNote | null {
  const team = task.team?.name ?? task.departmentCode;
  switch (action) {
    case 'accept':
      return notes.accepted(team);
    case 'en_route':
      return notes.enRoute(team);
    case 'arrive':
      return notes.arrived(team);
    case 'complete':
      return notes.completed(team, task.note);
    case 'unable':
      return notes.unable(team, task.note);
    case 'assign':
      return notes.dispatched(team);
    default:
      return null;
  }
}
