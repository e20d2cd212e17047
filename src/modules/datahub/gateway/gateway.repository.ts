import { type Insertable, type Kysely, type Selectable, sql } from 'kysely';
import type { ApplicationDto } from './gateway.schema.ts';
import type { GatewayTables } from './gateway.tables.ts';

type Db = Kysely<GatewayTables>;
type ApplicationRow = Selectable<GatewayTables['dh_application']>;

/** All SQL of the gateway's consumers and applications. */
export class GatewayRepository {
  async insertConsumer(db: Db, row: Insertable<GatewayTables['dh_consumer']>): Promise<void> {
    await db.insertInto('dh_consumer').values(row).execute();
  }

  async consumer(db: Db, id: string) {
    return db.selectFrom('dh_consumer').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The oldest consumer of this name and department (names may repeat; the first registered wins). */
  async consumerByName(db: Db, name: string, departmentCode: string) {
    return db
      .selectFrom('dh_consumer')
      .selectAll()
      .where('name', '=', name)
      .where('department_code', '=', departmentCode)
      .orderBy('created_at')
      .orderBy('id')
      .executeTakeFirst();
  }

  async insertApplication(db: Db, a: ApplicationDto): Promise<void> {
    await db
      .insertInto('dh_application')
      .values({
        id: a.id,
        consumer_id: a.consumerId,
        consumer_dept: a.consumerDepartment,
        owner_dept: a.ownerDepartment,
        resource_id: a.resourceId,
        purpose: a.purpose,
        entries: a.entries,
        status: a.status,
        requested_at: new Date(a.requestedAt),
        due_at: new Date(a.dueAt),
        decided_by: null,
        decided_at: null,
        valid_until: null,
      })
      .execute();
  }

  async lockApplication(db: Db, id: string): Promise<ApplicationDto | undefined> {
    const row = await db
      .selectFrom('dh_application')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    return row && toDto(row);
  }

  async application(db: Db, id: string): Promise<ApplicationDto | undefined> {
    const row = await db.selectFrom('dh_application').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toDto(row);
  }

  async decide(db: Db, id: string, d: { status: string; by: string; at: Date; validUntil: Date | null }) {
    await db
      .updateTable('dh_application')
      .set({ status: d.status, decided_by: d.by, decided_at: d.at, valid_until: d.validUntil })
      .where('id', '=', id)
      .execute();
  }

  /** Undecided applications: pending, or escalated past their due time. */
  async pending(db: Db, ownerDept?: string): Promise<ApplicationDto[]> {
    let q = db.selectFrom('dh_application').selectAll().where('status', 'in', OPEN);
    if (ownerDept) q = q.where('owner_dept', '=', ownerDept);
    return (await q.orderBy('requested_at').limit(500).execute()).map(toDto);
  }

  /**
   * Pending applications at 75 % of their time limit and not yet reminded, still before their due
   * time; locked `FOR UPDATE SKIP LOCKED` (several processes may sweep).
   */
  async dueForReminder(db: Db, now: Date, limit: number): Promise<ApplicationDto[]> {
    const rows = await db
      .selectFrom('dh_application')
      .selectAll()
      .where('status', '=', 'pending')
      .where('reminded_at', 'is', null)
      .where('due_at', '>', now)
      .where(sql<boolean>`requested_at + (due_at - requested_at) * 0.75 <= ${now}`)
      .orderBy('due_at')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    return rows.map(toDto);
  }

  /** Pending applications past their due time, locked `FOR UPDATE SKIP LOCKED`. */
  async dueForEscalation(db: Db, now: Date, limit: number): Promise<ApplicationDto[]> {
    const rows = await db
      .selectFrom('dh_application')
      .selectAll()
      .where('status', '=', 'pending')
      .where('due_at', '<=', now)
      .orderBy('due_at')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    return rows.map(toDto);
  }

  async markReminded(db: Db, id: string, at: Date): Promise<void> {
    await db.updateTable('dh_application').set({ reminded_at: at }).where('id', '=', id).execute();
  }

  async markEscalated(db: Db, id: string, at: Date): Promise<void> {
    await db
      .updateTable('dh_application')
      .set({ status: 'escalated', escalated_at: at })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .execute();
  }
}

/** Statuses of an application still waiting for the owner department's decision. */
export const OPEN = ['pending', 'escalated'];

function iso(d: Date | null): string | null {
  return d ? d.toISOString() : null;
}

function toDto(r: ApplicationRow): ApplicationDto {
  return {
    id: r.id,
    consumerId: r.consumer_id,
    consumerDepartment: r.consumer_dept,
    ownerDepartment: r.owner_dept,
    resourceId: r.resource_id,
    purpose: r.purpose,
    entries: r.entries,
    status: r.status as ApplicationDto['status'],
    requestedAt: r.requested_at.toISOString(),
    dueAt: r.due_at.toISOString(),
    decidedBy: r.decided_by,
    decidedAt: iso(r.decided_at),
    validUntil: iso(r.valid_until),
    remindedAt: iso(r.reminded_at),
    escalatedAt: iso(r.escalated_at),
  };
}
