import type { Envelope, Handler } from './bus.types.ts';
import { type Delivery, type DispatchContext, Dispatcher, type Item } from './dispatch.ts';
import { Fifo } from './fifo.ts';

/**
 * Runs one handler call per message, at most `maxInFlight` at once, and never two messages
 * with the same key at once (they run in arrival order), so per-device updates do not race.
 */
export class SingleDispatcher extends Dispatcher {
  private readonly handler: Handler<Envelope>;
  private readonly maxInFlight: number;
  private readonly ready = new Fifo<Item>();
  /** Keys with a running message → messages of that key waiting behind it. */
  private readonly busyKeys = new Map<string, Item[]>();
  private parked = 0;

  constructor(ctx: DispatchContext, maxInFlight: number, handler: Handler<Envelope>) {
    super(ctx);
    this.maxInFlight = maxInFlight;
    this.handler = handler;
  }

  room(): number {
    // Messages parked behind a busy key count too, or one hot key would let the buffer grow.
    return Math.max(0, this.maxInFlight - this.running - this.ready.length - this.parked);
  }

  protected accept(item: Item): void {
    this.ready.push(item);
    this.pump();
  }

  protected takeUnstarted(): Delivery[] {
    const rest = this.ready.drain();
    for (const waiting of this.busyKeys.values()) rest.push(...waiting);
    this.busyKeys.clear();
    this.parked = 0;
    return rest.map((item) => item.delivery);
  }

  private pump(): void {
    while (!this.stopped && this.running < this.maxInFlight) {
      const item = this.ready.shift();
      if (!item) return;
      const key = item.envelope.key;
      if (key !== undefined) {
        const waiting = this.busyKeys.get(key);
        if (waiting) {
          waiting.push(item);
          this.parked++;
          continue;
        }
        this.busyKeys.set(key, []);
      }
      this.started();
      void this.run(item);
    }
  }

  private async run(item: Item): Promise<void> {
    try {
      await this.handler(item.envelope, { attempt: item.delivery.attempt });
      this.succeeded(item);
    } catch (err) {
      await this.failed(item, err);
    } finally {
      this.release(item.envelope.key);
      this.finished();
      this.pump();
    }
  }

  private release(key: string | undefined): void {
    if (key === undefined) return;
    const waiting = this.busyKeys.get(key) ?? [];
    this.busyKeys.delete(key);
    this.parked -= waiting.length;
    // Waiting messages of this key go back to the front, in order, ahead of newer work;
    // pump starts the first and parks the rest behind it again.
    for (let i = waiting.length - 1; i >= 0; i--) this.ready.unshift(waiting[i]!);
  }
}
