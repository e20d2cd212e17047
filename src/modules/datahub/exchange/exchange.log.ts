import type { Db } from '../../../platform/db/database.ts';
import { AppError } from '../../../platform/errors.ts';
import { type ChainedExchange, type ExchangeRecord, exchangeHash } from './exchange.hash.ts';
import { EXCHANGE_GENESIS_HASH } from './exchange.migrations.ts';
import { ExchangeRepository, type ExchangeRow, LIST_SEPARATOR } from './exchange.repository.ts';

const DAY_MS = 86_400_000;

/** Outcome of a verification: `firstBroken` names the first record whose link does not hold. */
export interface ExchangeVerifyResult {
  ok: boolean;
  checked: number;
  headSeq: number;
  firstBroken?: { seq: number; reason: string };
}

/**
 * The hash-chained exchange log. `append` writes a batch in one transaction: it locks the head
 * row (so appenders in several processes take turns and never fork the chain), chains the batch
 * in memory, inserts it with one statement and moves the head. `verify` streams the chain back in
 * pages, fetching the next page while hashing the current one.
 */
export class ExchangeLog {
  private readonly repo = new ExchangeRepository();
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  /** Appends the records in the given order; returns the first and last sequence numbers and the new head hash. */
  async append(records: ExchangeRecord[]): Promise<{ firstSeq: number; lastSeq: number; hash: string }> {
    if (records.length === 0) {
      const head = await this.repo.head(this.db);
      return { firstSeq: head.seq + 1, lastSeq: head.seq, hash: head.hash };
    }
    const days = new Set<number>();
    for (const r of records) {
      checkRecord(r);
      days.add(Math.floor(r.at.getTime() / DAY_MS) * DAY_MS);
    }
    // DDL outside the append transaction: creating a partition locks the parent table.
    await this.repo.ensurePartitions(this.db, days);
    return this.db.transaction().execute(async (trx) => {
      const head = await this.repo.lockHead(trx);
      let prev = head.hash;
      let seq = head.seq;
      const rows: ChainedExchange[] = records.map((r) => {
        seq += 1;
        const hash = exchangeHash(seq, r.at.getTime(), r, prev);
        const row = { ...r, seq, prevHash: prev, hash };
        prev = hash;
        return row;
      });
      await this.repo.insert(trx, rows);
      return { firstSeq: head.seq + 1, lastSeq: seq, hash: prev };
    });
  }

  /** The chain head as stored. */
  head(): Promise<{ seq: number; hash: string }> {
    return this.repo.head(this.db);
  }

  /**
   * Recomputes the whole chain and reports the first record whose sequence, link or hash does
   * not hold, and a head that does not match the last record (records removed from the end).
   */
  async verify(pageSize = 20_000): Promise<ExchangeVerifyResult> {
    const head = await this.repo.head(this.db);
    let expectedSeq = 1;
    let prevHash = EXCHANGE_GENESIS_HASH;
    let checked = 0;
    let next = this.repo.page(this.db, 0, pageSize);
    for (;;) {
      const rows = await next;
      if (rows.length === 0) break;
      // Fetch the next page while this one is hashed.
      next = this.repo.page(this.db, Number((rows[rows.length - 1] as ExchangeRow).seq), pageSize);
      for (const row of rows) {
        const broken = checkRow(row, expectedSeq, prevHash);
        if (broken) {
          await next.catch(() => undefined);
          return { ok: false, checked, headSeq: head.seq, firstBroken: broken };
        }
        prevHash = row.hash;
        expectedSeq += 1;
        checked += 1;
      }
    }
    if (head.seq !== checked || head.hash !== prevHash) {
      const reason = `head is at record ${head.seq} but the chain ends at ${checked}`;
      return { ok: false, checked, headSeq: head.seq, firstBroken: { seq: checked + 1, reason } };
    }
    return { ok: true, checked, headSeq: head.seq };
  }
}

function checkRecord(r: ExchangeRecord): void {
  if (!Number.isInteger(r.rowCount) || r.rowCount < 0)
    throw new AppError('invalid_data', 'rowCount must be a non-negative integer', { field: 'rowCount' });
  if (Number.isNaN(r.at.getTime()))
    throw new AppError('invalid_data', 'at is not a valid time', { field: 'at' });
  for (const [field, list] of [
    ['entries', r.entries],
    ['maskedFields', r.maskedFields],
  ] as const) {
    for (const item of list) {
      if (item === '' || item.includes(LIST_SEPARATOR))
        throw new AppError('invalid_data', `${field} items must be non-empty and hold no U+001F`, { field });
    }
  }
}

function checkRow(
  row: ExchangeRow,
  expectedSeq: number,
  prevHash: string,
): { seq: number; reason: string } | undefined {
  const seq = Number(row.seq);
  if (seq !== expectedSeq)
    return { seq: expectedSeq, reason: `record ${expectedSeq} is missing (next is ${seq})` };
  if (row.prev_hash !== prevHash) return { seq, reason: 'does not link to the previous record' };
  const hash = exchangeHash(
    seq,
    row.at_ms,
    {
      consumerApp: row.consumer_app,
      consumerDept: row.consumer_dept,
      ownerDept: row.owner_dept,
      resourceId: row.resource_id,
      purpose: row.purpose,
      decision: row.decision,
      policyVersion: row.policy_version,
      entries: row.entries,
      maskedFields: row.masked_fields,
      rowCount: row.row_count,
    },
    row.prev_hash,
  );
  if (hash !== row.hash) return { seq, reason: 'content does not match its hash' };
  return undefined;
}
