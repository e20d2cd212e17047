import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { AppError } from '../errors.ts';
import { BaseBus, type BusDeps, type ResolvedOptions } from './base.bus.ts';
import type { DeadLetter, Envelope, RawPublisher, Subscription } from './bus.types.ts';
import type { Dispatcher } from './dispatch.ts';
import { AckBatcher } from './jetstream.delivery.ts';
import { AckingPublisher } from './jetstream.publisher.ts';
import { PullLoop } from './jetstream.pull.ts';
import {
  ensureConsumer,
  ensureStreams,
  type StreamNames,
  type StreamSettings,
  streamNames,
} from './jetstream.setup.ts';
import type { SubjectMap } from './subjects.ts';

export type { StreamSettings };

/** Where and how the JetStream bus connects. */
export interface JetStreamOptions {
  url: string;
  prefix: string;
  stream: StreamSettings;
  /** How long a publish keeps retrying through a disconnect before it fails. Default 30 s. */
  publishTimeoutMs?: number;
  /** Lifetime of a pull request, and so the longest a subscription's stop waits. Default 2 s (min 1 s). */
  pullExpiresMs?: number;
}

// Publishes sent before waiting for their acks: enough to hide the ack round trip.
const PUBLISH_WINDOW = 5_000;

/**
 * The server-mode bus: one stream on NATS JetStream, one durable pull consumer per group,
 * shared by every process that subscribes with that group.
 */
export class JetStreamBus<M extends SubjectMap> extends BaseBus<M> implements RawPublisher {
  readonly kind = 'jetstream' as const;
  readonly names: StreamNames;
  private readonly nc: NatsConnection;
  private readonly js: JetStreamClient;
  private readonly jsm: JetStreamManager;
  private readonly publisher: AckingPublisher;
  private readonly acks = new AckBatcher();
  private readonly publishTimeoutMs: number;
  private readonly pullExpiresMs: number;

  private constructor(
    deps: BusDeps<M>,
    nc: NatsConnection,
    jsm: JetStreamManager,
    options: JetStreamOptions,
  ) {
    super(deps);
    this.nc = nc;
    this.jsm = jsm;
    this.js = jetstream(nc);
    this.publisher = new AckingPublisher(nc);
    this.names = streamNames(options.prefix);
    this.publishTimeoutMs = options.publishTimeoutMs ?? 30_000;
    this.pullExpiresMs = options.pullExpiresMs ?? 2_000;
  }

  /** Connects (reconnecting forever after), ensures the streams and returns the bus. */
  static async connect<M extends SubjectMap>(
    deps: BusDeps<M>,
    options: JetStreamOptions,
  ): Promise<JetStreamBus<M>> {
    const nc = await connect({
      servers: options.url,
      name: `citybrain-${process.pid}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
    });
    try {
      const jsm = await jetstreamManager(nc);
      await ensureStreams(jsm, streamNames(options.prefix), options.stream);
      const bus = new JetStreamBus(deps, nc, jsm, options);
      bus.watchConnection();
      return bus;
    } catch (err) {
      await nc.close();
      throw err;
    }
  }

  async publishRaw(subject: string, body: unknown): Promise<void> {
    const data = typeof body === 'string' ? body : JSON.stringify(body);
    await this.publishWire(`${this.names.prefix}.${subject}`, data, undefined);
  }

  protected async send(envelopes: Envelope[]): Promise<void> {
    const prefix = this.names.prefix;
    // Send a window at once and collect its acks; only what failed (e.g. a disconnect) goes
    // through the slower retry path, where the message id makes a repeat harmless.
    for (let i = 0; i < envelopes.length; i += PUBLISH_WINDOW) {
      const window = envelopes.slice(i, i + PUBLISH_WINDOW);
      const data = window.map((e) => JSON.stringify(e));
      const results = await Promise.allSettled(
        window.map((e, k) => this.publisher.publish(`${prefix}.${e.subject}`, data[k]!, e.id)),
      );
      const retries = window.flatMap((e, k) =>
        results[k]!.status === 'rejected' ? [this.publishWire(`${prefix}.${e.subject}`, data[k]!, e.id)] : [],
      );
      await Promise.all(retries);
    }
  }

  protected async open(
    pattern: string,
    options: ResolvedOptions,
    dispatcher: Dispatcher,
  ): Promise<Subscription> {
    const { prefix, stream } = this.names;
    await ensureConsumer(this.jsm, stream, {
      durable: options.group,
      filterSubject: `${prefix}.${pattern}`,
      ackWaitMs: options.ackWaitMs,
      maxAckPending: options.maxAckPending,
      maxDeliver: options.maxAttempts + 5,
    });
    const consumer = await this.js.consumers.get(stream, options.group);
    const pull = new PullLoop(consumer, dispatcher, this.acks, this.deps.logger, {
      capacity: dispatcher.room(),
      expiresMs: this.pullExpiresMs,
      strip: prefix.length + 1,
      group: options.group,
    });
    pull.start();
    return {
      group: options.group,
      owner: options.owner,
      pattern,
      stop: async () => {
        const pulling = pull.stop();
        const unstarted = await dispatcher.stop();
        // Hand back what never started so another member gets it now, not after ack_wait.
        for (const delivery of unstarted) delivery.retry(0);
        await pulling;
        this.acks.flush();
        if (!this.nc.isClosed()) await this.nc.flush().catch(() => {});
      },
    };
  }

  protected async storeDeadLetter(letter: DeadLetter): Promise<void> {
    const id = letter.envelope ? `${letter.group}:${letter.envelope.id}` : undefined;
    const subject = `${this.names.deadLetterPrefix}.${letter.group}`;
    try {
      await this.publishWire(subject, JSON.stringify(letter), id);
    } catch (err) {
      // A message near max_payload no longer fits once wrapped in its dead letter: keep an
      // excerpt instead, or it would be redelivered and refused again until max_deliver.
      if (!(err instanceof AppError) || err.code !== 'invalid_data' || !letter.envelope) throw err;
      const { envelope, ...rest } = letter;
      const raw = JSON.stringify(envelope);
      const excerpt = { ...rest, raw: `${raw.slice(0, 4_096)}… (${raw.length} chars)` };
      await this.publishWire(subject, JSON.stringify(excerpt), id);
    }
  }

  protected async shutdown(): Promise<void> {
    this.acks.flush();
    this.publisher.close();
    if (!this.nc.isClosed()) await this.nc.drain();
  }

  /**
   * Publishes and waits for the stream's ack, retrying through disconnects and server restarts
   * until `publishTimeoutMs`; the message id makes a retry of an already stored message a no-op.
   * A message the client refuses outright (over the server's max_payload) fails at once.
   */
  private async publishWire(subject: string, data: string, msgID: string | undefined): Promise<void> {
    const deadline = Date.now() + this.publishTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.publisher.publish(subject, data, msgID);
        return;
      } catch (err) {
        // The client refuses the message itself (over max_payload, a bad subject): no retry can help.
        if ((err as Error).name === 'InvalidArgumentError') {
          throw new AppError(
            'invalid_data',
            `bus publish to '${subject}' refused: ${(err as Error).message}`,
          );
        }
        if (this.nc.isClosed() || Date.now() >= deadline) {
          throw new AppError('unavailable', `bus publish to '${subject}' failed: ${(err as Error).message}`);
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 25 * 2 ** attempt)));
      }
    }
  }

  private watchConnection(): void {
    void (async () => {
      for await (const s of this.nc.status()) {
        if (s.type === 'disconnect')
          this.deps.logger.warn({ server: s.server }, 'bus disconnected from NATS');
        else if (s.type === 'reconnect')
          this.deps.logger.info({ server: s.server }, 'bus reconnected to NATS');
      }
    })().catch(() => {});
  }
}
