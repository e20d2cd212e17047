import type { Consumer } from '@nats-io/jetstream';
import type { Logger } from '../logger.ts';
import type { Dispatcher } from './dispatch.ts';
import { type AckBatcher, JsDelivery } from './jetstream.delivery.ts';

/** How one subscription pulls. */
export interface PullOptions {
  /** Messages the dispatcher runs at once (maxInFlight, × maxBatch for batches). */
  capacity: number;
  /** Lifetime of one pull request; also the longest `stop` waits for the last one to end. */
  expiresMs: number;
  /** Characters of the wire subject before the bus subject (`<prefix>.`). */
  strip: number;
  group: string;
}

/**
 * Feeds one subscription from its group's durable consumer with explicit pull requests, each
 * for no more than the dispatcher has room for (at most two capacities buffered). `consume()`
 * would keep pulling whatever the handlers' pace, so a slow member would hoard messages past
 * `ack_wait`; and its pull requests outlive `close()` on the server, so messages still sent to
 * them after a stop wait out `ack_wait`. Here `stop` lets the last request end and hands every
 * message that arrives meanwhile straight back to the group.
 */
export class PullLoop {
  private readonly consumer: Consumer;
  private readonly dispatcher: Dispatcher;
  private readonly acks: AckBatcher;
  private readonly logger: Logger;
  private readonly options: PullOptions;
  private stopping = false;
  private wake: (() => void) | undefined;
  private done: Promise<void> = Promise.resolve();

  constructor(
    consumer: Consumer,
    dispatcher: Dispatcher,
    acks: AckBatcher,
    logger: Logger,
    options: PullOptions,
  ) {
    this.consumer = consumer;
    this.dispatcher = dispatcher;
    this.acks = acks;
    this.logger = logger;
    this.options = options;
  }

  /** Starts pulling in the background. */
  start(): void {
    this.dispatcher.onRoom = () => this.wake?.();
    this.done = this.run();
  }

  /** Stops pulling; resolves once the last pull request has ended (at most `expiresMs`). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.done;
  }

  private async run(): Promise<void> {
    const { capacity, expiresMs, strip, group } = this.options;
    let failures = 0;
    while (!this.stopping) {
      // Wait for room for at least half a capacity, so pulls stay large.
      if (this.dispatcher.room() < Math.ceil(capacity / 2)) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = undefined;
        continue;
      }
      try {
        const batch = await this.consumer.fetch({
          max_messages: this.dispatcher.room() + capacity,
          expires: expiresMs,
          bind: true,
        });
        for await (const m of batch)
          this.dispatcher.push(new JsDelivery(m, m.subject.slice(strip), this.acks));
        failures = 0;
      } catch (err) {
        // Disconnected, server restarting, heartbeats missed: back off and pull again.
        failures++;
        this.logger.debug({ err, group, failures }, 'bus pull failed; will retry');
        await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 50 * 2 ** failures)));
      }
    }
  }
}
