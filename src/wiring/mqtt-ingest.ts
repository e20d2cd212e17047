import { randomBytes } from 'node:crypto';
import type { Config } from '../config.ts';
import {
  IngestBatcher,
  type IngestResult,
  type RawObservation,
  type SensingService,
} from '../modules/sensing/index.ts';
import type { Api } from '../platform/http/server.ts';
import type { Logger } from '../platform/logger.ts';
import {
  connectIngress,
  type EmbeddedBroker,
  type Ingress,
  OBSERVATIONS_FILTER,
  ownObservationsOnly,
  parseObservationTopic,
  startEmbeddedBroker,
} from '../platform/mqtt/index.ts';
import { followDeviceChangesAt } from './rules-device-changes.ts';

const INGEST_PREFIX = 'citybrain-ingest-';

/** The running MQTT side: where devices connect, and the ingest client feeding the sensing module. */
export interface MqttIngest {
  /** URL devices publish to. */
  readonly url: string;
  /** True when the embedded broker runs in this process. */
  readonly embedded: boolean;
  /** A line for the start-up banner (says when the requested port was taken). */
  readonly banner: string;
  close(): Promise<void>;
}

/**
 * Starts the embedded broker (devices authenticate with their id and secret and may publish only
 * to their own topic) unless an external broker is configured, then subscribes the ingest client:
 * each observation message goes through the sensing batcher and is acknowledged (QoS 1) only
 * once its batch is stored, so a crash loses nothing that was acknowledged.
 */
export async function startMqttIngest(deps: {
  config: Config;
  sensing: SensingService;
  logger: Logger;
  /**
   * Called with each batch once it is stored, and what storing it did (the live feed's latest
   * values; waking the outbox relay when alerts changed); must not throw.
   */
  onStored?: (batch: RawObservation[], result: IngestResult) => void;
  /**
   * Join this MQTT 5 shared subscription (`$share/<group>/…`): several ingest processes split
   * the messages. Needs an external broker (Mosquitto, EMQX); Aedes has no shared subscriptions.
   */
  shareGroup?: string;
  /** Stable id of this ingest process, so a restart resumes its broker session (default: the pid). */
  instanceId?: string;
  /**
   * Follow the registry's change notices on this NATS server (several processes): a device
   * changed or removed elsewhere is re-read into this process's cache (secret, declared metrics…).
   */
  deviceChanges?: { natsUrl: string; streamPrefix?: string };
}): Promise<MqttIngest> {
  const { config, sensing, logger, onStored, shareGroup } = deps;
  if (shareGroup && !config.mqttUrl) {
    throw new Error(
      'the ingest role needs an external MQTT broker with shared subscriptions: set CITYBRAIN_MQTT_URL (e.g. mqtt://127.0.0.1:1883 for Mosquitto); the embedded Aedes broker has none',
    );
  }
  // Before the first batch loads the registry cache, so no change falls in between.
  const follower = deps.deviceChanges
    ? await followDeviceChangesAt({
        ...deps.deviceChanges,
        name: `citybrain-ingest-devices-${deps.instanceId ?? process.pid}`,
        refresh: (ids) => sensing.refreshDevices(ids),
        logger,
      })
    : undefined;
  const closeFollower = async () => {
    await follower?.close();
  };
  let broker: EmbeddedBroker | undefined;
  let url = config.mqttUrl;
  let banner = `  MQTT       external broker ${config.mqttUrl}`;
  // The in-process ingest client proves itself with a secret that lives only in this process.
  const ingestId = `${INGEST_PREFIX}${deps.instanceId ?? process.pid}`;
  const ingestSecret = config.mqttUrl ? undefined : randomBytes(24).toString('base64url');
  if (!url) {
    broker = await startEmbeddedBroker({
      port: config.mqttPort,
      host: config.host,
      logger,
      authenticate: async (clientId, _username, password) =>
        clientId.startsWith(INGEST_PREFIX)
          ? clientId === ingestId && password === ingestSecret
          : sensing.devices.verifyDeviceCredential(clientId, password ?? ''),
      // Devices publish only their own observations and read nothing; only the ingest client subscribes.
      authorizePublish: (client, topic) =>
        !client.clientId.startsWith(INGEST_PREFIX) && ownObservationsOnly(client, topic),
      authorizeSubscribe: (client) => client.clientId === ingestId,
    });
    url = broker.url;
    banner =
      broker.port === broker.requestedPort
        ? `  MQTT       embedded broker ${broker.url}`
        : `  MQTT       embedded broker ${broker.url} (port ${broker.requestedPort} was in use)`;
  }
  const batcher = new IngestBatcher(
    async (batch) => {
      const result = await sensing.ingest(batch);
      onStored?.(batch, result);
      return result;
    },
    { maxBatch: 2000, maxConcurrent: 2, now: () => sensing.now() },
  );
  let ingress: Ingress;
  try {
    ingress = await connectIngress({
      url,
      clientId: ingestId,
      ...(ingestSecret ? { username: 'citybrain-ingest', password: ingestSecret } : {}),
      topics: [OBSERVATIONS_FILTER],
      qos: 1,
      // MQTT 5 with an external broker: its receive maximum (maxInFlight) is what lets the broker
      // keep thousands of QoS 1 messages in flight to us; over 3.1.1 Mosquitto holds back at its
      // max_inflight_messages (20 by default), which starves the batcher. Aedes speaks 3.1.1 only.
      ...(config.mqttUrl ? { protocolVersion: 5 as const } : {}),
      ...(shareGroup ? { shareGroup } : {}),
      maxInFlight: 4000,
      logger,
      onMessage: (topic, payload) => {
        const deviceId = parseObservationTopic(topic);
        return deviceId ? batcher.submit(deviceId, payload) : undefined;
      },
    });
  } catch (error) {
    await broker?.close();
    await closeFollower();
    throw error;
  }
  return {
    url,
    embedded: !!broker,
    banner,
    async close() {
      await ingress.close();
      await batcher.drain();
      await broker?.close();
      await closeFollower();
    },
  };
}

/** An ingest or rules process answers only the probes (/health, /metrics) on its HTTP port. */
export function restrictToProbes(http: Api, role: 'ingest' | 'rules' = 'ingest'): void {
  http.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0];
    if (path !== '/health' && path !== '/metrics') {
      await reply.code(404).send({
        error: {
          code: 'not_found',
          message: `this is a${role === 'ingest' ? 'n' : ''} ${role} process: only /health and /metrics`,
        },
      });
    }
  });
}
