import {
  AckPolicy,
  type Consumer,
  type ConsumerMessages,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
  ReplayPolicy,
} from '@nats-io/jetstream';
import { connect, nanos } from '@nats-io/transport-node';
import {
  type PartitionedRules,
  PartitionLostError,
  type PartitionMessage,
  ReadingsMessageSchema,
  readingsSubject,
  rulesLagGauge,
  rulesMessageCounter,
  rulesOwnedGauge,
  type SensingService,
} from '../modules/sensing/index.ts';
import type { Logger } from '../platform/logger.ts';
import { followDeviceChanges } from './rules-device-changes.ts';
import { PartitionOwnership } from './rules-ownership.ts';

/** A running rules process (`citybrain serve --role rules`). */
export interface RulesRole {
  readonly memberId: string;
  /** Partitions this process owns now. */
  readonly owned: number[];
  close(): Promise<void>;
}

/** What the rules role is built from. */
export interface RulesRoleOptions {
  sensing: SensingService;
  logger: Logger;
  databaseUrl: string;
  natsUrl: string;
  /** The bus's stream prefix (default `citybrain`: stream CITYBRAIN, subjects citybrain.>). */
  streamPrefix?: string;
  partitions: number;
  memberId: string;
  /** Called after alerts changed (wake the outbox relay). */
  onCommitted?: () => void;
  /** Clock-driven rules every this many seconds (default 10). */
  tickSeconds?: number;
  /** Ownership round interval (default 1,000 ms). */
  rebalanceMs?: number;
}

/** Durable consumer of a partition's readings. */
export function consumerName(partition: number): string {
  return `rules-p${partition}`;
}

/**
 * Runs the rules of the partitions this process owns: membership and advisory locks decide which
 * (rules-ownership.ts); for each, the durable JetStream pull consumer `rules-p<k>` is re-created
 * to start right after the partition's recorded progress (so whatever a former owner left
 * unacknowledged comes again, in order, and nothing applied comes twice), and its messages are
 * applied in stream order in small batches, one transaction each, acknowledged after commit.
 */
export async function startRulesRole(options: RulesRoleOptions): Promise<RulesRole> {
  const { sensing, logger, partitions, memberId } = options;
  const prefix = options.streamPrefix ?? 'citybrain';
  const stream = prefix.toUpperCase().replaceAll('-', '_');
  const nc = await connect({
    servers: options.natsUrl,
    name: `citybrain-rules-${memberId}`,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
  });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const worker = sensing.partitionedRules({ partitions, owner: memberId, onCommitted: options.onCommitted });
  const pullers = new Map<number, PartitionPuller>();
  // Before the registry cache is first loaded (on the first take), so no change falls in between.
  const follower = await followDeviceChanges({
    nc,
    streamPrefix: prefix,
    refresh: (ids) => worker.refreshDevices(ids),
    logger,
  });
  const sampled = new Set<number>();

  const ownership = new PartitionOwnership({
    connectionString: options.databaseUrl,
    memberId,
    partitions,
    logger,
    intervalMs: options.rebalanceMs ?? 1000,
    onTake: async (ks) => {
      const progress = await worker.take(ks);
      try {
        for (const k of ks) {
          await resetConsumer(jsm, stream, `${prefix}.${readingsSubject(k)}`, k, progress.get(k)! + 1);
          const puller = new PartitionPuller(js, stream, k, worker, logger);
          pullers.set(k, puller);
          puller.start();
        }
      } catch (error) {
        await stopPullers(ks);
        await worker.release(ks);
        throw error;
      }
      logger.info({ partitions: ks, memberId }, 'rules partitions taken');
    },
    onRelease: async (ks) => {
      await stopPullers(ks);
      await worker.release(ks);
      logger.info({ partitions: ks, memberId }, 'rules partitions released');
    },
    // Metrics, sampled once a round rather than per message: partitions owned and, per owned
    // partition, what its consumer has not had applied (pending + delivered but unacknowledged).
    onRound: async (owned) => {
      rulesOwnedGauge.set(owned.length);
      for (const k of sampled) {
        if (!owned.includes(k)) {
          rulesLagGauge.remove({ partition: String(k) });
          sampled.delete(k);
        }
      }
      await Promise.all(
        owned.map(async (k) => {
          const info = await jsm.consumers.info(stream, consumerName(k)).catch(() => undefined);
          if (!info) return;
          rulesLagGauge.set({ partition: String(k) }, info.num_pending + info.num_ack_pending);
          sampled.add(k);
        }),
      );
    },
  });

  async function stopPullers(ks: number[]): Promise<void> {
    await Promise.all(ks.map((k) => pullers.get(k)?.stop()));
    for (const k of ks) pullers.delete(k);
  }

  await ownership.start();
  const tickMs = (options.tickSeconds ?? 10) * 1000;
  let ticking = Promise.resolve();
  const timer = setInterval(() => {
    // Only partitions whose stream is drained: a backlog still holds arrivals the no-data rule needs.
    const ready = [...pullers.entries()].filter(([, p]) => p.caughtUp).map(([k]) => k);
    ticking = ticking
      .then(() => worker.tick(sensing.now(), ready))
      .then(
        () => {},
        (error) => {
          if (!(error instanceof PartitionLostError)) logger.error({ err: error }, 'rules timers failed');
        },
      );
  }, tickMs);
  timer.unref();

  return {
    memberId,
    get owned() {
      return ownership.owned;
    },
    async close() {
      clearInterval(timer);
      await ticking;
      await follower.close();
      await ownership.stop();
      rulesOwnedGauge.set(0);
      for (const k of sampled) rulesLagGauge.remove({ partition: String(k) });
      await nc.drain().catch(() => {});
    },
  };
}

/**
 * (Re-)creates a partition's durable consumer to deliver from `startSeq` on (explicit acks, one
 * owner pulling). Deleting it first discards a former owner's unacknowledged deliveries, which
 * would otherwise come back only after the ack wait and out of order with newer messages.
 */
async function resetConsumer(
  jsm: JetStreamManager,
  stream: string,
  filter: string,
  k: number,
  startSeq: number,
): Promise<void> {
  const name = consumerName(k);
  await jsm.consumers.delete(stream, name).catch((error: unknown) => {
    if (!/not found/i.test(String(error))) throw error;
  });
  await jsm.consumers.add(stream, {
    durable_name: name,
    filter_subject: filter,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: startSeq,
    replay_policy: ReplayPolicy.Instant,
    ack_wait: nanos(60_000),
    max_ack_pending: 2000,
  });
}

const MAX_BATCH = 200;

/**
 * Pulls one partition's messages (explicit fetches, handled as they arrive) into a buffer, and
 * applies whatever is buffered as one batch at a time, in order; a failed batch is retried as it
 * is (so order holds) until it commits or the partition is lost or released.
 */
class PartitionPuller {
  /** True when the server had nothing more for this partition and everything received is applied. */
  caughtUp = false;
  private readonly js: JetStreamClient;
  private readonly stream: string;
  private readonly k: number;
  private readonly worker: PartitionedRules;
  private readonly logger: Logger;
  private readonly buffer: JsMsg[] = [];
  private serverPending = 1;
  private stopping = false;
  private fetch: ConsumerMessages | undefined;
  private wakeProcessor: (() => void) | undefined;
  private wakePuller: (() => void) | undefined;
  private done: Promise<unknown> = Promise.resolve();

  constructor(js: JetStreamClient, stream: string, k: number, worker: PartitionedRules, logger: Logger) {
    this.js = js;
    this.stream = stream;
    this.k = k;
    this.worker = worker;
    this.logger = logger;
  }

  start(): void {
    this.done = Promise.all([this.pull(), this.process()]);
  }

  /** Stops pulling and applying (a batch in progress finishes); unacknowledged messages stay with the consumer. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.fetch?.stop();
    this.wakeProcessor?.();
    this.wakePuller?.();
    await this.done;
  }

  private async pull(): Promise<void> {
    let consumer: Consumer | undefined;
    let failures = 0;
    while (!this.stopping) {
      if (this.buffer.length >= 4 * MAX_BATCH) {
        await new Promise<void>((resolve) => {
          this.wakePuller = resolve;
        });
        this.wakePuller = undefined;
        continue;
      }
      try {
        consumer ??= await this.js.consumers.get(this.stream, consumerName(this.k));
        this.fetch = await consumer.fetch({ max_messages: 2 * MAX_BATCH, expires: 1000 });
        let got = 0;
        for await (const m of this.fetch) {
          got++;
          this.serverPending = m.info.pending;
          this.buffer.push(m);
          this.wakeProcessor?.();
        }
        if (got === 0) this.serverPending = 0;
        this.updateCaughtUp();
        failures = 0;
      } catch (error) {
        if (this.stopping) return;
        failures++;
        this.logger.debug({ err: error, partition: this.k, failures }, 'rules pull failed; will retry');
        await sleep(Math.min(2000, 50 * 2 ** failures));
      }
    }
  }

  private async process(): Promise<void> {
    while (!this.stopping) {
      if (this.buffer.length === 0) {
        this.updateCaughtUp();
        await new Promise<void>((resolve) => {
          this.wakeProcessor = resolve;
        });
        this.wakeProcessor = undefined;
        continue;
      }
      const batch = this.buffer.splice(0, MAX_BATCH);
      this.wakePuller?.();
      this.caughtUp = false;
      const messages: PartitionMessage[] = [];
      for (const m of batch) {
        const decoded = decode(m);
        if (decoded) messages.push({ seq: m.seq, message: decoded });
        else {
          // Not a readings message: nothing can apply it; keep it out of the way for good.
          this.logger.error({ partition: this.k, seq: m.seq }, 'undecodable rules message terminated');
          rulesMessageCounter.inc({ outcome: 'terminated' });
          m.term();
        }
      }
      for (let attempt = 1; ; attempt++) {
        try {
          await this.worker.apply(this.k, messages);
          for (const m of batch) m.ack();
          break;
        } catch (error) {
          if (error instanceof PartitionLostError) {
            this.logger.warn({ partition: this.k }, 'rules partition lost to another process');
            this.stopping = true;
            this.fetch?.stop();
            return;
          }
          if (this.stopping) return;
          this.logger.error({ err: error, partition: this.k, attempt }, 'applying rules failed; will retry');
          await sleep(Math.min(5000, 100 * 2 ** attempt));
          if (this.stopping) return;
        }
      }
    }
  }

  private updateCaughtUp(): void {
    this.caughtUp = this.serverPending === 0 && this.buffer.length === 0;
  }
}

function decode(m: JsMsg): PartitionMessage['message'] | undefined {
  try {
    const envelope = m.json<{ payload?: unknown }>();
    const parsed = ReadingsMessageSchema.safeParse(envelope.payload);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
