import type { BatchHandler, Envelope } from './bus.types.ts';
import { type Delivery, type DispatchContext, Dispatcher, type Item } from './dispatch.ts';

/**
 * Collects messages into batches of up to `maxBatch`, waiting at most `maxWaitMs` for a batch
 * to fill, and runs at most `maxInFlight` batches at once. A failed batch retries each of its
 * messages on its own schedule (and dead-letters those out of attempts).
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
      await Promise.all(batch.map((item) => this.failed(item, err)));
    } finally {
      this.batchesRunning--;
      this.finished(batch.length);
      // A full buffer may be waiting for this batch's slot.
      if (this.buffer.length >= this.maxBatch) this.flush();
    }
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
