import type { Kysely, Selectable } from 'kysely';
import { inScope, type Principal } from '../../platform/access.ts';
import type { AuditQuery, AuditTables } from './audit.schema.ts';

/** A stored audit row. */
export type AuditRow = Selectable<AuditTables['audit_log']>;

/** All SQL of the audit module. */
export class AuditRepository {
  /** Locks the chain head for the rest of the transaction, so appends are serialised. */
  async lockHead(trx: Kysely<AuditTables>): Promise<{ seq: number; hash: string }> {
    const head = await trx
      .selectFrom('audit_head')
      .select(['seq', 'hash'])
      .where('id', '=', 1)
      .forUpdate()
      .executeTakeFirstOrThrow();
    return { seq: Number(head.seq), hash: head.hash };
  }

  /**
   * Writes one entry and moves the head to it, in one statement (one round trip less while the
   * head is locked: every audited transaction waits for the head, so its hold time bounds them all).
   */
  async insert(trx: Kysely<AuditTables>, row: AuditRow): Promise<void> {
    await trx
      .with('entry', (db) =>
        db
          .insertInto('audit_log')
          .values({ ...row, details: JSON.stringify(row.details) })
          .returning(['seq', 'hash']),
      )
      .updateTable('audit_head')
      .from('entry')
      .set((eb) => ({ seq: eb.ref('entry.seq'), hash: eb.ref('entry.hash') }))
      .where('audit_head.id', '=', 1)
      .execute();
  }

  /** The head as stored. */
  async head(db: Kysely<AuditTables>): Promise<{ seq: number; hash: string }> {
    const head = await db
      .selectFrom('audit_head')
      .select(['seq', 'hash'])
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    return { seq: Number(head.seq), hash: head.hash };
  }

  /** Entries after `afterSeq` in chain order, a page at a time. */
  async page(db: Kysely<AuditTables>, afterSeq: number, limit: number): Promise<AuditRow[]> {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
  }

  /** Entries the principal may see, filtered, newest first. */
  async list(db: Kysely<AuditTables>, principal: Principal, query: AuditQuery): Promise<AuditRow[]> {
    let q = db.selectFrom('audit_log').selectAll().where(inScope(principal, 'jurisdiction_path'));
    if (query.action) q = q.where('action', '=', query.action);
    if (query.subjectType) q = q.where('subject_type', '=', query.subjectType);
    if (query.subjectId) q = q.where('subject_id', '=', query.subjectId);
    if (query.afterSeq !== undefined) q = q.where('seq', '>', query.afterSeq);
    const rows = await q.orderBy('seq', 'desc').limit(query.limit).execute();
    return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
  }
}
