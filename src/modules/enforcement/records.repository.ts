import { type Insertable, type Kysely, type Selectable, sql } from 'kysely';
import { inScope, type Principal } from '../../platform/access.ts';
import type { EnforcementTables } from './enforcement.tables.ts';

type Db = Kysely<EnforcementTables>;
export type DrawRow = Selectable<EnforcementTables['en_draw']>;
export type RecordRow = Selectable<EnforcementTables['en_record']>;
export type CodeRow = Selectable<EnforcementTables['en_code']>;

/** The SQL of draws, on-site records, issued codes and one-time codes. */
export class RecordsRepository {
  async insertDraw(db: Db, row: Insertable<EnforcementTables['en_draw']>): Promise<void> {
    await db.insertInto('en_draw').values(row).execute();
  }

  async draw(db: Db, id: string, forUpdate = false): Promise<DrawRow | undefined> {
    let q = db.selectFrom('en_draw').selectAll().where('id', '=', id);
    if (forUpdate) q = q.forUpdate();
    return q.executeTakeFirst();
  }

  /** Published draws without their inputs (large: a district's register), newest first. */
  async listDraws(db: Db, district: string | undefined, limit: number): Promise<Omit<DrawRow, 'inputs'>[]> {
    let q = db
      .selectFrom('en_draw')
      .select([
        'id',
        'district_code',
        'jurisdiction_path',
        'month',
        'departments',
        'commitment',
        'inputs_digest',
        'seed',
        'result',
        'result_digest',
        'status',
        'committed_by',
        'committed_at',
        'revealed_at',
      ]);
    if (district) q = q.where('district_code', '=', district);
    return q.orderBy('committed_at', 'desc').orderBy('id').limit(limit).execute();
  }

  async revealDraw(
    db: Db,
    id: string,
    seed: string,
    result: unknown,
    resultDigest: string,
    at: Date,
  ): Promise<void> {
    await db
      .updateTable('en_draw')
      .set({
        seed,
        result: JSON.stringify(result),
        result_digest: resultDigest,
        status: 'revealed',
        revealed_at: at,
      })
      .where('id', '=', id)
      .execute();
  }

  async insertRecord(db: Db, row: Insertable<EnforcementTables['en_record']>): Promise<void> {
    await db.insertInto('en_record').values(row).execute();
  }

  async record(db: Db, id: string): Promise<RecordRow | undefined> {
    return db.selectFrom('en_record').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async recordOfVisit(db: Db, visitId: string): Promise<RecordRow | undefined> {
    return db.selectFrom('en_record').selectAll().where('visit_id', '=', visitId).executeTakeFirst();
  }

  /** The enterprise's countersigned records that lowered its score and are not yet repaired (oldest first). */
  async repairable(db: Db, enterprise: string): Promise<RecordRow[]> {
    return db
      .selectFrom('en_record')
      .selectAll()
      .where('enterprise_code', '=', enterprise)
      .whereRef('credit_after', '<', 'credit_before')
      .where('repaired_by', 'is', null)
      .orderBy('countersigned_at')
      .orderBy('id')
      .execute();
  }

  /** Records an application has repaired already (its repair is done once). */
  async repairedBy(db: Db, applicationId: string): Promise<RecordRow[]> {
    return db.selectFrom('en_record').selectAll().where('repaired_by', '=', applicationId).execute();
  }

  async markRepaired(db: Db, ids: string[], applicationId: string, at: Date): Promise<void> {
    if (!ids.length) return;
    await db
      .updateTable('en_record')
      .set({ repaired_by: applicationId, repaired_at: at })
      .where('id', 'in', ids)
      .where('repaired_by', 'is', null)
      .execute();
  }

  /** The enterprise's repair state: records still repairable and the last repair. */
  async repairState(
    db: Db,
    enterprise: string,
  ): Promise<{ repairable: number; lastRepairedAt: Date | null }> {
    const r = await db
      .selectFrom('en_record')
      .select([
        sql<string>`count(*) filter (where credit_after < credit_before and repaired_by is null)`.as(
          'repairable',
        ),
        sql<Date | null>`max(repaired_at)`.as('last'),
      ])
      .where('enterprise_code', '=', enterprise)
      .executeTakeFirst();
    return {
      repairable: Number(r?.repairable ?? 0),
      lastRepairedAt: r?.last ? new Date(r.last) : null,
    };
  }

  /** Records repaired within [from, to) per district (the jurisdiction path's second code), in scope. */
  async repairsByDistrict(db: Db, principal: Principal, from: Date, to: Date) {
    const rows = await db
      .selectFrom('en_record')
      .select([
        sql<string>`split_part(jurisdiction_path, '/', 2)`.as('district'),
        sql<string>`count(*)`.as('n'),
      ])
      .where(inScope(principal, 'jurisdiction_path'))
      .where('repaired_at', '>=', from)
      .where('repaired_at', '<', to)
      .groupBy(sql`split_part(jurisdiction_path, '/', 2)`)
      .execute();
    return new Map(rows.map((r) => [r.district, Number(r.n)]));
  }

  /** A live code of the holder valid beyond `after`, newest first. */
  async liveCode(db: Db, kind: string, subject: string, after: Date): Promise<CodeRow | undefined> {
    return db
      .selectFrom('en_code')
      .selectAll()
      .where('kind', '=', kind)
      .where('subject', '=', subject)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', after)
      .orderBy('status_index', 'desc')
      .executeTakeFirst();
  }

  /** Reserves a status-list index for a new code; its QR text is set once signed. */
  async reserveCode(db: Db, kind: string, subject: string, at: Date, expires: Date): Promise<number> {
    const r = await db
      .insertInto('en_code')
      .values({
        kind,
        subject,
        qr: '',
        issued_at: at,
        expires_at: expires,
        revoked_at: null,
        revoke_reason: null,
      })
      .returning('status_index')
      .executeTakeFirstOrThrow();
    return r.status_index;
  }

  async setCodeText(db: Db, index: number, qr: string): Promise<void> {
    await db.updateTable('en_code').set({ qr }).where('status_index', '=', index).execute();
  }

  async code(db: Db, index: number): Promise<CodeRow | undefined> {
    return db.selectFrom('en_code').selectAll().where('status_index', '=', index).executeTakeFirst();
  }

  async revokeCode(db: Db, index: number, reason: string, at: Date): Promise<void> {
    await db
      .updateTable('en_code')
      .set({ revoked_at: at, revoke_reason: reason })
      .where('status_index', '=', index)
      .execute();
  }

  /** The revoked indexes and the highest index (the status list's size). */
  async statusList(db: Db): Promise<{ revoked: number[]; size: number }> {
    const revoked = await db
      .selectFrom('en_code')
      .select('status_index')
      .where('revoked_at', 'is not', null)
      .execute();
    const max = await db
      .selectFrom('en_code')
      .select((eb) => eb.fn.max('status_index').as('m'))
      .executeTakeFirst();
    return { revoked: revoked.map((r) => r.status_index), size: Number(max?.m ?? 0) + 1 };
  }

  async insertOtc(db: Db, row: Insertable<EnforcementTables['en_otc']>): Promise<void> {
    await db.insertInto('en_otc').values(row).execute();
  }

  /** Marks the enterprise's unused, unexpired one-time code with this hash used; false when there is none. */
  async consumeOtc(db: Db, enterprise: string, hash: string, at: Date): Promise<boolean> {
    const r = await db
      .updateTable('en_otc')
      .set({ used_at: at })
      .where('enterprise_code', '=', enterprise)
      .where('code_hash', '=', hash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', at)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}
