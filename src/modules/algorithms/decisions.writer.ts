import type { Kysely } from 'kysely';
import { type Clock, systemClock } from '../../platform/clock.ts';
import { inputDigest } from './algorithms.digest.ts';
import { applyPolicy, maskValue } from './algorithms.mask.ts';
import type { AlgorithmTables } from './algorithms.tables.ts';
import {
  cleanJsonText,
  cleanText,
  decisionPoisonCounter,
  excerptOf,
  isDataError,
  reasonOf,
  sqlState,
} from './decisions.poison.ts';
import type { DecisionRepository, QuarantineInsert } from './decisions.repository.ts';
import type { PendingDecision } from './decisions.schema.ts';

/** The little of a logger the module uses (pino's Logger fits). */
export interface LoggerLike {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Batching of decision-log writes. */
export interface WriterOptions {
  /** Flush at least this often (ms). */
  flushMs: number;
  /** Flush as soon as this many records wait, and insert at most this many per statement batch. */
  maxBatch: number;
  /** Records held while the database refuses writes; past it the oldest are dropped and counted. */
  maxBuffer: number;
  /** When quarantine notes are stamped (default the system clock). */
  clock?: Clock;
}

/**
 * Buffers decision records off the hot path and writes them in batches: every `flushMs`, when
 * `maxBatch` wait, on `flush()` and on `stop()`. Masking and hashing happen here, not in the
 * caller's call. A crash loses at most the records not yet flushed (≤ flushMs of decisions);
 * a transient failure keeps its batch for the next flush. A batch refused for its data is
 * bisected down to the refused records, which are written sanitised (with a quarantine note)
 * or quarantined: one bad record never stalls the log.
 */
export class DecisionLogWriter {
  private buffer: PendingDecision[] = [];
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Immediate | undefined;
  private readonly db: Kysely<AlgorithmTables>;
  private readonly repo: DecisionRepository;
  private readonly logger: LoggerLike;
  private readonly options: WriterOptions;
  /** Records dropped because the buffer was full. */
  dropped = 0;

  constructor(
    db: Kysely<AlgorithmTables>,
    repo: DecisionRepository,
    logger: LoggerLike,
    options: WriterOptions,
  ) {
    this.db = db;
    this.repo = repo;
    this.logger = logger;
    this.options = options;
  }

  /** Queues one record; O(1) on the hot path. */
  enqueue(decision: PendingDecision): void {
    if (this.buffer.length >= this.options.maxBuffer) {
      this.buffer.shift();
      this.dropped += 1;
    }
    this.buffer.push(decision);
    // A full batch is written on the next turn of the event loop, never inside the caller's call.
    if (this.buffer.length >= this.options.maxBatch && !this.soon) {
      this.soon = setImmediate(() => {
        this.soon = undefined;
        this.flush().catch(() => undefined);
      });
    }
  }

  /** Number of records waiting. */
  get pending(): number {
    return this.buffer.length;
  }

  /** Writes everything queued so far; rejects if the database refused (the records stay queued). */
  flush(): Promise<void> {
    const next = this.chain.then(() => this.drain());
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Starts the periodic flush. */
  start(): void {
    this.timer ??= setInterval(() => this.flush().catch(() => undefined), this.options.flushMs);
    this.timer.unref();
  }

  /** Stops the timer and flushes what is left. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearImmediate(this.soon);
    this.timer = undefined;
    this.soon = undefined;
    await this.flush();
  }

  private async drain(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.options.maxBatch);
      const done = new Set<string>();
      try {
        await this.write(batch, done);
      } catch (err) {
        // A transient failure (connection lost): keep what was not written for the next flush.
        this.buffer.unshift(...batch.filter((d) => !done.has(d.id)));
        this.logger.error({ err, pending: this.buffer.length }, 'decision log write failed; will retry');
        throw err;
      }
    }
  }

  /** Writes a batch; records the database refuses for their data are isolated, never retried. */
  private async write(batch: PendingDecision[], done: Set<string>): Promise<void> {
    const items: Item[] = [];
    for (const d of batch) {
      try {
        items.push({ d, row: toRow(d), subjects: subjectsOf(d) });
      } catch (err) {
        await this.quarantine(d, err, done);
      }
    }
    await this.insertSplitting(items, done);
  }

  /** Inserts the items; on a data error, bisects down to the refused records. */
  private async insertSplitting(items: Item[], done: Set<string>): Promise<void> {
    if (items.length === 0) return;
    try {
      await this.repo.insert(
        this.db,
        items.map((i) => i.row),
        items.flatMap((i) => i.subjects),
      );
      for (const i of items) done.add(i.d.id);
      return;
    } catch (err) {
      if (!isDataError(err)) throw err;
      const [only] = items;
      if (items.length === 1 && only) return this.isolate(only, err, done);
    }
    const mid = Math.ceil(items.length / 2);
    await this.insertSplitting(items.slice(0, mid), done);
    await this.insertSplitting(items.slice(mid), done);
  }

  /** One refused record: written sanitised with a note when that is accepted, else quarantined. */
  private async isolate(item: Item, err: unknown, done: Set<string>): Promise<void> {
    const { d } = item;
    let refusal = err;
    try {
      await this.repo.insert(this.db, [cleanRow(item.row)], item.subjects.map(cleanSubject), [
        note(d, 'sanitised', err, this.now()),
      ]);
      done.add(d.id);
      decisionPoisonCounter.inc({ action: 'sanitised' });
      this.logger.warn(
        { decisionId: d.id, key: d.key, err: reasonOf(err) },
        'decision log record refused; written sanitised',
      );
      return;
    } catch (again) {
      if (!isDataError(again)) throw again;
      refusal = again;
    }
    await this.quarantine(d, refusal, done);
  }

  /** Keeps a record that cannot be written in the quarantine table, with its reason and an excerpt. */
  private async quarantine(d: PendingDecision, err: unknown, done: Set<string>): Promise<void> {
    try {
      await this.repo.quarantine(this.db, [note(d, 'quarantined', err, this.now())]);
      decisionPoisonCounter.inc({ action: 'quarantined' });
    } catch (again) {
      if (!isDataError(again)) throw again;
      // Even the cleaned note was refused: drop it loudly rather than stall every later decision.
      decisionPoisonCounter.inc({ action: 'dropped' });
      this.logger.error({ decisionId: d.id, err: reasonOf(again) }, 'decision log record dropped');
    }
    done.add(d.id);
    this.logger.error(
      { decisionId: d.id, key: d.key, err: reasonOf(err) },
      'decision log record quarantined',
    );
  }

  private now(): Date {
    return (this.options.clock ?? systemClock).now();
  }
}

interface Item {
  d: PendingDecision;
  row: ReturnType<typeof toRow>;
  subjects: ReturnType<typeof subjectsOf>;
}

function subjectsOf(d: PendingDecision) {
  return d.subjects.map((s) => ({ decision_id: d.id, subject_type: s.type, subject_id: s.id, at: d.at }));
}

function cleanSubject(s: ReturnType<typeof subjectsOf>[number]) {
  return { ...s, subject_type: cleanText(s.subject_type), subject_id: cleanText(s.subject_id) };
}

/** The row with every text cleaned: lone surrogates → U+FFFD, NUL removed (see decisions.poison.ts). */
function cleanRow(row: ReturnType<typeof toRow>): ReturnType<typeof toRow> {
  return {
    ...row,
    algorithm_key: cleanText(row.algorithm_key),
    version: cleanText(row.version),
    reason: row.reason === null ? null : cleanText(row.reason),
    inputs: cleanJsonText(row.inputs) ?? 'null',
    output: cleanJsonText(row.output),
    explanation: cleanJsonText(row.explanation),
    principal: cleanText(row.principal),
    jurisdiction_path: cleanText(row.jurisdiction_path),
  };
}

function note(
  d: PendingDecision,
  action: 'sanitised' | 'quarantined',
  err: unknown,
  at: Date,
): QuarantineInsert {
  return {
    decision_id: d.id,
    decision_at: d.at,
    algorithm_key: cleanText(d.key),
    version: cleanText(d.version),
    action,
    sqlstate: sqlState(err),
    reason: reasonOf(err),
    excerpt: excerptOf({ ...d, policy: undefined }),
    at,
  };
}

function toRow(d: PendingDecision) {
  const input = JSON.parse(d.inputJson) as unknown;
  return {
    id: d.id,
    at: d.at,
    algorithm_key: d.key,
    version: d.version,
    outcome: d.outcome,
    reason: d.reason,
    input_digest: inputDigest(input),
    inputs: JSON.stringify(applyPolicy(input, d.policy)),
    // Outputs and explanations are kept, but scrubbed of phone and ID numbers in free text.
    output: d.outputJson === null ? null : JSON.stringify(maskValue(JSON.parse(d.outputJson), 'MASK_NONE')),
    explanation: d.explanation === null ? null : JSON.stringify(maskValue(d.explanation, 'MASK_NONE')),
    latency_us: d.latencyUs,
    principal: d.principal,
    jurisdiction_path: d.jurisdictionPath,
  };
}
