import type { ExchangeLog, ExchangeRecord } from '../exchange/index.ts';

interface Waiting {
  record: ExchangeRecord;
  resolve: (seq: number) => void;
  reject: (error: unknown) => void;
}

/**
 * Gathers single exchanges into `ExchangeLog.append` batches: the first record of a batch starts
 * a short window (`windowMs`), the batch is appended when the window ends or it is full, and each
 * caller's promise settles when its batch has committed (or failed: then every caller of the
 * batch gets the error, and no data leaves the gateway unlogged). One batch is written at a time,
 * so the chain's order is the order of `log` calls.
 */
export class ExchangeBatcher {
  private readonly log: ExchangeLog;
  private readonly windowMs: number;
  private readonly maxBatch: number;
  private queue: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(log: ExchangeLog, options: { windowMs?: number; maxBatch?: number } = {}) {
    this.log = log;
    this.windowMs = options.windowMs ?? 2;
    this.maxBatch = options.maxBatch ?? 1000;
  }

  /** Queues one record; resolves with its sequence number once its batch is committed. */
  append(record: ExchangeRecord): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ record, resolve, reject });
      if (this.queue.length >= this.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.windowMs);
    });
  }

  /** Writes what is queued now (after the batch being written); resolves when that is committed. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return this.writing;
    this.writing = this.writing.then(() => this.write(batch));
    return this.writing;
  }

  private async write(batch: Waiting[]): Promise<void> {
    try {
      const { firstSeq } = await this.log.append(batch.map((w) => w.record));
      batch.forEach((w, i) => {
        w.resolve(firstSeq + i);
      });
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }
}
