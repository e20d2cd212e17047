import type { Principal } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/database.ts';
import type { DispatchService } from '../dispatch/index.ts';
import { computeKpis, type KpiQuery, type Kpis } from './events.kpis.ts';
import { type Workload, workloadByArea } from './events.workload.ts';

/** What the insights read from. */
export interface EventInsightsDeps {
  db: Db;
  dispatch: DispatchService;
  clock: Clock;
}

/**
 * The event centre's figures for the cockpit, in the caller's scope and at the clock's time:
 * governance KPIs (events.kpis.ts) and the workload per area (events.workload.ts). The routes
 * call these instead of querying the database themselves.
 */
export class EventInsights {
  private readonly deps: EventInsightsDeps;

  constructor(deps: EventInsightsDeps) {
    this.deps = deps;
  }

  /** GET /api/v1/kpis: the KPIs of the principal's jurisdiction over the window. */
  kpis(principal: Principal, query: KpiQuery): Promise<Kpis> {
    const { db, dispatch, clock } = this.deps;
    return computeKpis(db, dispatch, principal, clock.now(), query);
  }

  /** GET /api/v1/areas/workload: open events and live/overdue tasks per area. */
  workload(principal: Principal): Promise<Workload> {
    return workloadByArea(this.deps.db, principal, this.deps.clock.now());
  }
}
