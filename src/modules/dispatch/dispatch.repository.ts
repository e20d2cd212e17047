import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import { inScope, type Principal } from '../../platform/access.ts';
import { ACTIVE_STATUSES, type TaskDto, type TaskQuery } from './dispatch.schema.ts';
import type { DispatchTables } from './dispatch.tables.ts';

/** A stored task row. */
export type TaskRow = Selectable<DispatchTables['dp_task']>;
type Db = Kysely<DispatchTables>;

/** All SQL of the dispatch module. */
export class DispatchRepository {
  async insertTasks(db: Db, rows: Insertable<DispatchTables['dp_task']>[]): Promise<void> {
    if (rows.length) await db.insertInto('dp_task').values(rows).execute();
  }

  async find(db: Db, id: string, lock = false): Promise<TaskRow | undefined> {
    let q = db.selectFrom('dp_task').selectAll().where('id', '=', id);
    if (lock) q = q.forUpdate();
    return q.executeTakeFirst();
  }

  async update(db: Db, id: string, changes: Updateable<DispatchTables['dp_task']>): Promise<TaskRow> {
    return db
      .updateTable('dp_task')
      .set(changes)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async ofEvent(db: Db, eventId: string): Promise<TaskRow[]> {
    return db
      .selectFrom('dp_task')
      .selectAll()
      .where('event_id', '=', eventId)
      .orderBy('created_at')
      .orderBy('role')
      .execute();
  }

  async ofEvents(db: Db, eventIds: string[]): Promise<TaskRow[]> {
    if (eventIds.length === 0) return [];
    return db.selectFrom('dp_task').selectAll().where('event_id', 'in', eventIds).execute();
  }

  async byIds(db: Db, ids: string[]): Promise<TaskRow[]> {
    if (ids.length === 0) return [];
    return db.selectFrom('dp_task').selectAll().where('id', 'in', ids).execute();
  }

  /** Tasks in the principal's jurisdiction. */
  async list(db: Db, principal: Principal, q: TaskQuery): Promise<TaskRow[]> {
    let query = db.selectFrom('dp_task').selectAll().where(inScope(principal, 'jurisdiction_path'));
    if (q.status) query = query.where('status', '=', q.status);
    if (q.eventId) query = query.where('event_id', '=', q.eventId);
    if (q.level) query = query.where('level', '=', q.level);
    return query.orderBy('created_at', 'desc').limit(q.limit).execute();
  }

  /** Tasks of teams of one department within the principal's jurisdiction (a field officer's list). */
  async ofDepartmentTeams(
    db: Db,
    principal: Principal,
    departmentCode: string | null,
    limit: number,
  ): Promise<TaskRow[]> {
    let query = db
      .selectFrom('dp_task')
      .selectAll()
      .where('team_id', 'is not', null)
      .where(inScope(principal, 'team_path'));
    if (departmentCode) query = query.where('team_department_code', '=', departmentCode);
    return query
      .where('status', 'in', [...ACTIVE_STATUSES, 'unable'])
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
  }

  /** Tasks of one department's teams in the principal's jurisdiction completed since `since`, newest first. */
  async doneByDepartmentTeams(
    db: Db,
    principal: Principal,
    departmentCode: string | null,
    since: Date,
    limit: number,
  ): Promise<TaskRow[]> {
    let query = db
      .selectFrom('dp_task')
      .selectAll()
      .where('team_id', 'is not', null)
      .where(inScope(principal, 'team_path'))
      .where('status', '=', 'completed')
      .where('completed_at', '>=', since);
    if (departmentCode) query = query.where('team_department_code', '=', departmentCode);
    return query.orderBy('completed_at', 'desc').limit(limit).execute();
  }

  /** Active tasks per team. */
  async activeCounts(db: Db): Promise<Map<string, number>> {
    const rows = await db
      .selectFrom('dp_task')
      .select(['team_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('status', 'in', ACTIVE_STATUSES)
      .where('team_id', 'is not', null)
      .groupBy('team_id')
      .execute();
    return new Map(rows.map((r) => [r.team_id as string, Number(r.n)]));
  }

  async activeCount(db: Db, teamId: string): Promise<number> {
    const row = await db
      .selectFrom('dp_task')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('team_id', '=', teamId)
      .where('status', 'in', ACTIVE_STATUSES)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async insertTimers(db: Db, rows: Insertable<DispatchTables['dp_timer']>[]): Promise<void> {
    if (rows.length) await db.insertInto('dp_timer').values(rows).execute();
  }

  /** Due timers, locked; other schedulers skip them (`FOR UPDATE SKIP LOCKED`). */
  /** Ids of unfired timers due by `now`, earliest first (not locked: `claimTimer` takes each). */
  async dueTimers(db: Db, now: Date, limit: number): Promise<number[]> {
    const rows = await db
      .selectFrom('dp_timer')
      .select('id')
      .where('fired_at', 'is', null)
      .where('due_at', '<=', now)
      .orderBy('due_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => Number(r.id));
  }

  /** Locks one unfired timer, skipping it when another transaction holds it. */
  async claimTimer(db: Db, id: number) {
    return db
      .selectFrom('dp_timer')
      .selectAll()
      .where('id', '=', id)
      .where('fired_at', 'is', null)
      .forUpdate()
      .skipLocked()
      .executeTakeFirst();
  }

  async fireTimer(db: Db, id: number, at: Date): Promise<void> {
    await db.updateTable('dp_timer').set({ fired_at: at }).where('id', '=', id).execute();
  }

  async insertEvidence(db: Db, row: Insertable<DispatchTables['dp_evidence']>): Promise<void> {
    await db.insertInto('dp_evidence').values(row).execute();
  }

  /** Photos of several tasks, oldest first. */
  async evidenceOf(db: Db, taskIds: string[]) {
    if (taskIds.length === 0) return [];
    return db.selectFrom('dp_evidence').selectAll().where('task_id', 'in', taskIds).orderBy('at').execute();
  }

  async evidence(db: Db, taskId: string) {
    return db.selectFrom('dp_evidence').selectAll().where('task_id', '=', taskId).orderBy('at').execute();
  }
}

/** A row as the API returns it. */
export function toTaskDto(r: TaskRow): TaskDto {
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  return {
    id: r.id,
    eventId: r.event_id,
    category: r.category,
    role: r.role as TaskDto['role'],
    departmentType: r.department_type,
    departmentCode: r.department_code,
    skill: r.skill,
    handlingLevel: r.handling_level as TaskDto['handlingLevel'],
    level: r.level as TaskDto['level'],
    centreCode: r.centre_code,
    jurisdictionPath: r.jurisdiction_path,
    location: { lon: r.lon, lat: r.lat },
    status: r.status as TaskDto['status'],
    team:
      r.team_id && r.team_code && r.team_name && r.team_department_code
        ? { id: r.team_id, code: r.team_code, name: r.team_name, departmentCode: r.team_department_code }
        : null,
    assignDecisionId: r.assign_decision_id,
    assignReason: r.assign_reason,
    assignReasonCode: r.assign_reason_code as TaskDto['assignReasonCode'],
    assignReasonParams: r.assign_reason_params,
    acceptDueAt: r.accept_due_at.toISOString(),
    arriveDueAt: r.arrive_due_at.toISOString(),
    resolveDueAt: r.resolve_due_at.toISOString(),
    assignedAt: iso(r.assigned_at),
    acceptedAt: iso(r.accepted_at),
    arrivedAt: iso(r.arrived_at),
    completedAt: iso(r.completed_at),
    escalations: r.escalations,
    note: r.note,
    position:
      r.position_lon !== null && r.position_lat !== null && r.position_at
        ? { lon: r.position_lon, lat: r.position_lat, at: r.position_at.toISOString() }
        : null,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}
