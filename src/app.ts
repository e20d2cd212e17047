import os from 'node:os';
import path from 'node:path';
import type { Config } from './config.ts';
import {
  AlgorithmRegistry,
  algorithmMigrations,
  registerAlgorithmRoutes,
} from './modules/algorithms/index.ts';
import { AuditLog, auditMigrations, registerAuditRoutes } from './modules/audit/index.ts';
import {
  createDatahub,
  type Datahub,
  datahubMigrations,
  registerDatahubRoutes,
} from './modules/datahub/index.ts';
import {
  IdentityService,
  identityMigrations,
  installAuthentication,
  registerIdentityRoutes,
} from './modules/identity/index.ts';
import {
  JurisdictionService,
  jurisdictionMigrations,
  registerJurisdictionRoutes,
} from './modules/jurisdictions/index.ts';
import { crowdPlaces, sectionPlaces } from './modules/open311/index.ts';
import {
  createOrganisation,
  type Organisation,
  organisationMigrations,
  registerOrganisationRoutes,
} from './modules/organisation/index.ts';
import { planMigrations, type Scenarios, wireScenarios } from './modules/scenarios/index.ts';
import {
  DEFAULT_PARTITIONS,
  DEFAULT_RULES_DIR,
  LiveFeed,
  loadRuleFiles,
  type ReadingsOut,
  readingsSubject,
  registerLiveRoutes,
  registerSensingRoutes,
  SensingService,
  sensingMigrations,
} from './modules/sensing/index.ts';
import { SYSTEM_PRINCIPAL } from './platform/access.ts';
import { type Bus, busOutboxMigrations, createBus, Outbox, OutboxRelay } from './platform/bus/index.ts';
import { type Clock, systemClock } from './platform/clock.ts';
import { type Database, openDatabase } from './platform/db/database.ts';
import { type Migrations, migrateToLatest } from './platform/db/migrate.ts';
import { AppError } from './platform/errors.ts';
import { registerHealthRoute } from './platform/http/health.ts';
import { metricsRegistry } from './platform/http/metrics.ts';
import { type Api, createHttpServer } from './platform/http/server.ts';
import { registerWebRoutes } from './platform/http/web.ts';
import { createLogger, type Logger } from './platform/logger.ts';
import { persistentSecret } from './platform/secrets.ts';
import { SUBJECTS, type Subjects } from './subjects.ts';
import { subscribeLiveAlerts, subscribeLiveEvents } from './wiring/live.ts';
import { type MqttIngest, restrictToProbes, startMqttIngest } from './wiring/mqtt-ingest.ts';
import {
  type DeviceChangeFollower,
  deviceChangesOut,
  followDeviceChangesAt,
} from './wiring/rules-device-changes.ts';
import { type RulesRole, startRulesRole } from './wiring/rules-role.ts';
import { EVENT_CENTRE_MIGRATIONS, type EventCentre, wireEventCentre } from './workflows/event-centre.ts';

/** The package version, shown in /health and the OpenAPI document. */
export const VERSION = '0.1.0';

/** Every module's migrations, run at start and by `citybrain migrate`. */
export const ALL_MIGRATIONS: Migrations[] = [
  auditMigrations,
  jurisdictionMigrations,
  organisationMigrations,
  identityMigrations,
  algorithmMigrations,
  busOutboxMigrations,
  sensingMigrations,
  ...EVENT_CENTRE_MIGRATIONS,
  planMigrations,
  datahubMigrations,
];

/** What the composition root needs from its caller. */
export interface AppOptions {
  config: Config;
  clock?: Clock;
  logger?: Logger;
  /** An already open database (tests); otherwise opened from the config. */
  database?: Database;
  /**
   * Which part this process runs (`citybrain serve --role`): `all` (default) everything; `api`
   * HTTP and live push, no MQTT ingest and no sensing timers; `ingest` MQTT ingest (a member of
   * the shared subscription), storage, rules and sensing timers, HTTP only for /health and /metrics.
   */
  role?: 'all' | 'api' | 'ingest' | 'rules';
  /** Stable id of an ingest process (its MQTT session survives a restart under it), or of a rules process. */
  ingestId?: string;
  /** Partitions of the rule subjects shared by ingest and rules processes (default 16; all must agree). */
  partitions?: number;
  /** NATS JetStream stream prefix (default `citybrain`), e.g. for several deployments on one NATS. */
  streamPrefix?: string;
  /** Event-centre timing, e.g. a fast escalation loop for tests on simulated time. */
  centre?: { schedulerIntervalMs?: number };
  /** Scenario timing, e.g. no crowd timer for tests on a ManualClock. */
  scenarios?: { crowdIntervalMs?: number };
}

/** The wired application: its database, HTTP server and services. */
export interface App {
  readonly config: Config;
  readonly database: Database;
  readonly http: Api;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly services: Services;
  /** The event bus (in-process, or NATS JetStream when configured). */
  readonly bus: Bus<Subjects>;
  /** Writes bus messages inside a database transaction; the relay publishes them after commit. */
  readonly outbox: Outbox<Subjects>;
  /** The MQTT side once `listen` has started it. */
  mqtt?: MqttIngest;
  /** The rules side of a `rules` process once `listen` has started it. */
  rules?: RulesRole;
  /** Live readings, alerts and event changes pushed to clients (`GET /api/v1/live`). */
  readonly live: LiveFeed;
  /** Starts the HTTP server and MQTT ingestion; resolves with the base URL. */
  listen(): Promise<string>;
  /** Stops ingestion, background work and the server, then closes the database. */
  close(): Promise<void>;
}

/** The module services, for the CLI, the demo seeder and end-to-end tests. */
export interface Services {
  audit: AuditLog;
  jurisdictions: JurisdictionService;
  organisation: Organisation;
  identity: IdentityService;
  algorithms: AlgorithmRegistry;
  sensing: SensingService;
  /** Events, dispatch, notifications and Open311. */
  centre: EventCentre;
  /** Scenario plug-ins (water, crowd) and response plans. */
  scenarios: Scenarios;
  /** The data middle platform: catalogue and negative list. */
  datahub: Datahub;
}

/** Opens the database and runs migrations (used by `citybrain migrate` and at start). */
export async function openAndMigrate(
  config: Config,
  opened?: Database,
): Promise<{ database: Database; applied: string[] }> {
  const database = opened ?? (await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir }));
  try {
    const applied = await migrateToLatest(database.db, ALL_MIGRATIONS);
    return { database, applied };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/**
 * The one composition root: opens storage, builds every module's service with its
 * dependencies, registers routes. No module reads the environment or builds its own deps.
 */
export async function createApp(options: AppOptions): Promise<App> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.logLevel);
  const { database, applied } = await openAndMigrate(config, options.database);
  if (applied.length) logger.info({ applied }, 'migrations applied');
  const db = database.db;

  const audit = new AuditLog(clock);
  const jurisdictions = new JurisdictionService({ db, audit, clock });
  await jurisdictions.init();
  const organisation = createOrganisation({ db, audit, clock });
  await organisation.responsibilities.loadFile(SYSTEM_PRINCIPAL);
  const identity = new IdentityService({
    db,
    audit,
    clock,
    tokenSecret: config.tokenSecret ?? persistentSecret(config.dataDir, 'token-secret'),
    tokenTtlSeconds: config.tokenTtlSeconds,
    resolveJurisdiction: (code) =>
      jurisdictions
        .get(code)
        .then((j) => ({ code: j.code, path: j.path, level: j.level }), unlessNotFound(undefined)),
    resolveDepartment: (code) =>
      organisation.structure.getDepartment(code).then(() => true, unlessNotFound(false)),
    oidc: config.oidcIssuer
      ? { issuer: config.oidcIssuer, audience: config.oidcAudience, jwksUrl: config.oidcJwksUrl }
      : undefined,
  });
  const algorithms = new AlgorithmRegistry({ db, audit, clock, logger });
  await algorithms.start();

  const bus = await createBus({
    subjects: SUBJECTS,
    logger,
    natsUrl: config.natsUrl,
    clock,
    registry: metricsRegistry,
    ...(options.streamPrefix ? { streamPrefix: options.streamPrefix } : {}),
  });
  const outbox = new Outbox(SUBJECTS, clock);
  const partitions = options.partitions ?? DEFAULT_PARTITIONS;
  const relay = new OutboxRelay({ db, bus, logger, clock });
  relay.start();
  const sensing = new SensingService({
    db,
    audit,
    clock,
    logger,
    locator: {
      locate: async (lon, lat) => {
        const located = await jurisdictions.locate(lon, lat);
        return located && { path: located.chain.map((c) => c.code).join('/'), chain: located.chain };
      },
    },
    alertPublisher: {
      publish: async (event, trx) => {
        await outbox.enqueue(trx, event.subject, event.alert, { key: event.alert.subject });
      },
    },
    rules: loadRuleFiles(DEFAULT_RULES_DIR),
    // An ingest process hands new readings to the rules processes through the outbox (see docs/sensing-pipeline.md).
    ...(options.role === 'ingest' ? { readingsOut: readingsOut(outbox, relay, partitions) } : {}),
    // Several processes (NATS): registry changes reach the others' caches (src/wiring/rules-device-changes.ts).
    ...(config.natsUrl ? { deviceChanges: deviceChangesOut(outbox, relay) } : {}),
  });
  // An api process runs no sensing timers; a rules process runs the rules of its partitions instead.
  if (options.role !== 'api' && options.role !== 'rules') await sensing.start();

  const http = await createHttpServer({ logger, version: VERSION });
  installAuthentication(http, identity);
  registerHealthRoute(http, {
    database,
    version: VERSION,
    rules: () => app.rules && { memberId: app.rules.memberId, partitions: app.rules.owned },
  });
  registerAuditRoutes(http, { db, audit });
  registerIdentityRoutes(http, { identity });
  registerJurisdictionRoutes(http, { jurisdictions });
  registerOrganisationRoutes(http, { organisation });
  registerAlgorithmRoutes(http, { registry: algorithms });
  registerSensingRoutes(http, { sensing });
  const datahub = createDatahub({
    db,
    audit,
    clock,
    departments: {
      list: async () =>
        (await organisation.structure.listDepartments({ level: 'city', limit: 2000, offset: 0 })).items,
    },
  });
  registerDatahubRoutes(http, { datahub });
  const centre = wireEventCentre({
    db,
    http,
    audit,
    clock,
    logger,
    dataDir: config.dataDir,
    jurisdictions,
    organisation,
    identity,
    algorithms,
    bus,
    ...options.centre,
  });
  await centre.start();
  const scenarios = wireScenarios({
    db,
    http,
    audit,
    clock,
    logger,
    algorithms,
    sensing,
    organisation,
    centre,
    bus,
    mqttUrl: () => app.mqtt?.url,
    ...options.scenarios,
  });
  await scenarios.start();
  // Open311 places address strings on the scenarios' landmarks too (crowd sites, monitoring sections).
  centre.open311.addPlaces(async () => [
    ...crowdPlaces(scenarios.crowd.file),
    ...sectionPlaces(scenarios.water.net),
  ]);
  const services: Services = {
    audit,
    jurisdictions,
    organisation,
    identity,
    algorithms,
    sensing,
    centre,
    scenarios,
    datahub,
  };
  const live = new LiveFeed({ resolveDevices: (ids) => sensing.devices.cache.resolve(ids) });
  registerLiveRoutes(http, { feed: live });
  await registerWebRoutes(http, { distDir: path.resolve(import.meta.dirname, '../web/dist') });

  let apiDevices: DeviceChangeFollower | undefined;
  const app: App = {
    config,
    database,
    http,
    logger,
    clock,
    services,
    bus,
    outbox,
    live,
    async listen() {
      const role = options.role ?? 'all';
      if (role === 'ingest' || role === 'rules') restrictToProbes(http, role);
      else {
        await subscribeLiveAlerts(bus, live);
        await subscribeLiveEvents(bus, live);
      }
      // An api process's registry cache (credential checks of the HTTP batch endpoint) follows other processes' changes.
      if (role === 'api' && config.natsUrl)
        apiDevices = await followDeviceChangesAt({
          natsUrl: config.natsUrl,
          streamPrefix: options.streamPrefix,
          name: `citybrain-api-devices-${process.pid}`,
          refresh: (ids) => sensing.refreshDevices(ids),
          logger,
        });
      const url = await http.listen({ port: config.port, host: config.host });
      if (role === 'rules') {
        if (!config.databaseUrl || !config.natsUrl)
          throw new Error('the rules role needs PostgreSQL and NATS');
        app.rules = await startRulesRole({
          sensing,
          logger,
          databaseUrl: config.databaseUrl,
          natsUrl: config.natsUrl,
          streamPrefix: options.streamPrefix,
          partitions,
          memberId: options.ingestId ?? `rules-${os.hostname()}-${process.pid}`,
          onCommitted: () => relay.wake(),
          tickSeconds: sensing.options.tickSeconds,
        });
      } else if (role !== 'api') {
        app.mqtt = await startMqttIngest({
          config,
          sensing,
          logger,
          onStored: (b, result) => {
            void live.readings(b);
            // Alert changes wait in the outbox: publish them now, not after the relay's idle pause.
            if (result.raised.length || result.cleared.length) relay.wake();
          },
          ...(role === 'ingest' ? { shareGroup: 'citybrain-ingest', instanceId: options.ingestId } : {}),
          ...(config.natsUrl
            ? { deviceChanges: { natsUrl: config.natsUrl, streamPrefix: options.streamPrefix } }
            : {}),
        });
      }
      return url;
    },
    async close() {
      // Every step is bounded by one deadline, so a stuck part (an ingress reconnecting to a gone
      // broker, a commit hung on a lock) cannot hold shutdown: SIGTERM must end the process in 10 s.
      // A step past its share is abandoned (logged); the process exit cleans up after it.
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
      await step('api devices', () => apiDevices?.close());
      await step('http', () => http.close());
      await step('scenarios', () => scenarios.stop());
      await step('centre', () => centre.stop());
      await step('sensing', () => sensing.stop());
      await step('relay', () => relay.stop());
      await step('bus', () => bus.close());
      await step('algorithms', () => algorithms.stop());
      await step('database', () => database.close());
    },
  };
  return app;
}

/** app.close() gives up waiting on whatever is still stuck this long after it started. */
const CLOSE_DEADLINE_MS = 7000;

/** An ingest process's hand-over of new readings: outbox rows on `sensing.readings.p<k>`, relay woken after commit. */
function readingsOut(outbox: Outbox<Subjects>, relay: OutboxRelay, partitions: number): ReadingsOut {
  return {
    partitions,
    enqueue: async (trx, messages) => {
      await outbox.enqueueMany(
        trx,
        [...messages].map(([k, payload]) => ({ subject: readingsSubject(k), payload, key: `p${k}` })),
      );
    },
    committed: () => relay.wake(),
  };
}

/** Maps a not_found rejection to a fallback value; any other error passes through. */
function unlessNotFound<T>(fallback: T): (error: unknown) => T {
  return (error) => {
    if (error instanceof AppError && error.code === 'not_found') return fallback;
    throw error;
  };
}
