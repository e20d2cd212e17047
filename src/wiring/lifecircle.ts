import type { AuditLog } from '../modules/audit/index.ts';
import type { JurisdictionService } from '../modules/jurisdictions/index.ts';
import { LifeCircleService, type StreetInput } from '../modules/lifecircle/index.ts';
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
    streets: async () => {
      const list = await deps.jurisdictions.list({ level: 'street' });
      const shapes = await deps.jurisdictions.geojson({ level: 'street' });
      const geometry = new Map(shapes.features.map((f) => [f.properties.code, f.geometry]));
      return list.flatMap((s): StreetInput[] => {
        const g = geometry.get(s.code);
        return g
          ? [
              {
                code: s.code,
                name: s.name,
                districtCode: s.parentCode ?? '',
                path: s.path,
                label: s.label,
                geometry: g as StreetInput['geometry'],
              },
            ]
          : [];
      });
    },
    roads: async () =>
      (await deps.traffic.queries.links(SYSTEM_PRINCIPAL, {})).items.map((l) => ({
        id: l.id,
        roadClass: l.class,
        coordinates: l.coordinates,
      })),
  });
}
