import type { Principal } from '../../platform/access.ts';
import { type Db, forTables } from '../../platform/db/database.ts';
import { DispatchCore } from './dispatch.core.ts';
import type { DispatchDeps, EventForDispatch, RuleForDispatch } from './dispatch.deps.ts';
import type { FieldInput } from './dispatch.field.ts';
import * as field from './dispatch.field.ts';
import * as fieldTasks from './dispatch.field-tasks.ts';
import { createTasks, plan, type TaskPlan } from './dispatch.plans.ts';
import { toTaskDto } from './dispatch.repository.ts';
import type { EvidenceDto, FieldTaskDto, TaskAction, TaskDto, TaskQuery } from './dispatch.schema.ts';
import type { DispatchTables } from './dispatch.tables.ts';
import * as tasks from './dispatch.tasks.ts';

export type { FieldInput } from './dispatch.field.ts';
export type { TaskPlan, TaskRouting } from './dispatch.plans.ts';

/**
 * Tasks: one per department of an event, assigned to the nearest available team, followed
 * through accept → en route → arrived → completed (with photo proof), returned when the
 * department is wrong, reassigned by the centre following it. Every change is audited in its
 * transaction, published through the outbox and passed to the listener (the event centre,
 * `deps.listener`, given at construction).
 *
 * A facade over the use cases: planning and writing tasks (dispatch.plans.ts), the field's work
 * (dispatch.field.ts) and the centre's decisions (dispatch.tasks.ts); what they share is in
 * dispatch.core.ts.
 */
export class DispatchService {
  private readonly core: DispatchCore;

  constructor(deps: DispatchDeps) {
    this.core = new DispatchCore(deps);
  }

  /**
   * Plans the event's tasks outside any transaction: the responsible department at the handling
   * level (lead) and one per co-responsible department type (at the nearest node at or above that
   * has one), each with the team the nearest-team algorithm chose. `createTasks` writes the plan.
   */
  plan(actor: Principal, event: EventForDispatch, rule: RuleForDispatch): Promise<TaskPlan> {
    return plan(this.core, actor, event, rule);
  }

  /** Writes a plan inside the caller's transaction: tasks, their time-limit timers, assignments. */
  createTasks(trx: Db, actor: Principal, taskPlan: TaskPlan): Promise<TaskDto[]> {
    return createTasks(this.core, trx, actor, taskPlan);
  }

  /** The event's tasks (inside a transaction when given one). */
  async tasksOf(db: Db, eventId: string): Promise<TaskDto[]> {
    return (await this.core.repo.ofEvent(forTables<DispatchTables>(db), eventId)).map(toTaskDto);
  }

  /** Tasks of several events (Open311 and KPIs). */
  async tasksOfEvents(eventIds: string[]): Promise<TaskDto[]> {
    return (await this.core.repo.ofEvents(this.core.db(), eventIds)).map(toTaskDto);
  }

  /** Tasks by id, whatever event they belong to (a plan's steps may name tasks of a merged report's master). */
  async tasksByIds(ids: string[]): Promise<TaskDto[]> {
    return (await this.core.repo.byIds(this.core.db(), ids)).map(toTaskDto);
  }

  /** Active tasks per team (the team index's load). */
  async activeCounts(): Promise<Map<string, number>> {
    return this.core.repo.activeCounts(this.core.db());
  }

  /** Tasks in the principal's jurisdiction. */
  async list(principal: Principal, query: TaskQuery): Promise<TaskDto[]> {
    return (await this.core.repo.list(this.core.db(), principal, query)).map(toTaskDto);
  }

  /** One task the principal may see (operators: by place; field officers: their department's teams). */
  async get(principal: Principal, id: string): Promise<TaskDto> {
    return toTaskDto(this.core.visible(principal, await this.core.repo.find(this.core.db(), id), id));
  }

  /** A field officer's open tasks (their department's teams in their jurisdiction), with what the card shows. */
  myTasks(principal: Principal): Promise<FieldTaskDto[]> {
    return fieldTasks.myTasks(this.core, principal);
  }

  /** A field officer's department's tasks completed today (city time), newest first. */
  doneToday(principal: Principal): Promise<FieldTaskDto[]> {
    return fieldTasks.doneToday(this.core, principal);
  }

  /** Whether a task of the event is the principal's to work on (their department's team, in their scope). */
  worksOnEvent(principal: Principal, eventId: string): Promise<boolean> {
    return fieldTasks.worksOnEvent(this.core, principal, eventId);
  }

  /** A field action: accept, en_route, arrive, complete, unable, return. */
  act(principal: Principal, id: string, action: TaskAction, input: FieldInput = {}): Promise<TaskDto> {
    return field.act(this.core, principal, id, action, input);
  }

  /** Stores a photo for a task being worked on; JPEG/PNG/WebP by content, size-limited, by SHA-256. */
  addEvidence(principal: Principal, id: string, bytes: Uint8Array): Promise<EvidenceDto> {
    return field.addEvidence(this.core, principal, id, bytes);
  }

  /** A task's photos. */
  evidence(principal: Principal, id: string): Promise<EvidenceDto[]> {
    return field.evidence(this.core, principal, id);
  }

  /** One photo of a task, with where its bytes are (same visibility as the task; else not_found). */
  evidenceFile(
    principal: Principal,
    taskId: string,
    evidenceId: string,
  ): Promise<EvidenceDto & { storedPath: string }> {
    return field.evidenceFile(this.core, principal, taskId, evidenceId);
  }

  /**
   * The photos of an event's completed tasks (the closing proof), with where their bytes are.
   * Not scoped: the event centre decides who may see them (a reporter of a closed request).
   */
  completionEvidence(eventId: string): Promise<(EvidenceDto & { storedPath: string })[]> {
    return field.completionEvidence(this.core, eventId);
  }

  /**
   * The centre following the task (re)assigns it: to a named team, or to the nearest available
   * one other than the current. A dispatcher's choice is recorded as an override of the algorithm.
   */
  assign(principal: Principal, id: string, input: { teamId?: string; reason: string }): Promise<TaskDto> {
    return tasks.assign(this.core, principal, id, input);
  }

  /** The centre cancels a task (e.g. a co-department turns out not to be needed). */
  cancel(principal: Principal, id: string, reason: string): Promise<TaskDto> {
    return tasks.cancel(this.core, principal, id, reason);
  }

  /**
   * The centre following the task (or one above it) raises it one level by hand — street →
   * district → city — with a reason: the same write as a missed time limit's escalation
   * (`escalateTask`: audit `task.escalated`, bus `dispatch.task.escalated` with kind `manual`,
   * both centres notified). A finished task is 409 `invalid_transition`; one at the city level
   * already is 409 `already_top_level`.
   */
  escalate(principal: Principal, id: string, reason: string): Promise<TaskDto> {
    return tasks.escalate(this.core, principal, id, reason);
  }

  /** Sends completed tasks of an event back to their teams (verification failed); inside the caller's transaction. */
  redo(trx: Db, principal: Principal, eventId: string, reason: string): Promise<void> {
    return tasks.redo(this.core, trx, principal, eventId, reason);
  }

  /** Cancels an event's unfinished tasks (event closed or merged); inside the caller's transaction. */
  cancelOpen(trx: Db, principal: Principal, eventId: string, reason: string): Promise<void> {
    return tasks.cancelOpen(this.core, trx, principal, eventId, reason);
  }
}
