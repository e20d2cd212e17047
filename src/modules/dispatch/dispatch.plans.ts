import { randomUUID } from 'node:crypto';
import type { Principal } from '../../platform/access.ts';
import { type Db, forTables } from '../../platform/db/database.ts';
import { refOf, type TeamChoice } from './dispatch.assign.ts';
import type { DispatchCore } from './dispatch.core.ts';
import type { EventForDispatch, RuleForDispatch } from './dispatch.deps.ts';
import { type TaskRow, toTaskDto } from './dispatch.repository.ts';
import type { TaskDto } from './dispatch.schema.ts';
import type { DispatchTables } from './dispatch.tables.ts';

// Planning an event's tasks (outside any transaction) and writing the plan (inside the caller's).

const MINUTE = 60_000;

/** Tasks planned for an event (departments, chosen teams), written by `createTasks`. */
export interface TaskPlan {
  eventId: string;
  items: { row: TaskRow; choice: TeamChoice }[];
}

/**
 * Plans and writes tasks: what intake, the centre's review, reopening and response plans share.
 * The event-centre workflow supplies it as named steps over DispatchService (`taskRouting` in
 * src/workflows/task-steps.ts); `transaction` runs a write so that tasks created in it through
 * `createTasks` are compensated when it fails.
 */
export interface TaskRouting {
  plan(actor: Principal, event: EventForDispatch, rule: RuleForDispatch): Promise<TaskPlan>;
  createTasks(trx: Db, actor: Principal, plan: TaskPlan): Promise<TaskDto[]>;
  transaction<T>(work: (trx: Db) => Promise<T>): Promise<T>;
}

/**
 * Plans the event's tasks outside any transaction: the responsible department at the handling
 * level (lead) and one per co-responsible department type (at the nearest node at or above that
 * has one), each with the team the nearest-team algorithm chose. `createTasks` writes the plan.
 */
export async function plan(
  core: DispatchCore,
  actor: Principal,
  event: EventForDispatch,
  rule: RuleForDispatch,
): Promise<TaskPlan> {
  const handling = event.chain.findIndex((c) => c.level === rule.level);
  const start = handling >= 0 ? handling : event.chain.length - 1;
  const types: [string, 'lead' | 'co'][] = [
    [rule.departmentType, 'lead'],
    ...rule.coDepartmentTypes.map((t): [string, 'co'] => [t, 'co']),
  ];
  const now = core.deps.clock.now();
  const plan: TaskPlan = { eventId: event.id, items: [] };
  for (const [type, role] of types) {
    const node = await departmentNode(core, event.chain, start, type);
    if (node < 0) {
      core.deps.logger.warn(
        { eventId: event.id, type },
        'no department of this type at or above the handling node',
      );
      continue;
    }
    const row = taskRow(event, rule, { node, type, role }, now);
    plan.items.push({ row, choice: await core.assigner.choose(actor, row) });
  }
  return plan;
}

/** Writes a plan inside the caller's transaction: tasks, their time-limit timers, assignments. */
export async function createTasks(
  core: DispatchCore,
  trx: Db,
  actor: Principal,
  plan: TaskPlan,
): Promise<TaskDto[]> {
  const db = forTables<DispatchTables>(trx);
  const rows = plan.items.map((i) => i.row);
  await core.repo.insertTasks(db, rows);
  await core.repo.insertTimers(
    db,
    rows.flatMap((r) => [
      { task_id: r.id, kind: 'accept', due_at: r.accept_due_at, fired_at: null },
      { task_id: r.id, kind: 'arrive', due_at: r.arrive_due_at, fired_at: null },
      { task_id: r.id, kind: 'resolve', due_at: r.resolve_due_at, fired_at: null },
    ]),
  );
  const out: TaskDto[] = [];
  for (const { row, choice } of plan.items) {
    await core.outbox.enqueue(
      trx,
      'dispatch.task.created',
      { ...refOf(row), role: row.role as 'lead' | 'co' },
      { key: row.event_id },
    );
    const outcome = await core.assigner.apply(trx, actor, row, choice, {
      eventId: row.event_id,
      role: row.role,
      departmentCode: row.department_code,
      level: row.level,
    });
    out.push(toTaskDto(outcome.task));
  }
  return out;
}

/** Index of the node (from `start` upward) that has a department of the type. */
async function departmentNode(
  core: DispatchCore,
  chain: EventForDispatch['chain'],
  start: number,
  type: string,
): Promise<number> {
  for (let i = start; i >= 0; i--) {
    if (await core.deps.departmentExists(`${chain[i]!.code}:${type}`)) return i;
  }
  return -1;
}

/** A new task row for the department of `type` at chain node `node`; its limits count from the event's time. */
function taskRow(
  event: EventForDispatch,
  rule: RuleForDispatch,
  at: { node: number; type: string; role: 'lead' | 'co' },
  now: Date,
): TaskRow {
  const { node, type, role } = at;
  const centre = event.chain[node]!;
  const due = (minutes: number) => new Date(event.raisedAt.getTime() + minutes * MINUTE);
  return {
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
    assign_reason_code: null,
    assign_reason_params: null,
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
}
