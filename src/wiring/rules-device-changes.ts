import { type ConsumerMessages, DeliverPolicy, jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  type DeviceChanged,
  DeviceChangedSchema,
  type DeviceChangePublisher,
} from '../modules/sensing/index.ts';
import type { Db } from '../platform/db/database.ts';
import type { Logger } from '../platform/logger.ts';

/** A running follower of `sensing.device.changed`. */
export interface DeviceChangeFollower {
  close(): Promise<void>;
}

/**
 * Follows the registry's change notices (`<prefix>.sensing.device.changed`, written by the outbox
 * in the transaction that changed the device, published by the relay after commit) and hands
 * each device id to `refresh`, which re-reads it from the database.
 *
 * Every process needs every notice, so this is not a bus group (a shared durable consumer, one
 * member gets each message, and one durable per process would be left behind by every process
 * that goes away) but an ephemeral ordered JetStream consumer delivering from now on: the client
 * re-creates it from the last sequence it saw when the connection or heartbeats drop, so a
 * reconnect loses no notice, and the server deletes it once this process is gone. Start it
 * before the registry cache is first loaded: a change between the load and the start would
 * otherwise be missed. A refresh that fails (database away) is retried until it succeeds or the
 * follower closes; notices are handled one at a time, in stream order.
 */
export async function followDeviceChanges(options: {
  nc: NatsConnection;
  /** The bus's stream prefix (default `citybrain`). */
  streamPrefix?: string;
  refresh(ids: string[]): Promise<void>;
  logger: Logger;
}): Promise<DeviceChangeFollower> {
  const { nc, logger } = options;
  const prefix = options.streamPrefix ?? 'citybrain';
  const stream = prefix.toUpperCase().replaceAll('-', '_');
  const js = jetstream(nc);
  const consumer = await js.consumers.get(stream, {
    // A single string: `filter_subject`, which NATS servers before 2.10 understand (this machine runs one).
    filter_subjects: `${prefix}.sensing.device.changed`,
    deliver_policy: DeliverPolicy.New,
  });
  const messages: ConsumerMessages = await consumer.consume({ max_messages: 100 });
  let closed = false;
  const done = (async () => {
    for await (const m of messages) {
      let id: string | undefined;
      try {
        const parsed = DeviceChangedSchema.safeParse(m.json<{ payload?: unknown }>().payload);
        if (parsed.success) id = parsed.data.id;
      } catch {
        // not JSON: skipped below
      }
      if (!id) {
        logger.warn({ seq: m.seq }, 'device change notice not understood; skipped');
        continue;
      }
      for (let attempt = 1; !closed; attempt++) {
        try {
          await options.refresh([id]);
          break;
        } catch (error) {
          logger.warn({ err: error, device: id, attempt }, 'refreshing a changed device failed; will retry');
          await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 100 * 2 ** attempt)));
        }
      }
    }
  })();
  return {
    async close() {
      closed = true;
      await messages.close().catch(() => {});
      await done.catch(() => {});
    },
  };
}

/**
 * The registry's side: each change becomes an outbox row on `sensing.device.changed` in the
 * transaction that makes it (so a notice goes out exactly when the change committed), and the
 * relay is woken after the commit so other processes hear of it within one relay round.
 */
export function deviceChangesOut(
  outbox: {
    enqueue(
      trx: Db,
      subject: 'sensing.device.changed',
      payload: DeviceChanged,
      o: { key: string },
    ): Promise<unknown>;
  },
  relay: { wake(): void },
): DeviceChangePublisher {
  return {
    publish: async (trx, notice) => {
      await outbox.enqueue(trx, 'sensing.device.changed', notice, { key: notice.id });
    },
    committed: () => relay.wake(),
  };
}

/**
 * `followDeviceChanges` on its own NATS connection (ingest and api processes, which have no
 * other raw connection): `refresh` is typically `sensing.refreshDevices`.
 */
export async function followDeviceChangesAt(options: {
  natsUrl: string;
  streamPrefix?: string;
  /** Names the connection on the NATS server (monitoring). */
  name: string;
  refresh(ids: string[]): Promise<void>;
  logger: Logger;
}): Promise<DeviceChangeFollower> {
  const nc = await connect({
    servers: options.natsUrl,
    name: options.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
  });
  try {
    const follower = await followDeviceChanges({ ...options, nc });
    return {
      async close() {
        await follower.close();
        await nc.drain().catch(() => {});
      },
    };
  } catch (error) {
    await nc.close().catch(() => {});
    throw error;
  }
}
