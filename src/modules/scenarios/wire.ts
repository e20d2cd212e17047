import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/database.ts';
import type { Api } from '../../platform/http/server.ts';
import type { Logger } from '../../platform/logger.ts';
import type { AlgorithmRegistry } from '../algorithms/index.ts';
import type { AuditLog } from '../audit/index.ts';
import type { DispatchService, TaskRouting } from '../dispatch/index.ts';
import type { EventService } from '../events/index.ts';
import type { NotifyService } from '../notify/index.ts';
import type { Organisation } from '../organisation/index.ts';
import type { SensingService } from '../sensing/index.ts';
import { CrowdScenario } from './crowd.scenario.ts';
import { PlanService } from './plans.service.ts';
import type { Scenario } from './scenario.ts';
import { registerScenarioRoutes } from './scenarios.routes.ts';
import type { PermitLookup } from './water.permits.ts';
import { WaterScenario } from './water.scenario.ts';

/** The part of the bus the scenarios use: one subscription to sensing alerts. */
export interface ScenarioBus {
  subscribe(
    pattern: 'sensing.alert.raised',
    options: { group: string; owner: string },
    handler: (envelope: { payload: unknown }) => Promise<void>,
  ): Promise<unknown>;
  stop(owner: string): Promise<void>;
}

/** What the scenarios take from the composition root (the App, and the wired event centre). */
export interface ScenarioDeps {
  db: Db;
  http: Api;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  algorithms: AlgorithmRegistry;
  sensing: SensingService;
  organisation: Organisation;
  /** The event centre (`wireEventCentre(...)`). */
  centre: { events: EventService; dispatch: DispatchService; notify: NotifyService; routing: TaskRouting };
  bus?: ScenarioBus;
  /** Where devices publish (the app's `mqtt.url` once listening). */
  mqttUrl?: () => string | undefined;
  /** The water plans' read of the suspects' discharge permits (the data hub's gateway, wired by the app). */
  permits?: PermitLookup;
  /** Crowd assessment timer, ms (default 30 s; 0 = none, e.g. tests on a ManualClock). */
  crowdIntervalMs?: number;
}

/** The wired scenarios. */
export interface Scenarios {
  plans: PlanService;
  water: WaterScenario;
  crowd: CrowdScenario;
  catalogue: Scenario[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Builds the scenario engine (plans, water, crowd) over the event centre and registers its routes; then `start()`. */
export function wireScenarios(deps: ScenarioDeps): Scenarios {
  const { db, audit, clock, logger, algorithms } = deps;
  const { events, dispatch, notify, routing } = deps.centre;
  const plans = new PlanService({ db, audit, clock, logger, algorithms, events, dispatch, routing, notify });
  const isCategory = (code: string) =>
    deps.organisation.responsibilities.lookup(code).then(
      () => true,
      () => false,
    );
  const water = new WaterScenario({
    clock,
    logger,
    algorithms,
    events,
    plans,
    isCategory,
    permits: deps.permits,
  });
  const crowd = new CrowdScenario({
    clock,
    logger,
    algorithms,
    sensing: deps.sensing,
    events,
    plans,
    intervalMs: deps.crowdIntervalMs,
  });
  const catalogue: Scenario[] = [water, crowd];
  registerScenarioRoutes(deps.http, {
    scenarios: catalogue,
    plans,
    water,
    crowd,
    info: () => ({
      mqttUrl: deps.mqttUrl?.() ?? null,
      topic: 'citybrain/v1/devices/{deviceId}/observations',
    }),
  });
  return {
    plans,
    water,
    crowd,
    catalogue,
    async start() {
      await crowd.start();
      await deps.bus?.subscribe(
        'sensing.alert.raised',
        { group: 'scenarios', owner: 'scenarios' },
        async (e) => {
          await water.onAlert(e.payload);
        },
      );
    },
    async stop() {
      await deps.bus?.stop('scenarios');
      await crowd.stop();
    },
  };
}
