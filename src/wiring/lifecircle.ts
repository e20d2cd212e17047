import type { AuditLog } from '../modules/audit/index.ts';
import type { JurisdictionService } from '../modules/jurisdictions/index.ts';
import { LifeCircleService } from '../modules/lifecircle/index.ts';
import type { TrafficService } from '../modules/traffic/index.ts';
import { SYSTEM_PRINCIPAL } from '../platform/access.ts';
import type { Clock } from '../platform/clock.ts';
import type { Db } from '../platform/db/database.ts';

/** The life circle over the stored streets (jurisdictions) and road links (traffic), read when first needed. */
export function lifeCircleOf(deps: {
  db: Db;
  audit: AuditLog;
  clock: Clock;
  jurisdictions: JurisdictionService;
  traffic: TrafficService;
}): LifeCircleService {
  return new LifeCircleService({
    db: deps.db,
    audit: deps.audit,
    clock: deps.clock,
    streets: () => deps.jurisdictions.streetShapes(),
    roads: async () =>
      (await deps.traffic.queries.links(SYSTEM_PRINCIPAL, {})).items.map((l) => ({
        id: l.id,
        roadClass: l.class,
        coordinates: l.coordinates,
      })),
  });
}
