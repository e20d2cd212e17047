import path from 'node:path';
import { closeApp, ROLES } from './app.roles.ts';
import type { App, AppOptions, Built, RolePlan, Services } from './app.types.ts';
import type { Config } from './config.ts';
import {
  AlgorithmRegistry,
  algorithmMigrations,
  registerAlgorithmRoutes,
} from './modules/algorithms/index.ts';
import { AuditLog, auditMigrations, registerAuditRoutes } from './modules/audit/index.ts';
import { registerBasemapRoutes } from './modules/basemap/index.ts';
import { registerCrowdDensityRoutes } from './modules/crowd/index.ts';
import { datahubMigrations, exchangeMigrations, gatewayMigrations } from './modules/datahub/index.ts';
import { enforcementMigrations } from './modules/enforcement/index.ts';
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
import { lifecircleMigrations, registerLifeCircleRoutes } from './modules/lifecircle/index.ts';
import { LiveFeed, registerLiveRoutes } from './modules/live/index.ts';
import { matchingMigrations, registerMatchingRoutes } from './modules/matching/index.ts';
import { crowdPlaces, sectionPlaces } from './modules/open311/index.ts';
import {
  createOrganisation,
  organisationMigrations,
  registerOrganisationRoutes,
} from './modules/organisation/index.ts';
import { ParkingService, parkingMigrations, registerParkingRoutes } from './modules/parking/index.ts';
import { patrolMigrations, registerPatrolRoutes } from './modules/patrol/index.ts';
import { planMigrations, wireScenarios } from './modules/scenarios/index.ts';
import {
  DEFAULT_PARTITIONS,
  DEFAULT_RULES_DIR,
  loadRuleFiles,
  registerSensingRoutes,
  SensingService,
  sensingMigrations,
} from './modules/sensing/index.ts';
import { servicesMigrations } from './modules/services/index.ts';
import { registerTrafficRoutes, TrafficService, trafficMigrations } from './modules/traffic/index.ts';
import { registerWaterClassRoutes } from './modules/water/index.ts';
import { SYSTEM_PRINCIPAL } from './platform/access.ts';
import { busOutboxMigrations, createBus, Outbox, OutboxRelay } from './platform/bus/index.ts';
import { systemClock } from './platform/clock.ts';
import { type Database, openDatabase } from './platform/db/database.ts';
import { type Migrations, migrateToLatest } from './platform/db/migrate.ts';
import { AppError } from './platform/errors.ts';
import { registerHealthRoute } from './platform/http/health.ts';
import { metricsRegistry } from './platform/http/metrics.ts';
import { createHttpServer } from './platform/http/server.ts';
import { registerWebRoutes } from './platform/http/web.ts';
import { createLogger } from './platform/logger.ts';
import { persistentSecret } from './platform/secrets.ts';
import { SUBJECTS } from './subjects.ts';
import { basemapOf } from './wiring/basemap.ts';
import { wireDatahub } from './wiring/datahub.ts';
import { platformReadModels } from './wiring/datahub-platform.ts';
import { wireEnforcement } from './wiring/enforcement.ts';
import { lifeCircleOf } from './wiring/lifecircle.ts';
import { matchingOf } from './wiring/matching.ts';
import { patrolOf } from './wiring/patrol.ts';
import { deviceChangesOut } from './wiring/rules-device-changes.ts';
import { gatewayPermitLookup } from './wiring/scenario-permits.ts';
import { alertsOut, readingsOut } from './wiring/sensing-outbox.ts';
import { wireServices } from './wiring/services.ts';
import { creditRepairOnCompletion } from './workflows/credit-repair.ts';
import { EVENT_CENTRE_MIGRATIONS, wireEventCentre } from './workflows/event-centre.ts';
import { wireCongestionResponse } from './workflows/traffic-congestion.ts';

export type { App, AppOptions, Services } from './app.types.ts';

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
  exchangeMigrations,
  gatewayMigrations,
  enforcementMigrations,
  servicesMigrations,
  trafficMigrations,
  lifecircleMigrations,
  matchingMigrations,
  parkingMigrations,
  patrolMigrations,
];

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
 * dependencies, registers routes (`buildApp`); `listen` starts what the process role runs.
 * No module reads the environment or builds its own deps.
 */
export async function createApp(options: AppOptions): Promise<App> {
  const plan = ROLES[options.role ?? 'all'];
  let app: App | undefined;
  const built = await buildApp(options, plan, () => app);
  const { config, database, http, logger, clock, services, bus, outbox, live } = built;
  app = {
    config,
    database,
    http,
    logger,
    clock,
    services,
    bus,
    outbox,
    live,
    listen: () => plan.start(app as App, built),
    close: () => closeApp(app as App, built),
  };
  return app;
}

/** Builds storage, the bus, every service and the HTTP server with all routes; starts nothing of a role. */
async function buildApp(options: AppOptions, plan: RolePlan, app: () => App | undefined): Promise<Built> {
  const core = await buildCore(options, plan);
  const {
    config,
    clock,
    logger,
    database,
    audit,
    jurisdictions,
    organisation,
    identity,
    algorithms,
    bus,
    sensing,
    traffic,
    parking,
  } = core;
  const db = database.db;
  const http = await createHttpServer({ logger, version: VERSION });
  installAuthentication(http, identity);
  registerHealthRoute(http, {
    database,
    version: VERSION,
    rules: () => {
      const rules = app()?.rules;
      return rules && { memberId: rules.memberId, partitions: rules.owned };
    },
  });
  registerAuditRoutes(http, { db, audit });
  registerIdentityRoutes(http, { identity });
  registerJurisdictionRoutes(http, { jurisdictions });
  registerOrganisationRoutes(http, { organisation });
  registerAlgorithmRoutes(http, { registry: algorithms });
  registerSensingRoutes(http, { sensing });
  registerWaterClassRoutes(http, {
    readings: sensing.queries,
    now: () => sensing.now(),
    dayOffsetMinutes: sensing.options.dayOffsetMinutes,
  });
  registerCrowdDensityRoutes(http, { sensing });
  registerTrafficRoutes(http, { traffic });
  registerBasemapRoutes(http, { basemap: basemapOf({ clock, jurisdictions, traffic }) });
  const lifecircle = lifeCircleOf({ db, audit, clock, jurisdictions, traffic });
  registerLifeCircleRoutes(http, { lifecircle });
  const matching = matchingOf({ db, audit, clock, lifecircle });
  registerMatchingRoutes(http, { matching });
  registerParkingRoutes(http, { parking });
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
    events: { trackingPrefix: config.trackingPrefix },
  });
  await centre.start();
  const patrol = patrolOf({ db, clock, algorithms, jurisdictions, events: centre.events });
  registerPatrolRoutes(http, { patrol });
  const { datahub, gateway } = wireDatahub({
    db,
    changes: database,
    http,
    audit,
    clock,
    organisation,
    identity,
    notifier: centre.notify,
    platform: platformReadModels({
      db,
      clock,
      sensing,
      events: centre.events,
      dispatch: centre.dispatch,
      jurisdictions,
    }),
  });
  const enforcement = wireEnforcement({ db, http, audit, clock, jurisdictions, dataDir: config.dataDir });
  const integratedServices = await wireServices({
    db,
    http,
    audit,
    clock,
    logger,
    organisation,
    notifier: centre.notify,
    gateway,
    identity,
    dataDir: config.dataDir,
    // Enforcement is built first: a completed credit-repair application lifts the enterprise's penalties.
    completed: creditRepairOnCompletion({ credit: enforcement.credit, logger }),
    algorithms,
    ...options.services,
  });
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
    mqttUrl: () => app()?.mqtt?.url,
    permits: gatewayPermitLookup(gateway),
    ...options.scenarios,
  });
  await scenarios.start();
  const congestion = wireCongestionResponse({
    bus,
    events: centre.events,
    plans: scenarios.plans,
    clusterOf: (alert) => traffic.clusterOf(alert),
    logger,
  });
  await congestion.start();
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
    gateway,
    enforcement,
    integratedServices,
    traffic,
    congestion,
    lifecircle,
    matching,
    parking,
    patrol,
  };
  const live = new LiveFeed({ resolveDevices: (ids) => sensing.devices.cache.resolve(ids) });
  registerLiveRoutes(http, { feed: live });
  await registerWebRoutes(http, { distDir: path.resolve(import.meta.dirname, '../web/dist') });
  return {
    options,
    config,
    clock,
    logger,
    database,
    bus,
    outbox: core.outbox,
    relay: core.relay,
    partitions: core.partitions,
    http,
    services,
    live,
    running: {},
  };
}

/** Storage (migrated), the bus with its outbox relay, and the services every other part needs. */
async function buildCore(options: AppOptions, plan: RolePlan) {
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
  // Traffic is built before sensing: its network checks and receives detector readings in the intake.
  let sensingRef: SensingService | undefined;
  // Parking too: the spaces' occupancy sensors confirm bookings in the intake.
  const parking = new ParkingService({
    db,
    audit,
    clock,
    logger,
    locate: async (lon, lat) => (await jurisdictions.locate(lon, lat))?.chain.map((c) => c.code).join('/'),
    options: options.parking,
  });
  const traffic = new TrafficService({
    db,
    audit,
    clock,
    logger,
    locate: async (lon, lat) => {
      const located = await jurisdictions.locate(lon, lat);
      return located && { path: located.chain.map((c) => c.code).join('/'), chain: located.chain };
    },
    detectors: async () =>
      (
        await (sensingRef as SensingService).queries.devicesOfType(SYSTEM_PRINCIPAL, 'TrafficFlowObserved')
      ).map((d) => ({ id: d.id, lon: d.lon, lat: d.lat })),
    publish: async (trx, subject, alert) => {
      await outbox.enqueue(trx, subject, alert, { key: alert.linkId });
      relay.wake();
    },
    options: options.traffic,
  });
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
    alertPublisher: alertsOut(outbox),
    rules: loadRuleFiles(DEFAULT_RULES_DIR),
    ...(options.sensing ? { options: options.sensing } : {}),
    // An ingest process hands new readings to the rules processes through the outbox (see docs/sensing-pipeline.md).
    ...(plan.readingsOut ? { readingsOut: readingsOut(outbox, relay, partitions) } : {}),
    // Several processes (NATS): registry changes reach the others' caches (src/wiring/rules-device-changes.ts).
    ...(config.natsUrl ? { deviceChanges: deviceChangesOut(outbox, relay) } : {}),
    observers: [traffic.observer(), parking.observer()],
  });
  sensingRef = sensing;
  if (plan.sensingTimers) await sensing.start();
  // Congestion is evaluated where the sensing timers run; every process loads the network for the intake check.
  await traffic.start(plan.sensingTimers ? (options.traffic?.intervalMs ?? 30_000) : 0);
  // The no-show / overstay sweep runs where the sensing timers run (SKIP LOCKED: several may).
  parking.start(plan.sensingTimers ? (options.parking?.sweepMs ?? 30_000) : 0);

  return {
    config,
    clock,
    logger,
    database,
    audit,
    jurisdictions,
    organisation,
    identity,
    algorithms,
    bus,
    outbox,
    relay,
    partitions,
    sensing,
    traffic,
    parking,
  };
}

/** Maps a not_found rejection to a fallback value; any other error passes through. */
function unlessNotFound<T>(fallback: T): (error: unknown) => T {
  return (error) => {
    if (error instanceof AppError && error.code === 'not_found') return fallback;
    throw error;
  };
}
