import { randomUUID } from 'node:crypto';
import {
  assertVisible,
  canSee,
  hasRole,
  type Principal,
  ROLE_GROUPS,
  requireRole,
} from '../../platform/access.ts';
import { Outbox } from '../../platform/bus/index.ts';
import { type Db, forTables } from '../../platform/db/database.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { DEFAULT_MAX_PHOTO_BYTES, storePhoto } from '../../platform/photos.ts';
import { Assigner, refOf, type TeamChoice } from './dispatch.assign.ts';
import type { DispatchDeps, EventForDispatch, RuleForDispatch, TaskListener } from './dispatch.deps.ts';
import { DispatchRepository, type TaskRow, toTaskDto } from './dispatch.repository.ts';
import {
  ACTIVE_STATUSES,
  type EvidenceDto,
  FINAL_STATUSES,
  type TaskAction,
  type TaskDto,
  type TaskQuery,
  type TaskStatus,
  TRANSITIONS,
} from './dispatch.schema.ts';
import { dispatchSubjects } from './dispatch.subjects.ts';
import type { DispatchTables } from './dispatch.tables.ts';
import { escalateTask } from './dispatch.timers.ts';

const MINUTE = 60_000;

/** Tasks planned for an event (departments, chosen teams), written by `createTasks`. */
export interface TaskPlan {
  eventId: string;
  items: { row: TaskRow; choice: TeamChoice }[];
}

/** What a field action carries. */
export interface FieldInput {
  reason?: string;
  note?: string;
  position?: { lon: number; lat: number };
}

/**
 * Tasks: one per department of an event, assigned to the nearest available team, followed
 * through accept → en route → arrived → completed (with photo proof), returned when the
 * department is wrong, reassigned by the centre following it. Every change is audited in its
 * transaction, published through the outbox and passed to the listener (the event centre).
 */
export class DispatchService {
  private readonly deps: DispatchDeps;
  private readonly repo = new DispatchRepository();
  private readonly assigner: Assigner;
  private readonly outbox: Outbox<typeof dispatchSubjects>;
  private listener: TaskListener | undefined;

  constructor(deps: DispatchDeps) {
    this.deps = deps;
    this.assigner = new Assigner(deps);
    this.outbox = new Outbox(dispatchSubjects, deps.clock);
  }

  /** Sets who hears of task changes (the event centre, at wiring). */
  setListener(listener: TaskListener): void {
    this.listener = listener;
  }

  /**
   * Plans the event's tasks outside any transaction: the responsible department at the handling
   * level (lead) and one per co-responsible department type (at the nearest node at or above that
   * has one), each with the team the nearest-team algorithm chose. `createTasks` writes the plan.
   */
  async plan(actor: Principal, event: EventForDispatch, rule: RuleForDispatch): Promise<TaskPlan> {
    const handling = event.chain.findIndex((c) => c.level === rule.level);
    const start = handling >= 0 ? handling : event.chain.length - 1;
    const types: [string, 'lead' | 'co'][] = [
      [rule.departmentType, 'lead'],
      ...rule.coDepartmentTypes.map((t): [string, 'co'] => [t, 'co']),
    ];
    const now = this.deps.clock.now();
    const due = (minutes: number) => new Date(event.raisedAt.getTime() + minutes * MINUTE);
    const plan: TaskPlan = { eventId: event.id, items: [] };
    for (const [type, role] of types) {
      const node = await this.departmentNode(event.chain, start, type);
      if (node < 0) {
        this.deps.logger.warn(
          { eventId: event.id, type },
          'no department of this type at or above the handling node',
        );
        continue;
      }
      const centre = event.chain[node]!;
      const row: TaskRow = {
        id: randomUUID(),
        event_id: event.id,
        category: event.category,
        role,
        department_type: type,
        department_code: `${centre.code}:${type}`,
        skill: rule.skill,
        handling_level: centre.level,
        level: centre.level,
        centre_code: centre.code,
        centre_path: event.chain
          .slice(0, node + 1)
          .map((c) => c.code)
          .join('/'),
        jurisdiction_path: event.jurisdictionPath,
        lon: event.lon,
        lat: event.lat,
        status: 'pending',
        team_id: null,
        team_code: null,
        team_name: null,
        team_department_code: null,
        team_path: null,
        assign_decision_id: null,
        assign_reason: null,
        accept_due_at: due(rule.limits.acceptMinutes),
        arrive_due_at: due(rule.limits.arriveMinutes),
        resolve_due_at: due(rule.limits.resolveMinutes),
        assigned_at: null,
        accepted_at: null,
        arrived_at: null,
        completed_at: null,
        escalations: 0,
        note: null,
        position_lon: null,
        position_lat: null,
        position_at: null,
        created_at: now,
        updated_at: now,
      };
      plan.items.push({ row, choice: await this.assigner.choose(actor, row) });
    }
    return plan;
  }

  /** Writes a plan inside the caller's transaction: tasks, their time-limit timers, assignments. */
  async createTasks(trx: Db, actor: Principal, plan: TaskPlan): Promise<TaskDto[]> {
    const db = forTables<DispatchTables>(trx);
    const rows = plan.items.map((i) => i.row);
    await this.repo.insertTasks(db, rows);
    await this.repo.insertTimers(
      db,
      rows.flatMap((r) => [
        { task_id: r.id, kind: 'accept', due_at: r.accept_due_at, fired_at: null },
        { task_id: r.id, kind: 'arrive', due_at: r.arrive_due_at, fired_at: null },
        { task_id: r.id, kind: 'resolve', due_at: r.resolve_due_at, fired_at: null },
      ]),
    );
    const out: TaskDto[] = [];
    for (const { row, choice } of plan.items) {
      await this.outbox.enqueue(
        trx,
        'dispatch.task.created',
        { ...refOf(row), role: row.role as 'lead' | 'co' },
        { key: row.event_id },
      );
      const outcome = await this.assigner.apply(trx, actor, row, choice, {
        eventId: row.event_id,
        role: row.role,
        departmentCode: row.department_code,
        level: row.level,
      });
      out.push(toTaskDto(outcome.task));
    }
    return out;
  }

  /** The event's tasks (inside a transaction when given one). */
  async tasksOf(db: Db, eventId: string): Promise<TaskDto[]> {
    return (await this.repo.ofEvent(forTables<DispatchTables>(db), eventId)).map(toTaskDto);
  }

  /** Tasks of several events (Open311 and KPIs). */
  async tasksOfEvents(eventIds: string[]): Promise<TaskDto[]> {
    return (await this.repo.ofEvents(this.db(), eventIds)).map(toTaskDto);
  }

  /** Active tasks per team (the team index's load). */
  async activeCounts(): Promise<Map<string, number>> {
    return this.repo.activeCounts(this.db());
  }

  /** Tasks in the principal's jurisdiction. */
  async list(principal: Principal, query: TaskQuery): Promise<TaskDto[]> {
    return (await this.repo.list(this.db(), principal, query)).map(toTaskDto);
  }

  /** One task the principal may see (operators: by place; field officers: their department's teams). */
  async get(principal: Principal, id: string): Promise<TaskDto> {
    return toTaskDto(this.visible(principal, await this.repo.find(this.db(), id), id));
  }

  /** A field officer's open tasks: those of their department's teams in their jurisdiction. */
  async myTasks(principal: Principal): Promise<TaskDto[]> {
    requireRole(principal, 'field_officer');
    return (await this.repo.ofDepartmentTeams(this.db(), principal, principal.departmentCode, 200)).map(
      toTaskDto,
    );
  }

  /** A field action: accept, en_route, arrive, complete, unable, return. */
  async act(principal: Principal, id: string, action: TaskAction, input: FieldInput = {}): Promise<TaskDto> {
    return this.refusing(principal, id, `task.${action}`, async () => {
      requireRole(principal, 'field_officer', ...ROLE_GROUPS.operators);
      return this.change(principal, id, action, async (trx, task) => {
        const now = this.deps.clock.now();
        const changes: Partial<TaskRow> = { note: input.note ?? input.reason ?? task.note };
        if (input.position) {
          Object.assign(changes, {
            position_lon: input.position.lon,
            position_lat: input.position.lat,
            position_at: now,
          });
        }
        if (action === 'accept') changes.accepted_at = now;
        if (action === 'arrive') changes.arrived_at = now;
        if (action === 'complete') {
          const photos = await this.repo.evidence(forTables<DispatchTables>(trx), task.id);
          if (photos.length === 0) {
            throw new AppError('invalid_data', 'a task is completed with at least one photo as proof', {
              reason: 'evidence_required',
            });
          }
          Object.assign(changes, { completed_at: now, arrived_at: task.arrived_at ?? now });
        }
        if ((action === 'unable' || action === 'return') && !input.reason) {
          throw new AppError('invalid_data', `${action} needs a reason`, { field: 'reason' });
        }
        return changes;
      }).then(async (task) => {
        if (input.position && task.team) {
          await this.deps.teams
            .report(principal, task.team.id, input.position)
            .catch((err) =>
              this.deps.logger.warn({ err, teamId: task.team?.id }, 'team position not recorded'),
            );
        }
        return task;
      });
    });
  }

  /** Stores a photo for a task being worked on; JPEG/PNG/WebP by content, size-limited, by SHA-256. */
  async addEvidence(principal: Principal, id: string, bytes: Uint8Array): Promise<EvidenceDto> {
    return this.refusing(principal, id, 'task.evidence_added', async () => {
      requireRole(principal, 'field_officer', ...ROLE_GROUPS.operators);
      const task = this.visible(principal, await this.repo.find(this.db(), id), id);
      if (!['accepted', 'en_route', 'arrived'].includes(task.status)) {
        throw new AppError(
          'invalid_transition',
          `photos are added to a task being worked on, not one that is ${task.status}`,
          {
            status: task.status,
          },
        );
      }
      const photo = await storePhoto(
        this.deps.storageDir,
        bytes,
        this.deps.maxEvidenceBytes ?? DEFAULT_MAX_PHOTO_BYTES,
      );
      const at = this.deps.clock.now();
      const actor = `${principal.kind}:${principal.id}`;
      await this.deps.db.transaction().execute(async (trx) => {
        await this.repo.insertEvidence(forTables<DispatchTables>(trx), {
          id: photo.id,
          task_id: id,
          sha256: photo.sha256,
          mime: photo.mime,
          bytes: photo.bytes,
          stored_path: photo.storedPath,
          uploaded_by: actor,
          at,
        });
        await this.deps.audit.append(trx, {
          actor: principal,
          action: 'task.evidence_added',
          subjectType: 'task',
          subjectId: id,
          jurisdictionPath: task.jurisdiction_path,
          details: { evidenceId: photo.id, sha256: photo.sha256, mime: photo.mime, bytes: photo.bytes },
        });
      });
      return {
        id: photo.id,
        taskId: id,
        sha256: photo.sha256,
        mime: photo.mime,
        bytes: photo.bytes,
        uploadedBy: actor,
        at: at.toISOString(),
      };
    });
  }

  /** A task's photos. */
  async evidence(principal: Principal, id: string): Promise<EvidenceDto[]> {
    this.visible(principal, await this.repo.find(this.db(), id), id);
    const rows = await this.repo.evidence(this.db(), id);
    return rows.map(evidenceDto);
  }

  /** One photo of a task, with where its bytes are (same visibility as the task; else not_found). */
  async evidenceFile(
    principal: Principal,
    taskId: string,
    evidenceId: string,
  ): Promise<EvidenceDto & { storedPath: string }> {
    this.visible(principal, await this.repo.find(this.db(), taskId), taskId);
    const row = (await this.repo.evidence(this.db(), taskId)).find((r) => r.id === evidenceId);
    if (!row) throw notFound('photo', evidenceId);
    return { ...evidenceDto(row), storedPath: row.stored_path };
  }

  /**
   * The photos of an event's completed tasks (the closing proof), with where their bytes are.
   * Not scoped: the event centre decides who may see them (a reporter of a closed request).
   */
  async completionEvidence(eventId: string): Promise<(EvidenceDto & { storedPath: string })[]> {
    const tasks = (await this.repo.ofEvent(this.db(), eventId)).filter((t) => t.status === 'completed');
    const rows = (await Promise.all(tasks.map((t) => this.repo.evidence(this.db(), t.id)))).flat();
    return rows.map((r) => ({ ...evidenceDto(r), storedPath: r.stored_path }));
  }

  /**
   * The centre following the task (re)assigns it: to a named team, or to the nearest available
   * one other than the current. A dispatcher's choice is recorded as an override of the algorithm.
   */
  async assign(
    principal: Principal,
    id: string,
    input: { teamId?: string; reason: string },
  ): Promise<TaskDto> {
    const result = await this.refusing(principal, id, 'task.assign', async () => {
      requireRole(principal, ...ROLE_GROUPS.operators);
      const current = this.visible(principal, await this.repo.find(this.db(), id), id);
      assertTransition(current, 'assign');
      this.assertFollows(principal, current);
      // Decide outside the transaction (the team's owner is read through its own service).
      let choice: TeamChoice;
      if (!input.teamId) {
        choice = await this.assigner.choose(
          principal,
          current,
          new Set(current.team_id ? [current.team_id] : []),
        );
        if (!choice.team)
          throw new AppError('conflict', `no other team is available: ${choice.reason}`, {
            reason: 'no_team',
          });
      } else {
        // A team outside the caller's jurisdiction answers as an unknown one: not_found, as a read would.
        const team = await this.deps.teams.fresh(input.teamId).catch(() => undefined);
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
        choice = { team, decisionId: null, reason: `assigned by ${principal.name}: ${input.reason}` };
      }
      const task = await this.change(principal, id, 'assign', async (trx, locked) => {
        this.assertFollows(principal, locked);
        const outcome = await this.assigner.apply(trx, principal, locked, choice);
        if (!outcome.assigned) throw new AppError('conflict', outcome.reason, { reason: 'no_team' });
        return 'done';
      });
      return { task, overridden: input.teamId ? current.assign_decision_id : null };
    });
    if (result.overridden && input.teamId) {
      await this.deps.algorithms
        .recordOverride(result.overridden, principal, input.reason, { teamId: input.teamId })
        .catch((err) => this.deps.logger.warn({ err, taskId: id }, 'override not recorded'));
    }
    return result.task;
  }

  /** The centre cancels a task (e.g. a co-department turns out not to be needed). */
  async cancel(principal: Principal, id: string, reason: string): Promise<TaskDto> {
    return this.refusing(principal, id, 'task.cancel', async () => {
      requireRole(principal, ...ROLE_GROUPS.operators);
      return this.change(principal, id, 'cancel', async (_trx, task) => {
        this.assertFollows(principal, task);
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
  async escalate(principal: Principal, id: string, reason: string): Promise<TaskDto> {
    return this.refusing(principal, id, 'task.escalate', async () => {
      requireRole(principal, ...ROLE_GROUPS.operators);
      return this.deps.db.transaction().execute(async (trx) => {
        const db = forTables<DispatchTables>(trx);
        const task = this.visible(principal, await this.repo.find(db, id, true), id);
        if (FINAL_STATUSES.includes(task.status as TaskStatus)) {
          throw new AppError('invalid_transition', `cannot escalate task ${task.id}: it is ${task.status}`, {
            action: 'escalate',
            from: task.status,
          });
        }
        this.assertFollows(principal, task);
        const updated = await escalateTask(
          { deps: this.deps, repo: this.repo, outbox: this.outbox, listener: this.listener },
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
  async redo(trx: Db, principal: Principal, eventId: string, reason: string): Promise<void> {
    for (const task of await this.repo.ofEvent(forTables<DispatchTables>(trx), eventId)) {
      if (task.status === 'completed')
        await this.apply(trx, principal, task, 'redo', { completed_at: null, note: reason }, reason, false);
    }
  }

  /** Cancels an event's unfinished tasks (event closed or merged); inside the caller's transaction. */
  async cancelOpen(trx: Db, principal: Principal, eventId: string, reason: string): Promise<void> {
    for (const task of await this.repo.ofEvent(forTables<DispatchTables>(trx), eventId)) {
      if ((TRANSITIONS.cancel.from as readonly string[]).includes(task.status)) {
        await this.apply(trx, principal, task, 'cancel', { note: reason }, reason, false);
      }
    }
  }

  /** Runs a transition on a locked task in its own transaction. */
  private async change(
    principal: Principal,
    id: string,
    action: TaskAction,
    build: (trx: Db, task: TaskRow) => Promise<Partial<TaskRow> | 'done'>,
  ): Promise<TaskDto> {
    return this.deps.db.transaction().execute(async (trx) => {
      const db = forTables<DispatchTables>(trx);
      const task = this.visible(principal, await this.repo.find(db, id, true), id);
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

  /** Writes a transition with its audit entry, bus message, load change and listener call. */
  private async apply(
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
      });
    }
    const dto = toTaskDto(updated);
    if (notifyListener)
      await this.listener?.taskChanged(trx, dto, { action, actor: principal, ...(reason ? { reason } : {}) });
    return dto;
  }

  /** Index of the node (from `start` upward) that has a department of the type. */
  private async departmentNode(
    chain: EventForDispatch['chain'],
    start: number,
    type: string,
  ): Promise<number> {
    for (let i = start; i >= 0; i--) {
      if (await this.deps.departmentExists(`${chain[i]!.code}:${type}`)) return i;
    }
    return -1;
  }

  /**
   * Who may see a task: operators and auditors by the event's place; field officers only the tasks
   * of their department's teams in their jurisdiction. Anything else is not_found.
   */
  private visible(principal: Principal, task: TaskRow | undefined, id: string): TaskRow {
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
  private assertFollows(principal: Principal, task: TaskRow): void {
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

  /** Audits a refusal (in a transaction of its own) and rethrows it. */
  private async refusing<T>(
    principal: Principal,
    id: string,
    action: string,
    run: () => Promise<T>,
  ): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof AppError && err.status < 500) {
        await this.deps.audit
          .record(this.deps.db, {
            actor: principal,
            action: 'task.refused',
            subjectType: 'task',
            subjectId: id,
            jurisdictionPath: principal.jurisdictionPath,
            details: { attempted: action, code: err.code, message: err.message },
          })
          .catch((e) => this.deps.logger.error({ err: e }, 'refusal not audited'));
      }
      throw err;
    }
  }

  private db() {
    return forTables<DispatchTables>(this.deps.db);
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

function evidenceDto(r: {
  id: string;
  task_id: string;
  sha256: string;
  mime: string;
  bytes: number;
  uploaded_by: string;
  at: Date;
}): EvidenceDto {
  return {
    id: r.id,
    taskId: r.task_id,
    sha256: r.sha256,
    mime: r.mime,
    bytes: r.bytes,
    uploadedBy: r.uploaded_by,
    at: r.at.toISOString(),
  };
}
