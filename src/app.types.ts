/**
 * The composition root's types: what createApp takes (AppOptions) and gives (App, Services),
 * and what its builder hands to the start function of each process role (Built, RolePlan).
 */
import type { Config } from './config.ts';
import type { AlgorithmRegistry } from './modules/algorithms/index.ts';
import type { AuditLog } from './modules/audit/index.ts';
import type { Datahub, ExchangeGateway } from './modules/datahub/index.ts';
import type { Enforcement } from './modules/enforcement/index.ts';
import type { IdentityService } from './modules/identity/index.ts';
import type { JurisdictionService } from './modules/jurisdictions/index.ts';
import type { LifeCircleService } from './modules/lifecircle/index.ts';
import type { LiveFeed } from './modules/live/index.ts';
import type { MatchingService } from './modules/matching/index.ts';
import type { Organisation } from './modules/organisation/index.ts';
import type { ParkingOptions, ParkingService } from './modules/parking/index.ts';
import type { PatrolService } from './modules/patrol/index.ts';
import type { Scenarios } from './modules/scenarios/index.ts';
import type { SensingOptionsInput, SensingService } from './modules/sensing/index.ts';
import type { IntegratedServices } from './modules/services/index.ts';
import type { TrafficOptions, TrafficService } from './modules/traffic/index.ts';
import type { Bus, Outbox, OutboxRelay } from './platform/bus/index.ts';
import type { Clock } from './platform/clock.ts';
import type { Database } from './platform/db/database.ts';
import type { Api } from './platform/http/server.ts';
import type { Logger } from './platform/logger.ts';
import type { Subjects } from './subjects.ts';
import type { MqttIngest } from './wiring/mqtt-ingest.ts';
import type { DeviceChangeFollower } from './wiring/rules-device-changes.ts';
import type { RulesRole } from './wiring/rules-role.ts';
import type { EventCentre } from './workflows/event-centre.ts';

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
  /** Integrated services: the step-timer sweep interval (0: none; tests call `timers.tick()`). */
  services?: { sweepMs?: number };
  /** Traffic alert rules and the evaluation timer (ms, default 30 s; 0 = none, e.g. tests on a ManualClock). */
  traffic?: Partial<TrafficOptions> & { intervalMs?: number };
  /** Parking booking rules and the no-show / overstay sweep (ms, default 30 s; 0 = none, tests call `sweep()`). */
  parking?: Partial<ParkingOptions> & { sweepMs?: number };
  /** Sensing settings (the demo: no-data grace at start). */
  sensing?: SensingOptionsInput;
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
  /** The data exchange gateway: consumers, exchanges, conditional-access applications, the exchange log. */
  gateway: ExchangeGateway;
  /** Joint enforcement: register, draws, inspect-once visits, 执法码/企业码, countersigned records. */
  enforcement: Enforcement;
  /** Integrated services (一件事一次办): bundles, applications, the departments' desks, step timers. */
  integratedServices: IntegratedServices;
  /** Road network, detectors on links, congestion index and alerts. */
  traffic: TrafficService;
  /** The 15-minute life circle: coverage per street, gaps, best sites (computed lazily on first use). */
  lifecircle: LifeCircleService;
  /** Need — resource — match (issue 17). */
  matching: MatchingService;
  /** Congestion alerts → event and response plan to the traffic police (src/workflows/traffic-congestion.ts). */
  congestion: { stop(): Promise<void> };
  /** Shared staggered parking: sites, spaces, bookings, occupancy, matching, utilisation. */
  parking: ParkingService;
  /** Patrol hot spots from reported incidents, held-out PAI, capped patrol plans (logged decisions), displacement. */
  patrol: PatrolService;
}

/** A process role (`citybrain serve --role`). */
export type Role = NonNullable<AppOptions['role']>;

/** What a role starts besides HTTP, and what `close` must stop again. */
export interface Running {
  /** An api process's follower of registry changes made by other processes. */
  apiDevices?: DeviceChangeFollower;
}

/** What createApp built before any role starts: storage, bus, services, HTTP with its routes. */
export interface Built {
  options: AppOptions;
  config: Config;
  clock: Clock;
  logger: Logger;
  database: Database;
  bus: Bus<Subjects>;
  outbox: Outbox<Subjects>;
  relay: OutboxRelay;
  partitions: number;
  http: Api;
  services: Services;
  live: LiveFeed;
  running: Running;
}

/** What each role builds differently, and how it starts (`App.listen`). */
export interface RolePlan {
  /** Runs sensing's timers (no_data rules, rollups); a rules process runs the rules of its partitions instead. */
  sensingTimers: boolean;
  /** Hands new readings to the rules processes through the outbox instead of evaluating rules itself. */
  readingsOut: boolean;
  /** Starts the role's work and the HTTP server; resolves with the base URL. */
  start(app: App, built: Built): Promise<string>;
}
