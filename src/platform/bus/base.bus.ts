import type { Clock } from '../clock.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { BatchDispatcher } from './batch.ts';
import type {
  BatchHandler,
  BatchMessage,
  BatchSubscribeOptions,
  Bus,
  BusStats,
  DeadLetter,
  Envelope,
  Handler,
  PublishOptions,
  SubscribeOptions,
  Subscription,
} from './bus.types.ts';
import type { DispatchContext, Dispatcher } from './dispatch.ts';
import { makeEnvelope } from './envelope.ts';
import type { BusMetrics } from './metrics.ts';
import { SingleDispatcher } from './single.ts';
import { assertPattern, type SubjectMap } from './subjects.ts';

/** What both implementations are built from. */
export interface BusDeps<M extends SubjectMap> {
  subjects: M;
  logger: Logger;
  clock: Clock;
  metrics: BusMetrics;
  /** Bus-wide dead-letter callback, for subscriptions that bring none. */
  onDeadLetter?: (letter: DeadLetter) => void;
}

/** A subscription's options with every default filled in. */
export type ResolvedOptions = Required<Omit<SubscribeOptions, 'deadLetter'>> &
  Pick<SubscribeOptions, 'deadLetter'>;

/**
 * Validation, envelopes, option defaults and owner bookkeeping, shared by the in-process
 * and JetStream buses; subclasses only move envelopes and feed dispatchers.
 */
export abstract class BaseBus<M extends SubjectMap> implements Bus<M> {
  abstract readonly kind: 'memory' | 'jetstream';
  readonly subjects: M;
  protected readonly deps: BusDeps<M>;
  protected closed = false;
  private readonly subscriptions = new Set<Subscription>();

  constructor(deps: BusDeps<M>) {
    this.deps = deps;
    this.subjects = deps.subjects;
  }

  /** Puts validated envelopes on the transport; resolves once all are accepted. */
  protected abstract send(envelopes: Envelope[]): Promise<void>;

  /** Starts feeding a group's messages into a dispatcher. */
  protected abstract open(
    pattern: string,
    options: ResolvedOptions,
    dispatcher: Dispatcher,
  ): Promise<Subscription>;

  /** Keeps or forwards a dead letter for the transport (e.g. into the dead-letter stream). */
  protected abstract storeDeadLetter(letter: DeadLetter): Promise<void>;

  /** Releases the transport after every subscription stopped. */
  protected abstract shutdown(): Promise<void>;

  async publish(subject: string, payload: unknown, options: PublishOptions = {}): Promise<never> {
    this.assertOpen();
    const envelope = makeEnvelope(this.subjects, subject, payload, options, () => this.deps.clock.now());
    await this.send([envelope]);
    this.deps.metrics.inc('published', '');
    return envelope as never;
  }

  async publishBatch(messages: readonly BatchMessage<M>[]): Promise<Envelope[]> {
    this.assertOpen();
    const now = () => this.deps.clock.now();
    // Validate everything first, so a bad message in the middle sends nothing rather than half.
    const envelopes = messages.map((m) => makeEnvelope(this.subjects, m.subject, m.payload, m, now));
    await this.send(envelopes);
    this.deps.metrics.inc('published', '', envelopes.length);
    return envelopes;
  }

  subscribe(pattern: string, options: SubscribeOptions, handler: Handler<never>): Promise<Subscription> {
    const resolved = this.resolve(options, 16, 1);
    const ctx = this.context(resolved);
    return this.track(
      pattern,
      resolved,
      new SingleDispatcher(ctx, resolved.maxInFlight, handler as Handler<Envelope>),
    );
  }

  subscribeBatch(
    pattern: string,
    options: BatchSubscribeOptions,
    handler: BatchHandler<never>,
  ): Promise<Subscription> {
    const resolved = this.resolve(options, 1, options.maxBatch ?? 500);
    const limits = { maxBatch: options.maxBatch ?? 500, maxWaitMs: options.maxWaitMs ?? 50, ...resolved };
    const dispatcher = new BatchDispatcher(this.context(resolved), limits, handler as BatchHandler<Envelope>);
    return this.track(pattern, resolved, dispatcher);
  }

  async stop(owner: string): Promise<void> {
    const mine = [...this.subscriptions].filter((s) => s.owner === owner);
    await Promise.all(mine.map((s) => s.stop()));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.shutdown();
  }

  stats(): BusStats {
    return this.deps.metrics.snapshot();
  }

  private async track(
    pattern: string,
    options: ResolvedOptions,
    dispatcher: Dispatcher,
  ): Promise<Subscription> {
    this.assertOpen();
    assertPattern(pattern);
    const inner = await this.open(pattern, options, dispatcher);
    const subscription: Subscription = {
      group: inner.group,
      owner: inner.owner,
      pattern: inner.pattern,
      stop: async () => {
        this.subscriptions.delete(subscription);
        await inner.stop();
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  private resolve(options: SubscribeOptions, defaultInFlight: number, batchSize: number): ResolvedOptions {
    if (!/^[A-Za-z0-9_-]+$/.test(options.group)) {
      throw new AppError(
        'invalid_data',
        `invalid consumer group '${options.group}' (letters, digits, _ and -)`,
      );
    }
    const maxInFlight = options.maxInFlight ?? defaultInFlight;
    return {
      maxInFlight,
      maxAttempts: 5,
      backoffMs: 500,
      maxBackoffMs: 60_000,
      ackWaitMs: 30_000,
      // The client pulls ahead up to this window whatever the handlers' pace, so it is sized
      // to the subscription: a slow group must not hold more than it can finish in ack_wait.
      maxAckPending: Math.max(64, maxInFlight * batchSize * 8),
      // An explicit `undefined` must not wipe a default.
      ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    } as ResolvedOptions;
  }

  private context(options: ResolvedOptions): DispatchContext {
    const announce = options.deadLetter ?? this.deps.onDeadLetter;
    return {
      subjects: this.subjects,
      group: options.group,
      logger: this.deps.logger,
      metrics: this.deps.metrics,
      maxAttempts: options.maxAttempts,
      backoffMs: options.backoffMs,
      maxBackoffMs: options.maxBackoffMs,
      now: () => this.deps.clock.now(),
      deadLetter: async (letter) => {
        await this.storeDeadLetter(letter);
        try {
          announce?.(letter);
        } catch (err) {
          this.deps.logger.error({ err, group: letter.group }, 'bus dead-letter callback threw');
        }
      },
    };
  }

  private assertOpen(): void {
    if (this.closed) throw new AppError('unavailable', 'the bus is closed');
  }
}
