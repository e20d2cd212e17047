import { type Insertable, type Kysely, type Selectable, sql } from 'kysely';
import type { MaterialDto, StepDto } from './services.schema.ts';
import type { ServicesTables } from './services.tables.ts';

type Db = Kysely<ServicesTables>;
export type ApplicationRow = Selectable<ServicesTables['sv_application']>;
export type StepRow = Selectable<ServicesTables['sv_step']>;
export type TimerRow = Selectable<ServicesTables['sv_timer']>;
export type CertificateRow = Selectable<ServicesTables['sv_certificate']>;
export type ProposalRow = Selectable<ServicesTables['sv_proposal']>;

/** All SQL of the services module. */
export class ServicesRepository {
  async bundleVersions(db: Db) {
    return db.selectFrom('sv_bundle_version').selectAll().orderBy('bundle_id').orderBy('version').execute();
  }

  async insertBundleVersion(db: Db, row: Insertable<ServicesTables['sv_bundle_version']>): Promise<void> {
    await db
      .insertInto('sv_bundle_version')
      .values(row)
      .onConflict((oc) => oc.columns(['bundle_id', 'version']).doNothing())
      .execute();
  }

  async insertApplication(db: Db, row: Insertable<ServicesTables['sv_application']>): Promise<void> {
    await db.insertInto('sv_application').values(row).execute();
  }

  async application(db: Db, id: string, lock = false): Promise<ApplicationRow | undefined> {
    const q = db.selectFrom('sv_application').selectAll().where('id', '=', id);
    return (lock ? q.forUpdate() : q).executeTakeFirst();
  }

  async applicationsOf(db: Db, applicantId: string, limit: number): Promise<ApplicationRow[]> {
    return db
      .selectFrom('sv_application')
      .selectAll()
      .where('applicant_id', '=', applicantId)
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
  }

  async updateApplication(
    db: Db,
    id: string,
    patch: {
      status?: string;
      materials?: MaterialDto[];
      reason?: string | null;
      submitted_at?: Date;
      completed_at?: Date;
      updated_at: Date;
    },
  ): Promise<void> {
    const { materials, ...rest } = patch;
    await db
      .updateTable('sv_application')
      .set({ ...rest, ...(materials ? { materials: JSON.stringify(materials) } : {}) })
      .where('id', '=', id)
      .execute();
  }

  async insertSteps(db: Db, rows: Insertable<ServicesTables['sv_step']>[]): Promise<void> {
    if (rows.length) await db.insertInto('sv_step').values(rows).execute();
  }

  async steps(db: Db, applicationIds: string[]): Promise<StepRow[]> {
    if (!applicationIds.length) return [];
    return db.selectFrom('sv_step').selectAll().where('application_id', 'in', applicationIds).execute();
  }

  async step(db: Db, applicationId: string, item: string): Promise<StepRow | undefined> {
    return db
      .selectFrom('sv_step')
      .selectAll()
      .where('application_id', '=', applicationId)
      .where('item', '=', item)
      .executeTakeFirst();
  }

  async updateStep(
    db: Db,
    applicationId: string,
    item: string,
    patch: Partial<Omit<StepRow, 'application_id' | 'item' | 'department'>>,
  ): Promise<void> {
    await db
      .updateTable('sv_step')
      .set(patch)
      .where('application_id', '=', applicationId)
      .where('item', '=', item)
      .execute();
  }

  /** A department's open steps (pending, or escalated and still pending), oldest due first. */
  async desk(db: Db, department: string | null, limit: number): Promise<StepRow[]> {
    let q = db.selectFrom('sv_step').selectAll().where('status', '=', 'pending');
    if (department) q = q.where('department', '=', department);
    return q.orderBy('due_at').orderBy('application_id').limit(limit).execute();
  }

  async insertTimers(db: Db, rows: Insertable<ServicesTables['sv_timer']>[]): Promise<void> {
    if (rows.length) await db.insertInto('sv_timer').values(rows).execute();
  }

  /** Due, unfired timers, taken so that concurrent sweeps never take the same one. */
  async dueTimers(db: Db, now: Date, limit: number): Promise<TimerRow[]> {
    return db
      .selectFrom('sv_timer')
      .selectAll()
      .where('fired_at', 'is', null)
      .where('fire_at', '<=', now)
      .orderBy('fire_at')
      .orderBy('id')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
  }

  async markFired(db: Db, id: number, at: Date): Promise<void> {
    await db.updateTable('sv_timer').set({ fired_at: at }).where('id', '=', id).execute();
  }

  /** The next certificate serial (taken before the insert: the number is part of what is signed). */
  async nextCertificateId(db: Db): Promise<number> {
    const r = await sql<{ id: string }>`select nextval('sv_certificate_id_seq') as id`.execute(db);
    return Number(r.rows[0]?.id);
  }

  async insertCertificates(db: Db, rows: Insertable<ServicesTables['sv_certificate']>[]): Promise<void> {
    if (rows.length) await db.insertInto('sv_certificate').values(rows).execute();
  }

  async certificatesOf(db: Db, applicationId: string): Promise<CertificateRow[]> {
    return db
      .selectFrom('sv_certificate')
      .selectAll()
      .where('application_id', '=', applicationId)
      .orderBy('id')
      .execute();
  }

  async certificate(db: Db, number: string): Promise<CertificateRow | undefined> {
    return db.selectFrom('sv_certificate').selectAll().where('number', '=', number).executeTakeFirst();
  }

  /** Inserts a proposal unless one exists for the same event; returns whether it was new. */
  async insertProposal(db: Db, row: Insertable<ServicesTables['sv_proposal']>): Promise<boolean> {
    const r = await db
      .insertInto('sv_proposal')
      .values(row)
      .onConflict((oc) => oc.columns(['bundle_id', 'trigger', 'trigger_ref']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async proposal(db: Db, id: string, lock = false): Promise<ProposalRow | undefined> {
    const q = db.selectFrom('sv_proposal').selectAll().where('id', '=', id);
    return (lock ? q.forUpdate() : q).executeTakeFirst();
  }

  async proposalByTrigger(db: Db, bundleId: string, trigger: string, ref: string) {
    return db
      .selectFrom('sv_proposal')
      .selectAll()
      .where('bundle_id', '=', bundleId)
      .where('trigger', '=', trigger)
      .where('trigger_ref', '=', ref)
      .executeTakeFirst();
  }

  async proposalsOf(db: Db, parentId: string, limit: number): Promise<ProposalRow[]> {
    return db
      .selectFrom('sv_proposal')
      .selectAll()
      .where('parent_id', '=', parentId)
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
  }

  /** Decides an open proposal; false when it was not open any more (decided meanwhile). */
  async decideProposal(
    db: Db,
    id: string,
    patch: { status: string; application_id?: string; decided_at: Date; decline_reason?: string | null },
  ): Promise<boolean> {
    const r = await db
      .updateTable('sv_proposal')
      .set(patch)
      .where('id', '=', id)
      .where('status', '=', 'open')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}

export function toStepDto(row: StepRow, titleZh: string): StepDto {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return {
    item: row.item,
    titleZh,
    department: row.department,
    status: row.status as StepDto['status'],
    round: row.round,
    startedAt: iso(row.started_at),
    dueAt: iso(row.due_at),
    remindedAt: iso(row.reminded_at),
    escalatedAt: iso(row.escalated_at),
    decidedBy: row.decided_by,
    decidedAt: iso(row.decided_at),
    reason: row.decision_reason,
  };
}
