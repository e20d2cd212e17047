import type { Principal } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/database.ts';
import { forTables } from '../../platform/db/database.ts';
import { entryHash } from './audit.hash.ts';
import { GENESIS_HASH } from './audit.migrations.ts';
import { AuditRepository, type AuditRow } from './audit.repository.ts';
import type { AuditEntryDto, AuditQuery, AuditTables, VerifyResult } from './audit.schema.ts';

/** What a caller records: who did what to which subject, where, with which facts. */
export interface AuditEvent {
  /** Who acted; `anonymous` for callers who did not authenticate (failed logins, citizens). */
  actor: { kind: Principal['kind'] | 'anonymous'; id: string };
  action: string;
  subjectType: string;
  subjectId: string;
  /** Jurisdiction of the subject, so auditors of a district see their district's entries. */
  jurisdictionPath?: string;
  details?: Record<string, unknown>;
}

/**
 * The append-only, hash-chained audit log. Every state change elsewhere calls `append`
 * with its own transaction, so the change and its entry commit or fail together.
 */
export class AuditLog {
  private readonly repo = new AuditRepository();
  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Appends one entry inside the caller's transaction; returns its sequence number and hash. */
  async append(trx: Db, event: AuditEvent): Promise<{ seq: number; hash: string }> {
    const db = forTables<AuditTables>(trx);
    const head = await this.repo.lockHead(db);
    const row: AuditRow = {
      seq: head.seq + 1,
      at: this.clock.now(),
      actor_kind: event.actor.kind,
      actor_id: event.actor.id,
      action: event.action,
      subject_type: event.subjectType,
      subject_id: event.subjectId,
      jurisdiction_path: event.jurisdictionPath ?? '',
      details: event.details ?? {},
      prev_hash: head.hash,
      hash: '',
    };
    row.hash = entryHash(toFields(row));
    await this.repo.insert(db, row);
    return { seq: row.seq, hash: row.hash };
  }

  /** Appends an entry in a transaction of its own (for refusals and other events with no state change). */
  async record(db: Db, event: AuditEvent): Promise<void> {
    await db.transaction().execute((trx) => this.append(trx, event));
  }

  /**
   * Walks the whole chain and reports the first entry whose sequence, link or hash does not hold,
   * and a head that does not match the last entry (rows removed from the end).
   */
  async verify(db: Db, batch = 5000): Promise<VerifyResult> {
    const tables = forTables<AuditTables>(db);
    const head = await this.repo.head(tables);
    let expectedSeq = 1;
    let prevHash = GENESIS_HASH;
    let checked = 0;
    for (;;) {
      const rows = await this.repo.page(tables, expectedSeq - 1, batch);
      if (rows.length === 0) break;
      for (const row of rows) {
        const broken = checkRow(row, expectedSeq, prevHash);
        if (broken) return { ok: false, checked, headSeq: head.seq, firstBroken: broken };
        prevHash = row.hash;
        expectedSeq += 1;
        checked += 1;
      }
    }
    if (head.seq !== checked || head.hash !== prevHash) {
      return {
        ok: false,
        checked,
        headSeq: head.seq,
        firstBroken: {
          seq: checked + 1,
          reason: `head is at entry ${head.seq} but the chain ends at ${checked}`,
        },
      };
    }
    return { ok: true, checked, headSeq: head.seq };
  }

  /** Entries visible to the principal (their jurisdiction and below). */
  async list(db: Db, principal: Principal, query: AuditQuery): Promise<AuditEntryDto[]> {
    const rows = await this.repo.list(forTables<AuditTables>(db), principal, query);
    return rows.map((r) => ({
      seq: r.seq,
      at: r.at.toISOString(),
      actorKind: r.actor_kind,
      actorId: r.actor_id,
      action: r.action,
      subjectType: r.subject_type,
      subjectId: r.subject_id,
      jurisdictionPath: r.jurisdiction_path,
      details: r.details,
      prevHash: r.prev_hash,
      hash: r.hash,
    }));
  }
}

function toFields(row: AuditRow) {
  return {
    seq: row.seq,
    at: row.at,
    actorKind: row.actor_kind,
    actorId: row.actor_id,
    action: row.action,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    jurisdictionPath: row.jurisdiction_path,
    details: row.details,
    prevHash: row.prev_hash,
  };
}

function checkRow(
  row: AuditRow,
  expectedSeq: number,
  prevHash: string,
): { seq: number; reason: string } | undefined {
  if (row.seq !== expectedSeq)
    return { seq: expectedSeq, reason: `entry ${expectedSeq} is missing (next is ${row.seq})` };
  if (row.prev_hash !== prevHash) return { seq: row.seq, reason: 'does not link to the previous entry' };
  if (entryHash(toFields(row)) !== row.hash)
    return { seq: row.seq, reason: 'content does not match its hash' };
  return undefined;
}
