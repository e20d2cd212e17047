import type { Matching, PayloadIn, PayloadOut, SubjectMap, SubjectOf } from './subjects.ts';

/** What travels on the bus: the payload plus the facts every consumer needs. */
export interface Envelope<S extends string = string, P = unknown> {
  /** Unique message id (uuid); consumers dedupe on it, JetStream dedupes publishes on it. */
  readonly id: string;
  readonly subject: S;
  /** When the fact happened (ISO 8601), from the publisher's clock. */
  readonly occurredAt: string;
  /** Ordering/partition key, e.g. a device id; messages with one key never run concurrently in a subscription. */
  readonly key?: string;
  readonly payload: P;
}

/** The envelope a handler of pattern `P` receives: a union over the matching subjects, narrowable by `subject`. */
export type EnvelopeFor<M extends SubjectMap, P extends string> = {
  [S in Matching<M, P>]: Envelope<S, PayloadOut<M, S>>;
}[Matching<M, P>];

/** Options of one publish. */
export interface PublishOptions {
  /** Message id; give a stable one (e.g. an outbox row id) to make re-publishing harmless. */
  id?: string;
  key?: string;
  occurredAt?: Date;
}

/** One message of a `publishBatch`. */
export type BatchMessage<M extends SubjectMap> = {
  [S in SubjectOf<M>]: { subject: S; payload: PayloadIn<M, S> } & PublishOptions;
}[SubjectOf<M>];

/** Facts about the current delivery. */
export interface DeliveryContext {
  /** 1 on first delivery, then 2, 3 … (redeliveries after a failure or a lost consumer). */
  attempt: number;
}

/** Why a message was set aside instead of handled. */
export type DeadLetterReason = 'handler_failed' | 'invalid_message' | 'unknown_subject';

/** A message the bus gave up on, with the reason; JetStream also keeps it in the dead-letter stream. */
export interface DeadLetter {
  group: string;
  reason: DeadLetterReason;
  error: string;
  attempts: number;
  /** The subject it arrived on (without the stream prefix). */
  subject: string;
  /** The decoded envelope when it could be decoded, otherwise the raw body. */
  envelope?: Envelope;
  raw?: string;
  at: string;
}

/** How a subscription consumes. Defaults suit an ordinary handler; tune for throughput. */
export interface SubscribeOptions {
  /** Durable consumer name: subscriptions with one group share the messages, each group gets all. */
  group: string;
  /** Who subscribed; `stop(owner)` removes every subscription of the owner. */
  owner: string;
  /** Handlers (or batches) running at once in this subscription. Default 16 (batches: 1). */
  maxInFlight?: number;
  /** Deliveries before a failing message is dead-lettered. Default 5. */
  maxAttempts?: number;
  /** First retry delay; doubles per attempt up to `maxBackoffMs`. Default 500 / 60,000. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** JetStream: how long a delivered message may stay unacked before it goes to another member. Default 30 s. */
  ackWaitMs?: number;
  /**
   * JetStream: unacked messages the whole group may hold at once (the flow-control window, and
   * what a member may buffer). Default 8 × maxInFlight (× maxBatch), at least 64; raise it when
   * many members share the group.
   */
  maxAckPending?: number;
  /** Called for each dead letter of this subscription (instead of the bus-wide `onDeadLetter`). */
  deadLetter?: (letter: DeadLetter) => void;
}

/** A batch subscription: the handler gets up to `maxBatch` messages, waiting at most `maxWaitMs` to fill one. */
export interface BatchSubscribeOptions extends SubscribeOptions {
  maxBatch?: number;
  maxWaitMs?: number;
}

/** A message handler; resolve to ack, throw to have the message redelivered (then dead-lettered). */
export type Handler<E> = (envelope: E, context: DeliveryContext) => Promise<void> | void;

/** A batch handler; resolve to ack the whole batch, throw to have each message redelivered. */
export type BatchHandler<E> = (envelopes: E[], context: DeliveryContext) => Promise<void> | void;

/** A live subscription. */
export interface Subscription {
  readonly group: string;
  readonly owner: string;
  readonly pattern: string;
  /** Stops pulling, lets running handlers finish, hands unstarted messages back to the group. */
  stop(): Promise<void>;
}

/** Counters of what the bus did since it started. */
export interface BusStats {
  published: number;
  delivered: number;
  acked: number;
  retried: number;
  deadLettered: number;
}

/** The typed event bus: one interface, in-process or NATS JetStream behind it. */
export interface Bus<M extends SubjectMap> {
  readonly kind: 'memory' | 'jetstream';
  readonly subjects: M;
  /** Validates, then resolves once the message is durably accepted (JetStream ack; memory: queued). */
  publish<S extends SubjectOf<M>>(
    subject: S,
    payload: PayloadIn<M, S>,
    options?: PublishOptions,
  ): Promise<Envelope<S, PayloadOut<M, S>>>;
  /** Publishes many messages pipelined; resolves once all are accepted. Validates all before sending any. */
  publishBatch(messages: readonly BatchMessage<M>[]): Promise<Envelope[]>;
  /** Delivers each message of the group's share to `handler`, acking after it resolves. */
  subscribe<P extends string>(
    pattern: P & ([Matching<M, P>] extends [never] ? 'no registered subject matches this pattern' : unknown),
    options: SubscribeOptions,
    handler: Handler<EnvelopeFor<M, P>>,
  ): Promise<Subscription>;
  /** Like subscribe, but hands the handler batches (for high-rate consumers such as ingest). */
  subscribeBatch<P extends string>(
    pattern: P & ([Matching<M, P>] extends [never] ? 'no registered subject matches this pattern' : unknown),
    options: BatchSubscribeOptions,
    handler: BatchHandler<EnvelopeFor<M, P>>,
  ): Promise<Subscription>;
  /** Stops every subscription of `owner`. */
  stop(owner: string): Promise<void>;
  /** Stops all subscriptions, lets running handlers finish and flushes acks; the bus is unusable after. */
  close(): Promise<void>;
  stats(): BusStats;
}

/** Publishing without validation, for tests and replay tools that must put arbitrary bodies on the wire. */
export interface RawPublisher {
  publishRaw(subject: string, body: unknown): Promise<void>;
}
