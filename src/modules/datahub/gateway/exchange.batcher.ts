import type { ExchangeLog, ExchangeRecord } from '../exchange/index.ts';

interface Waiting {
  record: ExchangeRecord;
  resolve: (seq: number) => void;
  reject: (error: unknown) => void;
}

/**
 * Gathers single exchanges into `ExchangeLog.append` batches: the first record of a batch starts
 * a window (`windowMs`; 0, the default, is what the current turn of the event loop queues), the
 * batch is appended when the window ends or it is full, and each
 * caller's promise settles when its batch has committed (or failed: then every caller of the
 * batch gets the error, and no data leaves the gateway unlogged). One batch is written at a time,
 * so the chain's order is the order of `log` calls. A batch is cut when its write starts, not
 * when its window ends: while one batch is being written the next one keeps gathering (group
 * commit), so under load the batches grow with the write time instead of queueing as many small
 * writes, one window's worth each, behind one another.
 */
export class ExchangeBatcher {
  private readonly log: ExchangeLog;
  private readonly windowMs: number;
  private readonly maxBatch: number;
  private queue: Waiting[] = [];
  /** Cancels the open window's timer; undefined while no window is open. */
  private cancelWindow: (() => void) | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(log: ExchangeLog, options: { windowMs?: number; maxBatch?: number } = {}) {
    this.log = log;
    this.windowMs = options.windowMs ?? 0;
    this.maxBatch = options.maxBatch ?? 1000;
  }

  /** Queues one record; resolves with its sequence number once its batch is committed. */
  append(record: ExchangeRecord): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ record, resolve, reject });
      if (this.queue.length >= this.maxBatch) this.flush();
      else this.cancelWindow ??= this.startWindow();
    });
  }

  /** Writes what is queued now (after the batch being written); resolves when that is committed. */
  flush(): Promise<void> {
    this.cancelWindow?.();
    this.cancelWindow = undefined;
    if (this.queue.length === 0) return this.writing;
    this.writing = this.writing.then(() => this.write());
    return this.writing;
  }

  /** Opens a window: `windowMs` on a timer, or 0 — what the current turn of the event loop queues. */
  private startWindow(): () => void {
    if (this.windowMs <= 0) {
      const immediate = setImmediate(() => this.flush());
      return () => clearImmediate(immediate);
    }
    const timer = setTimeout(() => this.flush(), this.windowMs);
    return () => clearTimeout(timer);
  }

  /** Takes (up to `maxBatch` of) what is queued when the write starts and appends it. */
  private async write(): Promise<void> {
    const batch = this.queue.splice(0, this.maxBatch);
    if (batch.length === 0) return; // an earlier write took them
    if (this.queue.length > 0) this.flush(); // more than a full batch was waiting: write the rest next
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
