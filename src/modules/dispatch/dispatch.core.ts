import { assertVisible, canSee, hasRole, type Principal, ROLE_GROUPS } from '../../platform/access.ts';
import { Outbox } from '../../platform/bus/index.ts';
import { type Db, forTables } from '../../platform/db/database.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { type Refusals, refusals } from '../audit/index.ts';
import { Assigner, refOf } from './dispatch.assign.ts';
import type { DispatchDeps, TaskListener } from './dispatch.deps.ts';
import { DispatchRepository, type TaskRow, toTaskDto } from './dispatch.repository.ts';
import {
  ACTIVE_STATUSES,
  type TaskAction,
  type TaskDto,
  type TaskStatus,
  TRANSITIONS,
} from './dispatch.schema.ts';
import { dispatchSubjects } from './dispatch.subjects.ts';
import type { DispatchTables } from './dispatch.tables.ts';

/**
 * What dispatch's use cases share: dependencies, the repository, the assigner, the outbox, the
 * listener (the event centre, given at construction), the refusal audit, who may see a task and
 * the one write every transition makes. Each use case file takes it as its first argument.
 */
export class DispatchCore {
  readonly deps: DispatchDeps;
  readonly repo = new DispatchRepository();
  readonly assigner: Assigner;
  readonly outbox: Outbox<typeof dispatchSubjects>;
  readonly listener: TaskListener | undefined;
  readonly refusals: Refusals;

  constructor(deps: DispatchDeps) {
    this.deps = deps;
    this.assigner = new Assigner(deps);
    this.outbox = new Outbox(dispatchSubjects, deps.clock);
    this.listener = deps.listener;
    this.refusals = refusals(deps, 'task');
  }

  /** The dispatch tables over the app's database (outside any transaction). */
  db() {
    return forTables<DispatchTables>(this.deps.db);
  }

  /** Runs a transition on a locked task in its own transaction. */
  async change(
    principal: Principal,
    id: string,
    action: TaskAction,
    build: (trx: Db, task: TaskRow) => Promise<Partial<TaskRow> | 'done'>,
  ): Promise<TaskDto> {
    return this.deps.db.transaction().execute(async (trx) => {
      const db = forTables<DispatchTables>(trx);
      const task = this.visible(principal, await this.lock(trx, id), id);
      assertTransition(task, action);
      const changes = await build(trx, task);
      if (changes === 'done') {
        const after = await this.repo.find(db, id);
        const dto = toTaskDto(after as TaskRow);
        await this.listener?.taskChanged(trx, dto, { action, actor: principal });
        return dto;
      }
      return this.apply(trx, principal, task, action, changes, changes.note ?? undefined, true);
    });
  }

  /**
   * Locks a task for the rest of the transaction, its event first (the lock order every writer
   * keeps: event, then its tasks, then the audit head). Undefined when there is no such task.
   */
  async lock(trx: Db, id: string): Promise<TaskRow | undefined> {
    return lockTask(trx, this.repo, this.listener, id);
  }

  /** Writes a transition with its audit entry, bus message, load change and listener call. */
  async apply(
    trx: Db,
    principal: Principal,
    task: TaskRow,
    action: TaskAction,
    changes: Partial<TaskRow>,
    reason: string | undefined,
    notifyListener: boolean,
  ): Promise<TaskDto> {
    const to: TaskStatus = TRANSITIONS[action].to;
    const updated = await this.repo.update(forTables<DispatchTables>(trx), task.id, {
      ...changes,
      status: to,
      updated_at: this.deps.clock.now(),
    });
    const wasActive = ACTIVE_STATUSES.includes(task.status as TaskStatus);
    const isActive = ACTIVE_STATUSES.includes(to);
    if (task.team_id && wasActive !== isActive) this.deps.teams.adjustLoad(task.team_id, isActive ? 1 : -1);
    await this.deps.audit.append(trx, {
      actor: principal,
      action: `task.${action === 'en_route' ? 'en_route' : action}`,
      subjectType: 'task',
      subjectId: task.id,
      jurisdictionPath: task.jurisdiction_path,
      details: { from: task.status, to, ...(reason ? { reason } : {}) },
    });
    await this.outbox.enqueue(
      trx,
      'dispatch.task.status_changed',
      { ...refOf(updated), from: task.status, to, by: `${principal.kind}:${principal.id}` },
      { key: task.event_id },
    );
    if (to === 'unable' || to === 'returned') {
      await this.deps.notifier.send(trx, [{ id: `centre:${task.centre_code}` }], {
        subjectType: 'task',
        subjectId: task.id,
        jurisdictionPath: task.jurisdiction_path,
        title: to === 'returned' ? '任务退回 Task returned' : '无法完成 Task cannot be completed',
        body: `${task.category} @ ${task.department_code}: ${reason ?? ''}`,
        code: to === 'returned' ? 'task.returned' : 'task.unable',
        params: { category: task.category, department: task.department_code, reason: reason ?? null },
      });
    }
    const dto = toTaskDto(updated);
    if (notifyListener)
      await this.listener?.taskChanged(trx, dto, { action, actor: principal, ...(reason ? { reason } : {}) });
    return dto;
  }

  /**
   * Who may see a task: operators and auditors by the event's place; field officers only the tasks
   * of their department's teams in their jurisdiction. Anything else is not_found.
   */
  visible(principal: Principal, task: TaskRow | undefined, id: string): TaskRow {
    if (!task) throw notFound('task', id);
    const operator = hasRole(principal, ...ROLE_GROUPS.oversight, 'department_liaison');
    if (operator) {
      assertVisible(principal, task.jurisdiction_path, 'task', id);
      return task;
    }
    const mine =
      task.team_path !== null &&
      canSee(principal, task.team_path) &&
      (principal.departmentCode === null || principal.departmentCode === task.team_department_code);
    if (!mine) throw notFound('task', id);
    return task;
  }

  /** Only the centre following the task, or one above it, may reassign or cancel it. */
  assertFollows(principal: Principal, task: TaskRow): void {
    if (!canSee(principal, task.centre_path)) {
      throw new AppError(
        'forbidden',
        `task ${task.id} is followed by the ${task.level} centre ${task.centre_code}`,
        {
          reason: 'centre',
          level: task.level,
          centreCode: task.centre_code,
        },
      );
    }
  }
}

/** Throws invalid_transition unless the action may start from the task's status. */
export function assertTransition(task: Pick<TaskRow, 'status' | 'id'>, action: TaskAction): void {
  const allowed = TRANSITIONS[action].from as readonly string[];
  if (!allowed.includes(task.status)) {
    throw new AppError(
      'invalid_transition',
      `cannot ${action.replace('_', ' ')} task ${task.id}: it is ${task.status}`,
      {
        action,
        from: task.status,
        allowedFrom: allowed,
      },
    );
  }
}

/** Locks a task and, before it, its event (see `DispatchCore.lock`); shared with the timers. */
export async function lockTask(
  trx: Db,
  repo: DispatchRepository,
  listener: TaskListener | undefined,
  id: string,
): Promise<TaskRow | undefined> {
  const db = forTables<DispatchTables>(trx);
  if (listener) {
    const seen = await repo.find(db, id);
    if (!seen) return undefined;
    await listener.lockEvent(trx, seen.event_id);
  }
  return repo.find(db, id, true);
}
