import type { Registry } from 'prom-client';
import { type Clock, systemClock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { Bus, DeadLetter } from './bus.types.ts';
import { JetStreamBus, type StreamSettings } from './jetstream.bus.ts';
import { MemoryBus } from './memory.bus.ts';
import { BusMetrics } from './metrics.ts';
import type { SubjectMap } from './subjects.ts';

/** How to build the bus; `natsUrl` switches from in-process to NATS JetStream. */
export interface BusOptions<M extends SubjectMap> {
  /** The merged subject registry (see `mergeSubjects`). */
  subjects: M;
  logger: Logger;
  /** e.g. `nats://127.0.0.1:4222`; absent = in-process bus (embedded mode). */
  natsUrl?: string;
  /** Subject prefix and stream name root: subjects `<prefix>.>` in stream `<PREFIX>`. Default `citybrain`. */
  streamPrefix?: string;
  /** Retention of the JetStream streams. */
  stream?: StreamSettings;
  /** JetStream: lifetime of a pull request, the longest a subscription's stop waits. Default 2,000 (min 1,000). */
  pullExpiresMs?: number;
  /** In-process: messages a group may queue before `publish` waits. Default 10,000. */
  queueCapacity?: number;
  clock?: Clock;
  /** Prometheus registry for `citybrain_bus_messages_total`. */
  registry?: Registry;
  /** Called for every dead letter of subscriptions that bring no callback of their own. */
  onDeadLetter?: (letter: DeadLetter) => void;
}

/** Creates the bus: NATS JetStream when `natsUrl` is given (streams ensured at connect), else in-process. */
export async function createBus<M extends SubjectMap>(options: BusOptions<M>): Promise<Bus<M>> {
  const deps = {
    subjects: options.subjects,
    logger: options.logger.child({ component: 'bus' }),
    clock: options.clock ?? systemClock,
    metrics: new BusMetrics(options.registry),
    ...(options.onDeadLetter ? { onDeadLetter: options.onDeadLetter } : {}),
  };
  if (!options.natsUrl) return new MemoryBus(deps, options.queueCapacity);
  return JetStreamBus.connect(deps, {
    url: options.natsUrl,
    prefix: options.streamPrefix ?? 'citybrain',
    stream: options.stream ?? {},
    ...(options.pullExpiresMs ? { pullExpiresMs: options.pullExpiresMs } : {}),
  });
}
