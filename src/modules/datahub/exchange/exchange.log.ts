import type { Db } from '../../../platform/db/database.ts';
import { AppError } from '../../../platform/errors.ts';
import { type ChainedExchange, type ExchangeRecord, exchangeHash } from './exchange.hash.ts';
import { EXCHANGE_GENESIS_HASH } from './exchange.migrations.ts';
import { ExchangeRepository, FIELD_SEPARATOR, LIST_SEPARATOR } from './exchange.repository.ts';

const DAY_MS = 86_400_000;

/** Outcome of a verification: `firstBroken` names the first record whose link does not hold. */
export interface ExchangeVerifyResult {
  ok: boolean;
  checked: number;
  headSeq: number;
  firstBroken?: { seq: number; reason: string };
}

/**
 * The hash-chained exchange log. `append` chains a batch in memory onto the head this process
 * last wrote or saw, and writes it in ONE statement that locks the head row and inserts the batch
 * and moves the head only if the head is still that one (`appendIfHead`); if another process
 * appended meanwhile, nothing is written and the batch is chained again onto the head found
 * (after three such losses it takes the head's lock for a whole transaction, as every append
 * did before). Appenders in several processes thus take turns on the head row and never fork
 * the chain, and a single appender needs one round trip per batch instead of five. `verify` streams the chain back in
 * pages, fetching the next page while hashing the current one.
 */
export class ExchangeLog {
  private readonly repo = new ExchangeRepository();
  private readonly db: Db;
  /** The head as this process last wrote or saw it: the next batch is chained onto it (checked by the write). */
  private known: { seq: number; hash: string } | undefined;

  constructor(db: Db) {
    this.db = db;
  }

  /** Appends the records in the given order; returns the first and last sequence numbers and the new head hash. */
  async append(records: ExchangeRecord[]): Promise<{ firstSeq: number; lastSeq: number; hash: string }> {
    if (records.length === 0) {
      const head = await this.repo.head(this.db);
      return { firstSeq: head.seq + 1, lastSeq: head.seq, hash: head.hash };
    }
    await this.prepare(records);
    try {
      // One round trip when the head is where this process left it (or where it last saw it).
      let head = this.known ?? (await this.repo.head(this.db));
      for (let attempt = 0; attempt < OPTIMISTIC_TRIES; attempt++) {
        const rows = chain(records, head);
        const last = rows[rows.length - 1] as ChainedExchange;
        const found = await this.repo.appendIfHead(this.db, head, rows);
        if (found.written) {
          this.known = { seq: last.seq, hash: last.hash };
          return { firstSeq: head.seq + 1, lastSeq: last.seq, hash: last.hash };
        }
        head = { seq: found.seq, hash: found.hash }; // another process appended meanwhile
      }
      // Still losing the race: take the head's lock for the whole transaction and wait our turn.
      return await this.lockedAppend(records);
    } catch (error) {
      this.known = undefined; // whether it was written is unknown: read the head next time
      throw error;
    }
  }

  /**
   * Appends in one transaction that locks the head row first (five round trips: begin, lock,
   * insert, move the head, commit): `append`'s fallback, and how every append was written
   * before the one-statement append (the benchmark's baseline). Checked and partitioned by the caller.
   */
  private async lockedAppend(records: ExchangeRecord[]) {
    this.known = undefined;
    const done = await this.db.transaction().execute(async (trx) => {
      const locked = await this.repo.lockHead(trx);
      const rows = chain(records, locked);
      await this.repo.insert(trx, rows);
      const last = rows[rows.length - 1] as ChainedExchange;
      return { firstSeq: locked.seq + 1, lastSeq: last.seq, hash: last.hash };
    });
    this.known = { seq: done.lastSeq, hash: done.hash };
    return done;
  }

  /** `append` by the locked transaction alone (no conditional statement): the benchmark's baseline. */
  async appendLocked(
    records: ExchangeRecord[],
  ): Promise<{ firstSeq: number; lastSeq: number; hash: string }> {
    await this.prepare(records);
    return this.lockedAppend(records);
  }

  /** Checks the records and creates their days' partitions (DDL outside the append: it locks the parent table). */
  private async prepare(records: ExchangeRecord[]): Promise<void> {
    const days = new Set<number>();
    for (const r of records) {
      checkRecord(r);
      days.add(Math.floor(r.at.getTime() / DAY_MS) * DAY_MS);
    }
    await this.repo.ensurePartitions(this.db, days);
  }

  /** The chain head as stored. */
  head(): Promise<{ seq: number; hash: string }> {
    return this.repo.head(this.db);
  }

  /**
   * Recomputes the chain up to the head read at the start (appends meanwhile are left for the
   * next run) and reports the first record whose sequence, link or hash does not hold, and a
   * head that does not match the last record (records removed from the end).
   */
  async verify(pageSize = 20_000): Promise<ExchangeVerifyResult> {
    const head = await this.repo.head(this.db);
    let expectedSeq = 1;
    let prevHash = EXCHANGE_GENESIS_HASH;
    let checked = 0;
    let next = this.repo.encodedPage(this.db, 0, head.seq, pageSize);
    for (;;) {
      const lines = await next;
      if (lines.length === 0) break;
      const rows = lines.map(decode);
      // Fetch the next page while this one is hashed.
      next = this.repo.encodedPage(this.db, (rows[rows.length - 1] as StoredRow).seq, head.seq, pageSize);
      for (let i = 0; i < rows.length; i++) {
        // Let the event loop send the next page's query and take in its answer while this one is hashed.
        if (i % 2000 === 0) await new Promise((resolve) => setImmediate(resolve));
        const row = rows[i] as StoredRow;
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

/** Conditional one-statement writes tried before an append takes the head's lock for its transaction. */
const OPTIMISTIC_TRIES = 3;

/** The records chained onto `head`, in order. */
function chain(records: ExchangeRecord[], head: { seq: number; hash: string }): ChainedExchange[] {
  let prev = head.hash;
  let seq = head.seq;
  return records.map((r) => {
    seq += 1;
    const hash = exchangeHash(seq, r.at.getTime(), r, prev);
    const row = { ...r, seq, prevHash: prev, hash };
    prev = hash;
    return row;
  });
}

const TEXT_FIELDS = [
  'consumerApp',
  'consumerDept',
  'ownerDept',
  'resourceId',
  'purpose',
  'decision',
  'policyVersion',
  'scope',
] as const;
/** The separators of the verifier's page encoding (U+001C…U+001F), which no field may hold. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these control characters are exactly what must be refused.
const SEPARATORS = /[\u001c-\u001f]/;

function checkRecord(r: ExchangeRecord): void {
  for (const field of TEXT_FIELDS) {
    if (typeof r[field] !== 'string' || SEPARATORS.test(r[field]))
      throw new AppError('invalid_data', `${field} must be text without U+001C…U+001F`, { field });
  }
  if (!Number.isInteger(r.rowCount) || r.rowCount < 0)
    throw new AppError('invalid_data', 'rowCount must be a non-negative integer', { field: 'rowCount' });
  if (Number.isNaN(r.at.getTime()))
    throw new AppError('invalid_data', 'at is not a valid time', { field: 'at' });
  for (const [field, list] of [
    ['entries', r.entries],
    ['maskedFields', r.maskedFields],
  ] as const) {
    for (const item of list) {
      if (typeof item !== 'string' || item === '' || SEPARATORS.test(item))
        throw new AppError('invalid_data', `${field} items must be non-empty text without U+001C…U+001F`, {
          field,
        });
    }
  }
}

/** A stored record as the verifier decodes it from a page. */
interface StoredRow extends Omit<ExchangeRecord, 'at'> {
  seq: number;
  atMs: number;
  prevHash: string;
  hash: string;
}

function list(s: string | undefined): string[] {
  return s ? s.split(LIST_SEPARATOR) : [];
}

function decode(line: string): StoredRow {
  const f = line.split(FIELD_SEPARATOR);
  return {
    seq: Number(f[0]),
    atMs: Number(f[1]),
    consumerApp: f[2] ?? '',
    consumerDept: f[3] ?? '',
    ownerDept: f[4] ?? '',
    resourceId: f[5] ?? '',
    purpose: f[6] ?? '',
    decision: f[7] ?? '',
    policyVersion: f[8] ?? '',
    entries: list(f[9]),
    maskedFields: list(f[10]),
    rowCount: Number(f[11]),
    prevHash: f[12] ?? '',
    hash: f[13] ?? '',
    scope: f[14] ?? '',
  };
}

function checkRow(
  row: StoredRow,
  expectedSeq: number,
  prevHash: string,
): { seq: number; reason: string } | undefined {
  if (row.seq !== expectedSeq)
    return { seq: expectedSeq, reason: `record ${expectedSeq} is missing (next is ${row.seq})` };
  if (row.prevHash !== prevHash) return { seq: row.seq, reason: 'does not link to the previous record' };
  if (exchangeHash(row.seq, row.atMs, row, row.prevHash) !== row.hash)
    return { seq: row.seq, reason: 'content does not match its hash' };
  return undefined;
}
