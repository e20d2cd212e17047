import type { AlgorithmRegistry } from '../modules/algorithms/index.ts';
import type { EventService } from '../modules/events/index.ts';
import type { JurisdictionService } from '../modules/jurisdictions/index.ts';
import { PatrolService } from '../modules/patrol/index.ts';
import { SYSTEM_PRINCIPAL } from '../platform/access.ts';
import type { Clock } from '../platform/clock.ts';
import type { Db } from '../platform/db/database.ts';

/** At most this many stored events feed one model fit (a year of a large city's reports). */
const MAX_EVENTS = 500_000;

/** Patrol hot spots over the stored streets (jurisdictions) and events (the event centre), read when needed. */
export function patrolOf(deps: {
  db: Db;
  clock: Clock;
  algorithms: AlgorithmRegistry;
  jurisdictions: JurisdictionService;
  events: EventService;
}): PatrolService {
  return new PatrolService({
    db: deps.db,
    clock: deps.clock,
    algorithms: deps.algorithms,
    streets: () => deps.jurisdictions.streetShapes(),
    // Every source: the model itself keeps the reported ones. Merged duplicates are one incident.
    incidents: async (from, to) =>
      (
        await deps.events.list(SYSTEM_PRINCIPAL, {
          from: from.toISOString(),
          to: to.toISOString(),
          limit: MAX_EVENTS,
        })
      )
        .filter((e) => e.status !== 'merged')
        .map((e) => ({
          id: e.id,
          lon: e.location.lon,
          lat: e.location.lat,
          at: Date.parse(e.createdAt),
          source: e.source,
          synthetic: false,
        })),
  });
}
