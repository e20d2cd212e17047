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
 * to their own topic), which takes each observation in as it is published, or, with an external
 * broker, subscribes the ingest client. Either way each message goes through the sensing batcher
 * and is acknowledged (QoS 1) only once its batch is stored (or it is dead-lettered), so a crash
 * loses nothing that was acknowledged. `close()` returns within ~8 s whatever state it is in.
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
  const batcher = new IngestBatcher(
    async (batch) => {
      const result = await sensing.ingest(batch);
      onStored?.(batch, result);
      return result;
    },
    {
      maxBatch: 2000,
      maxConcurrent: 2,
      now: () => sensing.now(),
      limits: { maxBytes: sensing.options.maxPayloadBytes, maxDepth: sensing.options.maxPayloadDepth },
    },
  );
  if (!config.mqttUrl) {
    let broker: EmbeddedBroker;
    try {
      broker = await startEmbeddedBroker({
        port: config.mqttPort,
        host: config.host,
        logger,
        authenticate: async (clientId, _username, password) =>
          sensing.devices.verifyDeviceCredential(clientId, password ?? ''),
        // Devices publish only their own observations and read nothing.
        authorizePublish: ownObservationsOnly,
        authorizeSubscribe: () => false,
        // Aedes sends a QoS 1 PUBACK before it delivers to any subscriber, so an ingest client
        // subscribed to the embedded broker acked before storing (a SIGKILL lost acknowledged
        // readings). The publish is taken in here instead: the PUBACK goes out once its batch is
        // committed (or the message dead-lettered); a storage failure closes the device's
        // connection without one, and the device resends.
        onPublish: async (_client, topic, payload) => {
          const deviceId = parseObservationTopic(topic);
          if (deviceId) await batcher.submit(deviceId, payload);
        },
        maxPacketBytes: packetLimit(sensing.options.maxPayloadBytes),
      });
    } catch (error) {
      await closeFollower();
      throw error;
    }
    return {
      url: broker.url,
      embedded: true,
      banner:
        broker.port === broker.requestedPort
          ? `  MQTT       embedded broker ${broker.url}`
          : `  MQTT       embedded broker ${broker.url} (port ${broker.requestedPort} was in use)`,
      async close() {
        // Devices first (no new publishes), then what is being stored, each wait bounded.
        await within(
          CLOSE_STEP_MS,
          broker.close({ graceMs: CLOSE_STEP_MS }),
          'embedded broker close',
          logger,
        );
        await within(CLOSE_STEP_MS, batcher.drain(), 'ingest batches to settle', logger);
        await within(CLOSE_STEP_MS, closeFollower(), 'device change follower close', logger);
      },
    };
  }
  const url = config.mqttUrl;
  let ingress: Ingress;
  try {
    ingress = await connectIngress({
      url,
      clientId: `${INGEST_PREFIX}${deps.instanceId ?? process.pid}`,
      topics: [OBSERVATIONS_FILTER],
      qos: 1,
      // MQTT 5 with an external broker: its receive maximum (maxInFlight) is what lets the broker
      // keep thousands of QoS 1 messages in flight to us; over 3.1.1 Mosquitto holds back at its
      // max_inflight_messages (20 by default), which starves the batcher.
      protocolVersion: 5,
      ...(shareGroup ? { shareGroup } : {}),
      maxInFlight: 4000,
      logger,
      onMessage: (topic, payload) => {
        const deviceId = parseObservationTopic(topic);
        return deviceId ? batcher.submit(deviceId, payload) : undefined;
      },
    });
  } catch (error) {
    await closeFollower();
    throw error;
  }
  return {
    url,
    embedded: false,
    banner: `  MQTT       external broker ${url}`,
    async close() {
      // Each wait is bounded: a stuck ingress (broker gone, reconnecting) or a hung commit must
      // not hold shutdown; what is not acked is redelivered by the broker to the next process.
      await within(
        CLOSE_STEP_MS + 500,
        ingress.close({ drainMs: CLOSE_STEP_MS }),
        'mqtt ingress close',
        logger,
      );
      await within(CLOSE_STEP_MS, batcher.drain(), 'ingest batches to settle', logger);
      await within(CLOSE_STEP_MS, closeFollower(), 'device change follower close', logger);
    },
  };
}

/** Each step of closing the MQTT side waits at most this long, so the whole stays well under 10 s. */
const CLOSE_STEP_MS = 2000;

/** The largest MQTT packet the embedded broker reads: a payload over the limit still arrives to be dead-lettered `too_large`, up to twice it. */
function packetLimit(maxPayloadBytes: number): number {
  return 2 * maxPayloadBytes + 1024;
}

/** Waits for `work` at most `ms`; past it, logs and goes on (the work is abandoned, not cancelled). */
async function within(ms: number, work: Promise<unknown>, what: string, logger: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), ms);
  });
  const late = await Promise.race([
    work.then(
      () => false,
      (error: unknown) => {
        logger.warn({ err: error }, `${what} failed`);
        return false;
      },
    ),
    timedOut,
  ]);
  clearTimeout(timer);
  if (late) logger.warn({ ms }, `${what} did not finish in time; going on with shutdown`);
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
