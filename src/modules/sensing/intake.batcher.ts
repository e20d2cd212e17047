import type { IngestResult, RawObservation } from './intake.service.ts';

/** Decodes bytes as a transport received them: a JSON object is one observation, an array several, invalid JSON one dead letter. */
export function decodeRaw(deviceId: string, bytes: Uint8Array | string, receivedAt: Date): RawObservation[] {
  const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8');
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch (error) {
    return [
      {
        deviceId,
        payload: text,
        receivedAt,
        decodeError: { reason: 'invalid_json', detail: (error as Error).message },
      },
    ];
  }
  return (Array.isArray(payload) ? payload : [payload]).map((p) => ({ deviceId, payload: p, receivedAt }));
}

/** Options of a batcher. */
export interface BatcherOptions {
  /** Observations per ingest batch at most (default 2,000). */
  maxBatch?: number;
  /** How long the first message of a batch waits for company, ms (default 20). */
  maxDelayMs?: number;
  /** Arrival time stamp (the service's clock). */
  now: () => Date;
}

/**
 * Groups messages that arrive one by one (MQTT delivers them so) into ingest batches: each
 * `submit` resolves once the batch holding its message has committed — the moment a transport
 * may acknowledge it — and rejects if that batch failed, so the message is redelivered.
 */
export class IngestBatcher {
  private readonly ingest: (batch: RawObservation[]) => Promise<IngestResult>;
  private readonly maxBatch: number;
  private readonly maxDelayMs: number;
  private readonly now: () => Date;
  private items: RawObservation[] = [];
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly running = new Set<Promise<void>>();

  constructor(ingest: (batch: RawObservation[]) => Promise<IngestResult>, options: BatcherOptions) {
    this.ingest = ingest;
    this.maxBatch = options.maxBatch ?? 2000;
    this.maxDelayMs = options.maxDelayMs ?? 20;
    this.now = options.now;
  }

  /** Queues one message of a device; resolves when it is stored (or dead-lettered). */
  submit(deviceId: string, bytes: Uint8Array | string): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.items.push(...decodeRaw(deviceId, bytes, this.now()));
    if (this.items.length >= this.maxBatch) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.maxDelayMs);
    return done;
  }

  /** Sends what is queued now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.items.length === 0) return;
    const items = this.items;
    const waiters = this.waiters;
    this.items = [];
    this.waiters = [];
    const run = this.ingest(items).then(
      () => {
        for (const w of waiters) w.resolve();
      },
      (error) => {
        for (const w of waiters) w.reject(error);
      },
    );
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  /** Sends what is queued and waits for every batch in progress. */
  async drain(): Promise<void> {
    this.flush();
    await Promise.allSettled([...this.running]);
  }
}
