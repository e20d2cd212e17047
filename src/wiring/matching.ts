import type { AuditLog } from '../modules/audit/index.ts';
import type { LifeCircleService } from '../modules/lifecircle/index.ts';
import { MatchingService } from '../modules/matching/index.ts';
import type { Clock } from '../platform/clock.ts';
import type { Db } from '../platform/db/database.ts';

/**
 * Need — resource — match over the life circle: its walking network for distances, its facilities
 * as resources; and the matching's unmet needs shown in the life circle's gap list.
 */
export function matchingOf(deps: {
  db: Db;
  audit: AuditLog;
  clock: Clock;
  lifecircle: LifeCircleService;
}): MatchingService {
  const { lifecircle } = deps;
  const matching = new MatchingService({
    db: deps.db,
    audit: deps.audit,
    clock: deps.clock,
    model: async () => {
      const model = await lifecircle.walkingModel();
      return model.streets.length ? model : undefined;
    },
    facilities: () => lifecircle.facilities(),
  });
  lifecircle.setUnmetNeedsSource(() => matching.unmetByStreet());
  return matching;
}
