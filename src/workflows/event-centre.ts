import path from 'node:path';
import type { AlgorithmRegistry } from '../modules/algorithms/index.ts';
import type { AuditLog } from '../modules/audit/index.ts';
import { type Classifier, createClassifier } from '../modules/classification/index.ts';
import {
  type DispatchDeps,
  DispatchService,
  dispatchMigrations,
  dispatchSubjects,
  EscalationScheduler,
  type Gatekeeper,
  registerDispatchRoutes,
  type TaskListener,
  type TaskRouting,
  TeamDirectory,
  type TeamSource,
} from '../modules/dispatch/index.ts';
import {
  type EventDeps,
  type EventOptions,
  EventService,
  eventMigrations,
  eventSubjects,
  intakeAlert,
  type Rule,
  registerEventRoutes,
} from '../modules/events/index.ts';
import type { IdentityService } from '../modules/identity/index.ts';
import type { JurisdictionService } from '../modules/jurisdictions/index.ts';
import {
  type Channel,
  NotifyService,
  notifyMigrations,
  registerNotifyRoutes,
  webhookChannel,
} from '../modules/notify/index.ts';
import { jurisdictionPlaces, Open311Service, registerOpen311Routes } from '../modules/open311/index.ts';
import type { Organisation } from '../modules/organisation/index.ts';
import { SYSTEM_PRINCIPAL } from '../platform/access.ts';
import { mergeSubjects } from '../platform/bus/index.ts';
import type { Clock } from '../platform/clock.ts';
import type { Db } from '../platform/db/database.ts';
import type { Migrations } from '../platform/db/migrate.ts';
import { AppError } from '../platform/errors.ts';
import type { Api } from '../platform/http/server.ts';
import type { Logger } from '../platform/logger.ts';
import { taskRouting } from './task-steps.ts';

/** The event centre's migrations (events, dispatch, notify); add them to ALL_MIGRATIONS. */
export const EVENT_CENTRE_MIGRATIONS: Migrations[] = [eventMigrations, dispatchMigrations, notifyMigrations];

/** The subjects the event centre publishes; merge them into the app's bus registry. */
export const eventCentreSubjects = mergeSubjects(eventSubjects, dispatchSubjects);

/** The part of the bus the event centre uses: one subscription to sensing alerts. */
export interface AlertBus {
  subscribe(
    pattern: 'sensing.alert.raised',
    options: { group: string; owner: string },
    handler: (envelope: { payload: unknown }) => Promise<void>,
  ): Promise<unknown>;
  stop(owner: string): Promise<void>;
}

/** What the wiring takes from the composition root (an `App` plus the registry and the bus). */
export interface EventCentreDeps {
  db: Db;
  http: Api;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  /** The app's data dir; proof photos go to `<dataDir>/evidence`, citizens' photos to `<dataDir>/photos`. */
  dataDir: string;
  jurisdictions: JurisdictionService;
  organisation: Organisation;
  identity: IdentityService;
  algorithms: AlgorithmRegistry;
  /** Sensing alerts arrive here; without a bus the event centre takes no alerts. */
  bus?: AlertBus;
  /** Default: `createClassifier()` trained on the shipped corpus. */
  classifier?: Classifier;
  /** Besides in-app: default webhook. Add smsChannel/emailChannel adapters here. */
  notifyChannels?: Channel[];
  events?: Partial<EventOptions>;
  /** How often due timers are checked (ms, default 1000). */
  schedulerIntervalMs?: number;
  /** How often the team index reloads from organisation (ms, default 30 s). */
  teamRefreshMs?: number;
  maxEvidenceBytes?: number;
}

/** The wired event centre: its services and its background loops. */
export interface EventCentre {
  events: EventService;
  dispatch: DispatchService;
  notify: NotifyService;
  open311: Open311Service;
  teams: TeamDirectory;
  scheduler: EscalationScheduler;
  /** Plans and writes tasks as named steps (response plans use it too). */
  routing: TaskRouting;
  /** Loads the team index, starts the escalation and delivery loops and the alert subscription. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * What the event centre's services are built over: the app's modules behind small functions,
 * or the stand-ins of a test (events.fixture.ts builds through the same function).
 */
export interface EventCentreParts {
  db: Db;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  algorithms: Gatekeeper;
  /** Where the team index reads the teams (organisation). */
  teamSource: TeamSource;
  /** Whether a department `<node>:<type>` exists. */
  departmentExists(code: string): Promise<boolean>;
  /** A department's display name (best effort). */
  departmentName(code: string): Promise<string | null>;
  /** The responsibility list: throws not_found for an unknown category. */
  rule(category: string): Promise<Rule>;
  locate: EventDeps['locate'];
  classifier: EventDeps['classifier'];
  /** Besides in-app. */
  notifyChannels?: Channel[];
  events?: Partial<EventOptions>;
  evidenceDir: string;
  maxEvidenceBytes?: number;
  photoDir: string;
  photoLimits?: EventDeps['photoLimits'];
  /** A named landmark near a point, for the field card (Open311's gazetteer), or null. */
  landmarkNear?(lon: number, lat: number): Promise<string | null>;
}

/** The event centre's services, wired to each other. */
export interface EventCentreServices {
  events: EventService;
  dispatch: DispatchService;
  notify: NotifyService;
  teams: TeamDirectory;
  scheduler: EscalationScheduler;
  /** Plans and writes tasks as named steps (shared by intake, review, reopening and response plans). */
  routing: TaskRouting;
}

/**
 * Builds the event centre's services: notify, the team index, dispatch (told of task changes by
 * the event service, a listener given at construction), the task-routing steps, events and the
 * escalation scheduler. The app (`wireEventCentre`) and the tests build through this function.
 */
export function buildEventCentre(parts: EventCentreParts): EventCentreServices {
  const { db, audit, clock, logger, algorithms } = parts;
  const notify = new NotifyService({ db, clock, logger, channels: parts.notifyChannels });
  // The team index counts active tasks per team from dispatch, built below; a call comes only at reload.
  let dispatchRef: DispatchService | undefined;
  const teams = new TeamDirectory(parts.teamSource, clock, logger, () =>
    dispatchRef ? dispatchRef.activeCounts() : Promise.resolve(new Map()),
  );
  // Task changes go to the event service, built after dispatch (it plans and writes through it).
  let eventsRef: EventService | undefined;
  const listener: TaskListener = {
    lockEvent: async (trx, eventId) => eventsRef?.lockEvent(trx, eventId),
    taskChanged: async (trx, task, change) => eventsRef?.taskChanged(trx, task, change),
  };
  const dispatchDeps: DispatchDeps = {
    db,
    audit,
    clock,
    logger,
    notifier: notify,
    teams,
    algorithms,
    departmentExists: parts.departmentExists,
    storageDir: parts.evidenceDir,
    maxEvidenceBytes: parts.maxEvidenceBytes,
    listener,
    // The field card's event context comes from the event service, built below.
    fieldContext: async (ids) => (await eventsRef?.fieldContexts(ids, parts.landmarkNear)) ?? new Map(),
  };
  const dispatch = new DispatchService(dispatchDeps);
  dispatchRef = dispatch;
  const routing = taskRouting({ db, dispatch, teams, logger });
  const events = new EventService({
    db,
    audit,
    clock,
    logger,
    notifier: notify,
    dispatch,
    routing,
    algorithms,
    classifier: parts.classifier,
    locate: parts.locate,
    rule: parts.rule,
    departmentName: parts.departmentName,
    options: parts.events,
    photoDir: parts.photoDir,
    photoLimits: parts.photoLimits,
  });
  eventsRef = events;
  const scheduler = new EscalationScheduler(dispatchDeps);
  return { events, dispatch, notify, teams, scheduler, routing };
}

/**
 * Builds the event centre (events, dispatch, notify, Open311) over the app's modules and registers
 * its routes. Call before the HTTP server is ready; then `start()`.
 */
export function wireEventCentre(deps: EventCentreDeps): EventCentre {
  const { db, audit, clock, logger, organisation, identity, jurisdictions, algorithms } = deps;
  const departments = new Map<string, { name: string } | null>();
  const department = async (code: string) => {
    if (!departments.has(code)) {
      const found = await organisation.structure.getDepartment(code).then(
        (d) => ({ name: d.name }),
        (err) => {
          if (err instanceof AppError && err.code === 'not_found') return null;
          throw err;
        },
      );
      departments.set(code, found);
    }
    return departments.get(code) ?? null;
  };
  // The responsibility list changes rarely (a new revision by an administrator): read through a
  // 30 s cache so intake does not pay two queries per report.
  const rules = new Map<
    string,
    { at: number; rule: Promise<Awaited<ReturnType<typeof organisation.responsibilities.lookup>>> }
  >();
  const rule = (category: string) => {
    const hit = rules.get(category);
    if (hit && performance.now() - hit.at < 30_000) return hit.rule;
    const fresh = organisation.responsibilities.lookup(category);
    rules.set(category, { at: performance.now(), rule: fresh });
    fresh.catch(() => rules.delete(category));
    return fresh;
  };
  // Landmarks near a field task come from Open311's gazetteer (built below; the scenarios add landmarks).
  let open311Ref: Open311Service | undefined;
  const landmarkNear = async (lon: number, lat: number) =>
    (await open311Ref?.landmarkNear(lon, lat).catch((err: unknown) => {
      logger.warn({ err }, 'landmark lookup failed');
      return null;
    })) ?? null;
  const { events, dispatch, notify, teams, scheduler, routing } = buildEventCentre({
    db,
    audit,
    clock,
    logger,
    algorithms,
    teamSource: {
      all: async () => {
        const out = [];
        for (let offset = 0; ; offset += 2000) {
          const page = await organisation.teams.list(SYSTEM_PRINCIPAL, { limit: 2000, offset });
          out.push(...page.items);
          if (page.items.length < 2000) return out;
        }
      },
      get: (id) => organisation.teams.get(SYSTEM_PRINCIPAL, id),
      setPosition: (principal, id, at) => organisation.teams.setPosition(principal, id, at),
    },
    departmentExists: async (code: string) => (await department(code)) !== null,
    departmentName: async (code) => (await department(code))?.name ?? null,
    rule,
    locate: (lon, lat) => jurisdictions.locate(lon, lat),
    classifier: deps.classifier ?? createClassifier(),
    notifyChannels: deps.notifyChannels ?? [webhookChannel()],
    events: deps.events,
    evidenceDir: path.join(deps.dataDir, 'evidence'),
    maxEvidenceBytes: deps.maxEvidenceBytes,
    photoDir: path.join(deps.dataDir, 'photos'),
    landmarkNear,
  });
  const open311 = new Open311Service({
    events,
    clock,
    rules: async () => {
      const list = await organisation.responsibilities.list();
      return { items: list.items, domains: list.domains };
    },
    authenticate: (apiKey) => identity.authenticate({ 'x-api-key': apiKey }),
    places: [async () => jurisdictionPlaces(await jurisdictions.list())],
  });
  open311Ref = open311;

  registerEventRoutes(deps.http, { events, dispatch, notify, db, clock });
  registerDispatchRoutes(deps.http, { dispatch, maxEvidenceBytes: deps.maxEvidenceBytes });
  registerNotifyRoutes(deps.http, { notify });
  registerOpen311Routes(deps.http, { open311 });

  const isCategory = (code: string) =>
    rule(code).then(
      () => true,
      () => false,
    );
  return {
    events,
    dispatch,
    notify,
    open311,
    teams,
    scheduler,
    routing,
    async start() {
      await teams.reload();
      teams.start(deps.teamRefreshMs ?? 30_000);
      scheduler.start(deps.schedulerIntervalMs ?? 1000);
      notify.start();
      events.photos.start();
      await deps.bus?.subscribe(
        'sensing.alert.raised',
        { group: 'event-centre', owner: 'event-centre' },
        async (e) => {
          await intakeAlert(events, logger, e.payload, isCategory);
        },
      );
    },
    async stop() {
      await deps.bus?.stop('event-centre');
      await scheduler.stop();
      notify.stop();
      events.photos.stop();
      teams.stop();
    },
  };
}
