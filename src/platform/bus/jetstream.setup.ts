import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiError,
  type JetStreamManager,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { AppError } from '../errors.ts';

/** Retention of the bus streams (file storage, limits retention). */
export interface StreamSettings {
  /** How long messages are kept, consumed or not. Default 7 days. */
  maxAgeMs?: number;
  /** Size cap of the main stream in bytes; oldest go first. Default unlimited. */
  maxBytes?: number;
  /** Window in which a repeated message id is dropped as a duplicate. Default 2 minutes. */
  duplicateWindowMs?: number;
  /** Copies in a cluster; set at creation (server default 1), changed only when given. */
  replicas?: number;
  /** How long dead letters are kept. Default 30 days. */
  deadLetterMaxAgeMs?: number;
}

/** Stream and subject names derived from one prefix, e.g. `citybrain` → stream `CITYBRAIN`, `citybrain.>`. */
export interface StreamNames {
  prefix: string;
  stream: string;
  deadLetterStream: string;
  deadLetterPrefix: string;
}

const DAY = 86_400_000;

/** Derives the stream names from a prefix (lowercase letters, digits, `_`, `-`). */
export function streamNames(prefix: string): StreamNames {
  if (!/^[a-z][a-z0-9_-]*$/.test(prefix)) throw new Error(`invalid bus stream prefix '${prefix}'`);
  const stream = prefix.toUpperCase().replaceAll('-', '_');
  return { prefix, stream, deadLetterStream: `${stream}_DLQ`, deadLetterPrefix: `${prefix}_dlq` };
}

/** Creates the main and dead-letter streams, or brings their limits up to date; safe to run from every process. */
export async function ensureStreams(
  jsm: JetStreamManager,
  names: StreamNames,
  settings: StreamSettings,
): Promise<void> {
  const common = {
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    // Only when asked: an update must not undo an operator's replica change.
    ...(settings.replicas === undefined ? {} : { num_replicas: settings.replicas }),
    duplicate_window: nanos(settings.duplicateWindowMs ?? 120_000),
  };
  await ensureStream(jsm, {
    ...common,
    name: names.stream,
    subjects: [`${names.prefix}.>`],
    max_age: nanos(settings.maxAgeMs ?? 7 * DAY),
    max_bytes: settings.maxBytes ?? -1,
  });
  await ensureStream(jsm, {
    ...common,
    name: names.deadLetterStream,
    subjects: [`${names.deadLetterPrefix}.>`],
    max_age: nanos(settings.deadLetterMaxAgeMs ?? 30 * DAY),
  });
}

async function ensureStream(
  jsm: JetStreamManager,
  config: Partial<StreamConfig> & { name: string },
): Promise<void> {
  const existing = await jsm.streams.info(config.name).catch((err) => {
    if (isNotFound(err)) return undefined;
    throw err;
  });
  if (!existing) {
    try {
      await jsm.streams.add(config);
      return;
    } catch (err) {
      // Another process created it between our look and our add: fall through to update.
      if (!String(err).includes('already in use')) throw err;
    }
  }
  const { storage: _storage, retention: _retention, ...updatable } = config;
  await jsm.streams.update(config.name, updatable);
}

/** What a subscription asks of its durable consumer. */
export interface ConsumerSpec {
  durable: string;
  filterSubject: string;
  ackWaitMs: number;
  maxAckPending: number;
  /** Server-side cap on deliveries; above the bus's own attempt limit, as a safety net. */
  maxDeliver: number;
}

/**
 * Creates the group's durable pull consumer, or updates its limits. A group is one durable
 * consumer: asking for it with another filter is a programming error, not a silent re-bind.
 */
export async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  spec: ConsumerSpec,
): Promise<void> {
  const limits = {
    ack_wait: nanos(spec.ackWaitMs),
    max_ack_pending: spec.maxAckPending,
    max_deliver: spec.maxDeliver,
  };
  const existing = await jsm.consumers.info(stream, spec.durable).catch((err) => {
    if (isNotFound(err)) return undefined;
    throw err;
  });
  if (!existing) {
    const created = await jsm.consumers
      .add(stream, {
        ...limits,
        durable_name: spec.durable,
        filter_subject: spec.filterSubject,
        ack_policy: AckPolicy.Explicit,
        // A new group starts with what is published from now on; an existing one resumes where it stopped.
        deliver_policy: DeliverPolicy.New,
        replay_policy: ReplayPolicy.Instant,
      })
      .catch(async (err) => {
        // Another member created it first (with other limits): use theirs, check the filter below.
        const raced = await jsm.consumers.info(stream, spec.durable).catch(() => undefined);
        if (!raced) throw err;
        return raced;
      });
    if (created.config.filter_subject === spec.filterSubject) return;
    return conflict(spec, created.config.filter_subject);
  }
  if (existing.config.filter_subject !== spec.filterSubject) conflict(spec, existing.config.filter_subject);
  const c = existing.config;
  if (
    c.ack_wait !== limits.ack_wait ||
    c.max_ack_pending !== limits.max_ack_pending ||
    c.max_deliver !== limits.max_deliver
  ) {
    await jsm.consumers.update(stream, spec.durable, limits);
  }
}

function conflict(spec: ConsumerSpec, actual: string | undefined): never {
  throw new AppError(
    'conflict',
    `group '${spec.durable}' already consumes '${actual}', not '${spec.filterSubject}'`,
  );
}

function isNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && (err.code === 404 || /not found/i.test(err.message));
}
