import type { BatchHandler, Envelope } from './bus.types.ts';
import { type Delivery, type DispatchContext, Dispatcher, type Item } from './dispatch.ts';

/**
 * Collects messages into batches of up to `maxBatch`, waiting at most `maxWaitMs` for a batch
 * to fill, and runs at most `maxInFlight` batches at once. A failed batch retries each of its
 * messages on its own schedule; those out of attempts are bisected so that only the messages
 * that fail alone are dead-lettered.
 */
export class BatchDispatcher extends Dispatcher {
  private readonly handler: BatchHandler<Envelope>;
  private readonly maxBatch: number;
  private readonly maxWaitMs: number;
  private readonly maxInFlight: number;
  private buffer: Item[] = [];
  private batchesRunning = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    ctx: DispatchContext,
    limits: { maxBatch: number; maxWaitMs: number; maxInFlight: number },
    handler: BatchHandler<Envelope>,
  ) {
    super(ctx);
    this.maxBatch = limits.maxBatch;
    this.maxWaitMs = limits.maxWaitMs;
    this.maxInFlight = limits.maxInFlight;
    this.handler = handler;
  }

  room(): number {
    return Math.max(0, this.maxBatch * this.maxInFlight - this.running - this.buffer.length);
  }

  protected accept(item: Item): void {
    this.buffer.push(item);
    if (this.buffer.length >= this.maxBatch) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(true), this.maxWaitMs);
  }

  protected takeUnstarted(): Delivery[] {
    this.clearTimer();
    const rest = this.buffer.map((item) => item.delivery);
    this.buffer = [];
    return rest;
  }

  /** Starts full batches while there is room; `timedOut` also starts a partial one. */
  private flush(timedOut = false): void {
    if (timedOut) this.timer = undefined;
    while (!this.stopped && this.batchesRunning < this.maxInFlight && this.buffer.length > 0) {
      if (this.buffer.length < this.maxBatch && !timedOut) break;
      const batch = this.buffer.length <= this.maxBatch ? this.buffer : this.buffer.slice(0, this.maxBatch);
      this.buffer = batch === this.buffer ? [] : this.buffer.slice(this.maxBatch);
      void this.run(batch);
    }
    if (this.buffer.length > 0 && !this.timer && !this.stopped) {
      this.timer = setTimeout(() => this.flush(true), this.maxWaitMs);
    } else if (this.buffer.length === 0) {
      this.clearTimer();
    }
  }

  private async run(batch: Item[]): Promise<void> {
    this.batchesRunning++;
    this.started(batch.length);
    try {
      const attempt = Math.max(...batch.map((item) => item.delivery.attempt));
      await this.handler(
        batch.map((item) => item.envelope),
        { attempt },
      );
      for (const item of batch) this.succeeded(item);
    } catch (err) {
      // Messages with attempts left retry on their own schedule. Those out of attempts are not
      // dead-lettered together: one poison message fails its whole batch every time, so the
      // batch is bisected and only the messages that fail alone are dead-lettered.
      const last = batch.filter((item) => item.delivery.attempt >= this.ctx.maxAttempts);
      await Promise.all(
        batch
          .filter((item) => item.delivery.attempt < this.ctx.maxAttempts)
          .map((item) => this.failed(item, err)),
      );
      await this.isolate(last, err);
    } finally {
      this.batchesRunning--;
      this.finished(batch.length);
      // A full buffer may be waiting for this batch's slot.
      if (this.buffer.length >= this.maxBatch) this.flush();
    }
  }

  /** Runs halves of a failed final-attempt batch until the failing messages stand alone; they are dead-lettered. */
  private async isolate(items: Item[], err: unknown): Promise<void> {
    const [only] = items;
    if (items.length <= 1) {
      if (only) await this.failed(only, err);
      return;
    }
    const mid = Math.ceil(items.length / 2);
    for (const half of [items.slice(0, mid), items.slice(mid)]) {
      try {
        await this.handler(
          half.map((item) => item.envelope),
          { attempt: this.ctx.maxAttempts },
        );
        for (const item of half) this.succeeded(item);
      } catch (halfErr) {
        await this.isolate(half, halfErr);
      }
    }
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
