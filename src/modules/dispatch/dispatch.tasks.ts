import { canSee, type Principal, ROLE_GROUPS, requireRole } from '../../platform/access.ts';
import { type Db, forTables } from '../../platform/db/database.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { TeamChoice } from './dispatch.assign.ts';
import { assertTransition, type DispatchCore } from './dispatch.core.ts';
import { manualReason } from './dispatch.reasons.ts';
import { toTaskDto } from './dispatch.repository.ts';
import { FINAL_STATUSES, type TaskDto, type TaskStatus, TRANSITIONS } from './dispatch.schema.ts';
import type { DispatchTables } from './dispatch.tables.ts';
import { escalateTask } from './dispatch.timers.ts';

// The centre's decisions on tasks: (re)assign, cancel, escalate; and the event centre's
// bulk changes inside its own transaction (redo after a failed verification, cancel the open ones).

/**
 * The centre following the task (re)assigns it: to a named team, or to the nearest available
 * one other than the current. A dispatcher's choice is recorded as an override of the algorithm.
 */
export async function assign(
  core: DispatchCore,
  principal: Principal,
  id: string,
  input: { teamId?: string; reason: string },
): Promise<TaskDto> {
  const result = await core.refusals.refusing(principal, id, 'task.assign', async () => {
    requireRole(principal, ...ROLE_GROUPS.operators);
    const current = core.visible(principal, await core.repo.find(core.db(), id), id);
    assertTransition(current, 'assign');
    core.assertFollows(principal, current);
    // Decide outside the transaction (the team's owner is read through its own service).
    let choice: TeamChoice;
    if (!input.teamId) {
      choice = await core.assigner.choose(
        principal,
        current,
        new Set(current.team_id ? [current.team_id] : []),
      );
      if (!choice.team)
        throw new AppError('conflict', `no other team is available: ${choice.reason.text}`, {
          reason: 'no_team',
        });
    } else {
      // A team outside the caller's jurisdiction answers as an unknown one: not_found, as a read would.
      const team = await core.deps.teams.fresh(input.teamId).catch(() => undefined);
      if (!team || !canSee(principal, team.path)) throw notFound('team', input.teamId);
      if (team.departmentType !== current.department_type || !team.skills.includes(current.skill)) {
        throw new AppError(
          'invalid_data',
          `team ${team.code} is not a ${current.department_type} team with skill '${current.skill}'`,
          {
            field: 'teamId',
          },
        );
      }
      if (!team.onDuty)
        throw new AppError('conflict', `team ${team.code} is off duty`, { reason: 'off_duty' });
      choice = { team, decisionId: null, reason: manualReason(principal.name, input.reason) };
    }
    const task = await core.change(principal, id, 'assign', async (trx, locked) => {
      core.assertFollows(principal, locked);
      const outcome = await core.assigner.apply(trx, principal, locked, choice);
      if (!outcome.assigned) throw new AppError('conflict', outcome.reason.text, { reason: 'no_team' });
      return 'done';
    });
    return { task, overridden: input.teamId ? current.assign_decision_id : null };
  });
  if (result.overridden && input.teamId) {
    await core.deps.algorithms
      .recordOverride(result.overridden, principal, input.reason, { teamId: input.teamId })
      .catch((err) => core.deps.logger.warn({ err, taskId: id }, 'override not recorded'));
  }
  return result.task;
}

/** The centre cancels a task (e.g. a co-department turns out not to be needed). */
export async function cancel(
  core: DispatchCore,
  principal: Principal,
  id: string,
  reason: string,
): Promise<TaskDto> {
  return core.refusals.refusing(principal, id, 'task.cancel', async () => {
    requireRole(principal, ...ROLE_GROUPS.operators);
    return core.change(principal, id, 'cancel', async (_trx, task) => {
      core.assertFollows(principal, task);
      return { note: reason };
    });
  });
}

/**
 * The centre following the task (or one above it) raises it one level by hand — street →
 * district → city — with a reason: the same write as a missed time limit's escalation
 * (`escalateTask`: audit `task.escalated`, bus `dispatch.task.escalated` with kind `manual`,
 * both centres notified). A finished task is 409 `invalid_transition`; one at the city level
 * already is 409 `already_top_level`.
 */
export async function escalate(
  core: DispatchCore,
  principal: Principal,
  id: string,
  reason: string,
): Promise<TaskDto> {
  return core.refusals.refusing(principal, id, 'task.escalate', async () => {
    requireRole(principal, ...ROLE_GROUPS.operators);
    return core.deps.db.transaction().execute(async (trx) => {
      const task = core.visible(principal, await core.lock(trx, id), id);
      if (FINAL_STATUSES.includes(task.status as TaskStatus)) {
        throw new AppError('invalid_transition', `cannot escalate task ${task.id}: it is ${task.status}`, {
          action: 'escalate',
          from: task.status,
        });
      }
      core.assertFollows(principal, task);
      const updated = await escalateTask(
        { deps: core.deps, repo: core.repo, outbox: core.outbox, listener: core.listener },
        trx,
        task,
        { kind: 'manual', actor: principal, reason },
      );
      if (!updated) {
        throw new AppError('already_top_level', `task ${task.id} is followed by the city centre already`, {
          level: task.level,
          centreCode: task.centre_code,
        });
      }
      return toTaskDto(updated);
    });
  });
}

/** Sends completed tasks of an event back to their teams (verification failed); inside the caller's transaction. */
export async function redo(
  core: DispatchCore,
  trx: Db,
  principal: Principal,
  eventId: string,
  reason: string,
): Promise<void> {
  for (const task of await core.repo.ofEvent(forTables<DispatchTables>(trx), eventId)) {
    if (task.status === 'completed')
      await core.apply(trx, principal, task, 'redo', { completed_at: null, note: reason }, reason, false);
  }
}

/** Cancels an event's unfinished tasks (event closed or merged); inside the caller's transaction. */
export async function cancelOpen(
  core: DispatchCore,
  trx: Db,
  principal: Principal,
  eventId: string,
  reason: string,
): Promise<void> {
  for (const task of await core.repo.ofEvent(forTables<DispatchTables>(trx), eventId)) {
    if ((TRANSITIONS.cancel.from as readonly string[]).includes(task.status)) {
      await core.apply(trx, principal, task, 'cancel', { note: reason }, reason, false);
    }
  }
}
