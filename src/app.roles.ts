/**
 * What each process role (`citybrain serve --role`) builds differently and how it starts:
 * `all` everything in one process, `api` HTTP and live push, `ingest` the shared MQTT
 * subscription and storage, `rules` the rules of its partitions. createApp (src/app.ts) builds
 * the same services for every role, then `App.listen` runs the role's start function.
 */
import os from 'node:os';
import type { App, Built, Role, RolePlan } from './app.types.ts';
import { subscribeLiveAlerts, subscribeLiveEvents } from './wiring/live.ts';
import { type MqttIngest, restrictToProbes, startMqttIngest } from './wiring/mqtt-ingest.ts';
import { followDeviceChangesAt } from './wiring/rules-device-changes.ts';
import { startRulesRole } from './wiring/rules-role.ts';

/** Each role's plan; `all` is the default. */
export const ROLES: Record<Role, RolePlan> = {
  all: { sensingTimers: true, readingsOut: false, start: startAll },
  api: { sensingTimers: false, readingsOut: false, start: startApi },
  ingest: { sensingTimers: true, readingsOut: true, start: startIngest },
  rules: { sensingTimers: false, readingsOut: false, start: startRules },
};

/** `all`: HTTP with live push, and the MQTT ingest of every reading (one process does everything). */
async function startAll(app: App, built: Built): Promise<string> {
  await subscribeLive(built);
  const url = await listenHttp(built);
  app.mqtt = await startMqtt(built, {});
  return url;
}

/** `api`: HTTP with live push; no MQTT ingest and no sensing timers. */
async function startApi(_app: App, built: Built): Promise<string> {
  const { config, options, services, logger } = built;
  await subscribeLive(built);
  // An api process's registry cache (credential checks of the HTTP batch endpoint) follows other processes' changes.
  if (config.natsUrl)
    built.running.apiDevices = await followDeviceChangesAt({
      natsUrl: config.natsUrl,
      streamPrefix: options.streamPrefix,
      name: `citybrain-api-devices-${process.pid}`,
      refresh: (ids) => services.sensing.refreshDevices(ids),
      logger,
    });
  return listenHttp(built);
}

/** `ingest`: a member of the shared MQTT subscription, storage and sensing timers; HTTP only for /health and /metrics. */
async function startIngest(app: App, built: Built): Promise<string> {
  restrictToProbes(built.http, 'ingest');
  const url = await listenHttp(built);
  app.mqtt = await startMqtt(built, {
    shareGroup: 'citybrain-ingest',
    instanceId: built.options.ingestId,
  });
  return url;
}

/** `rules`: the rules of the partitions this process owns (PostgreSQL and NATS); HTTP only for /health and /metrics. */
async function startRules(app: App, built: Built): Promise<string> {
  const { config, options, services, logger, relay } = built;
  restrictToProbes(built.http, 'rules');
  const url = await listenHttp(built);
  if (!config.databaseUrl || !config.natsUrl) throw new Error('the rules role needs PostgreSQL and NATS');
  app.rules = await startRulesRole({
    sensing: services.sensing,
    logger,
    databaseUrl: config.databaseUrl,
    natsUrl: config.natsUrl,
    streamPrefix: options.streamPrefix,
    partitions: built.partitions,
    memberId: options.ingestId ?? `rules-${os.hostname()}-${process.pid}`,
    onCommitted: () => relay.wake(),
    tickSeconds: services.sensing.options.tickSeconds,
  });
  return url;
}

/** Alert and event changes from the bus to this process's live clients. */
async function subscribeLive({ bus, live }: Built): Promise<void> {
  await subscribeLiveAlerts(bus, live);
  await subscribeLiveEvents(bus, live);
}

function listenHttp({ http, config }: Built): Promise<string> {
  return http.listen({ port: config.port, host: config.host });
}

/** The MQTT ingest of an `all` or `ingest` process; stored batches go to the live feed. */
function startMqtt(
  { config, options, services, logger, live, relay }: Built,
  share: { shareGroup?: string; instanceId?: string },
): Promise<MqttIngest> {
  return startMqttIngest({
    config,
    sensing: services.sensing,
    logger,
    onStored: (b, result) => {
      void live.readings(b);
      // Alert changes wait in the outbox: publish them now, not after the relay's idle pause.
      if (result.raised.length || result.cleared.length) relay.wake();
    },
    ...share,
    ...(config.natsUrl
      ? { deviceChanges: { natsUrl: config.natsUrl, streamPrefix: options.streamPrefix } }
      : {}),
  });
}

/**
 * Stops ingestion, background work and the server, then closes the database. Every step is
 * bounded by one deadline, so a stuck part (an ingress reconnecting to a gone broker, a commit
 * hung on a lock) cannot hold shutdown: SIGTERM must end the process in 10 s. A step past its
 * share is abandoned (logged); the process exit cleans up after it.
 */
export async function closeApp(app: App, built: Built): Promise<void> {
  const { logger, http, services, relay, bus, database, running } = built;
  const deadline = Date.now() + CLOSE_DEADLINE_MS;
  const step = async (what: string, work: () => Promise<unknown> | undefined) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), Math.max(100, deadline - Date.now()));
    });
    const outcome = await Promise.race([Promise.resolve().then(work), late]).finally(() =>
      clearTimeout(timer),
    );
    if (outcome === 'late') logger.warn({ step: what }, 'shutdown step did not finish in time; going on');
  };
  await step('mqtt', () => app.mqtt?.close());
  await step('rules', () => app.rules?.close());
  await step('api devices', () => running.apiDevices?.close());
  await step('http', () => http.close());
  await step('congestion', () => services.congestion.stop());
  await step('scenarios', () => services.scenarios.stop());
  await step('centre', () => services.centre.stop());
  await step('traffic', () => services.traffic.stop());
  await step('parking', () => services.parking.stop());
  await step('sensing', () => services.sensing.stop());
  await step('relay', () => relay.stop());
  await step('bus', () => bus.close());
  await step('algorithms', () => services.algorithms.stop());
  await step('services timers', () => services.integratedServices.timers.stop());
  await step('gateway', () => services.gateway.close());
  await step('database', () => database.close());
}

/** app.close() gives up waiting on whatever is still stuck this long after it started. */
const CLOSE_DEADLINE_MS = 7000;
