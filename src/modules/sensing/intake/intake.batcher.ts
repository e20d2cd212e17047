import {
  DEFAULT_PAYLOAD_LIMITS,
  EXCERPT_CHARS,
  type PayloadLimits,
  rawDepthExceeds,
} from './intake.limits.ts';
import type { IngestResult, RawObservation } from './intake.service.ts';

/**
 * Decodes bytes as a transport received them: a JSON object is one observation, an array several.
 * Bytes that cannot be taken in become one dead letter before anything recursive runs on them:
 * over `limits.maxBytes` (`too_large`, not even decoded), nested past `limits.maxDepth` (`too_deep`,
 * found by a scan of the bytes), or not JSON (`invalid_json`). Dead letters carry a 4 KiB excerpt.
 */
export function decodeRaw(
  deviceId: string,
  bytes: Uint8Array | string,
  receivedAt: Date,
  limits: PayloadLimits = DEFAULT_PAYLOAD_LIMITS,
): RawObservation[] {
  // A view, not a copy (Buffer.from(Uint8Array) copies; MQTT hands over Buffers already).
  const buf =
    typeof bytes === 'string'
      ? Buffer.from(bytes, 'utf8')
      : Buffer.isBuffer(bytes)
        ? bytes
        : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const refuse = (reason: 'too_large' | 'too_deep' | 'invalid_json', detail: string, text?: string) => [
    {
      deviceId,
      payload: text ?? buf.subarray(0, EXCERPT_CHARS).toString('utf8'),
      receivedAt,
      decodeError: { reason, detail },
    },
  ];
  if (buf.byteLength > limits.maxBytes)
    return refuse('too_large', `payload is ${buf.byteLength} bytes; at most ${limits.maxBytes} are accepted`);
  if (rawDepthExceeds(buf, limits.maxDepth))
    return refuse('too_deep', `payload nests deeper than ${limits.maxDepth} levels`);
  const text = typeof bytes === 'string' ? bytes : buf.toString('utf8');
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch (error) {
    return refuse('invalid_json', (error as Error).message, text);
  }
  return (Array.isArray(payload) ? payload : [payload]).map((p) => ({ deviceId, payload: p, receivedAt }));
}

/** Options of a batcher. */
export interface BatcherOptions {
  /** Observations per ingest batch at most (default 2,000; a message is never split, so a batch may pass it by one message). */
  maxBatch?: number;
  /**
   * Batches handed to `ingest` and not yet settled, at most (default 2). With 2, the next batch is
   * validated while the previous one commits (the service keeps commits in call order); arrivals
   * beyond that wait and go together the moment a batch settles.
   */
  maxConcurrent?: number;
  /**
   * How long a message that finds the batcher idle waits for company, ms (default 0: it goes at
   * once — group commit already makes batches as large as the load while a commit is running).
   */
  maxDelayMs?: number;
  /** Arrival time stamp (the service's clock). */
  now: () => Date;
  /** Size and nesting limits of one message (default 64 KiB, 16 levels). */
  limits?: PayloadLimits;
}

type Waiter = { count: number; resolve: () => void; reject: (e: unknown) => void };

/**
 * Groups messages that arrive one by one (MQTT delivers them so) into ingest batches by group
 * commit: a message that finds no batch in flight goes at once (with whatever else arrived in the
 * same turn of the event loop); while `maxConcurrent` batches are in flight, arrivals accumulate
 * and go as the next batch (up to `maxBatch`) the moment one settles. So an idle pipeline adds no
 * wait, and a busy one makes batches as large as the load. Batches go to `ingest` in arrival order.
 * Each `submit` resolves once the batch holding its message has committed — the moment a transport
 * may acknowledge it — and rejects if that batch failed, so the message is redelivered.
 */
export class IngestBatcher {
  private readonly ingest: (batch: RawObservation[]) => Promise<IngestResult>;
  private readonly maxBatch: number;
  private readonly maxConcurrent: number;
  private readonly maxDelayMs: number;
  private readonly now: () => Date;
  private readonly limits: PayloadLimits;
  private items: RawObservation[] = [];
  private waiters: Waiter[] = [];
  /** A send is queued (a microtask, or the idle timer when `maxDelayMs` > 0). */
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly running = new Set<Promise<void>>();

  constructor(ingest: (batch: RawObservation[]) => Promise<IngestResult>, options: BatcherOptions) {
    this.ingest = ingest;
    this.maxBatch = Math.max(1, options.maxBatch ?? 2000);
    this.maxConcurrent = Math.max(1, options.maxConcurrent ?? 2);
    this.maxDelayMs = options.maxDelayMs ?? 0;
    this.now = options.now;
    this.limits = options.limits ?? DEFAULT_PAYLOAD_LIMITS;
  }

  /** Batches handed to `ingest` and not settled yet. */
  get inFlight(): number {
    return this.running.size;
  }

  /** Observations queued and not yet handed to `ingest`. */
  get queued(): number {
    return this.items.length;
  }

  /** Queues one message of a device; resolves when it is stored (or dead-lettered). */
  submit(deviceId: string, bytes: Uint8Array | string): Promise<void> {
    const observations = decodeRaw(deviceId, bytes, this.now(), this.limits);
    const done = new Promise<void>((resolve, reject) =>
      this.waiters.push({ count: observations.length, resolve, reject }),
    );
    for (const o of observations) this.items.push(o);
    this.pump();
    return done;
  }

  /** Sends what is queued now (as far as `maxConcurrent` allows; the rest goes as batches settle). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.scheduled = false;
    while (this.items.length > 0 && this.running.size < this.maxConcurrent) this.send();
  }

  /** Sends what is queued and waits until every batch has settled. */
  async drain(): Promise<void> {
    while (this.items.length > 0 || this.running.size > 0) {
      this.flush();
      await Promise.race(this.running);
    }
  }

  private pump(): void {
    // Full batches go at once if there is room; a partial one at the end of this turn (or after the idle wait).
    while (this.items.length >= this.maxBatch && this.running.size < this.maxConcurrent) this.send();
    if (this.scheduled || this.items.length === 0 || this.running.size >= this.maxConcurrent) return;
    this.scheduled = true;
    if (this.maxDelayMs > 0) this.timer = setTimeout(() => this.flush(), this.maxDelayMs);
    else queueMicrotask(() => this.scheduled && this.flush());
  }

  /** Hands the oldest queued messages (up to `maxBatch` observations) to `ingest`. */
  private send(): void {
    let n = 0;
    let m = 0;
    while (m < this.waiters.length && n < this.maxBatch) n += this.waiters[m++]!.count;
    const items = n === this.items.length ? this.items : this.items.slice(0, n);
    const waiters = m === this.waiters.length ? this.waiters : this.waiters.slice(0, m);
    this.items = n === this.items.length ? [] : this.items.slice(n);
    this.waiters = m === this.waiters.length ? [] : this.waiters.slice(m);
    let ingested: Promise<IngestResult>;
    try {
      ingested = this.ingest(items);
    } catch (error) {
      ingested = Promise.reject(error);
    }
    const run = ingested.then(
      () => {
        for (const w of waiters) w.resolve();
      },
      (error) => {
        for (const w of waiters) w.reject(error);
      },
    );
    this.running.add(run);
    // The moment a batch settles, what accumulated behind it goes (group commit).
    void run.finally(() => {
      this.running.delete(run);
      if (this.items.length > 0) this.flush();
    });
  }
}
