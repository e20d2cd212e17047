import type { Kysely } from 'kysely';
import { inputDigest } from './algorithms.digest.ts';
import { applyPolicy, maskValue } from './algorithms.mask.ts';
import type { AlgorithmTables } from './algorithms.tables.ts';
import type { DecisionRepository } from './decisions.repository.ts';
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
}

/**
 * Buffers decision records off the hot path and writes them in batches: every `flushMs`, when
 * `maxBatch` wait, on `flush()` and on `stop()`. Masking and hashing happen here, not in the
 * caller's call. A crash loses at most the records not yet flushed (≤ flushMs of decisions);
 * a failed write keeps its batch for the next flush.
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
      try {
        const rows = batch.map(toRow);
        const subjects = batch.flatMap((d) =>
          d.subjects.map((s) => ({ decision_id: d.id, subject_type: s.type, subject_id: s.id, at: d.at })),
        );
        await this.repo.insert(this.db, rows, subjects);
      } catch (err) {
        this.buffer.unshift(...batch);
        this.logger.error({ err, pending: this.buffer.length }, 'decision log write failed; will retry');
        throw err;
      }
    }
  }
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
