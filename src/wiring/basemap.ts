import fs from 'node:fs/promises';
import path from 'node:path';
import type { Area, River } from '../modules/basemap/index.ts';
import { BasemapService } from '../modules/basemap/index.ts';
import type { JurisdictionService } from '../modules/jurisdictions/index.ts';
import type { TrafficService } from '../modules/traffic/index.ts';
import { SYSTEM_PRINCIPAL } from '../platform/access.ts';
import type { Clock } from '../platform/clock.ts';

/** The rivers of the demo city (Natural Earth), the only river lines the platform has. */
export const RIVERS_FILE = path.resolve(import.meta.dirname, '../../data/chongqing/rivers.geojson');

/** The base map over the traffic module's links, the districts and streets, and the rivers file. */
export function basemapOf(deps: {
  clock: Clock;
  jurisdictions: JurisdictionService;
  traffic: TrafficService;
  riversFile?: string;
}): BasemapService {
  const { jurisdictions, traffic } = deps;
  return new BasemapService({
    clock: deps.clock,
    source: {
      roads: async () =>
        (await traffic.queries.links(SYSTEM_PRINCIPAL, {})).items.map((l) => ({
          id: l.id,
          name: l.name,
          roadClass: l.class,
          coordinates: l.coordinates,
        })),
      areas: () => areasOf(jurisdictions),
      rivers: () => riversOf(deps.riversFile ?? RIVERS_FILE),
    },
  });
}

async function areasOf(jurisdictions: JurisdictionService): Promise<Area[]> {
  const out: Area[] = [];
  for (const level of ['district', 'street'] as const) {
    const [list, shapes] = await Promise.all([
      jurisdictions.list({ level }),
      jurisdictions.geojson({ level }),
    ]);
    const geometry = new Map(shapes.features.map((f) => [f.properties.code, f.geometry]));
    for (const j of list) {
      const g = geometry.get(j.code);
      if (g && (g.type === 'Polygon' || g.type === 'MultiPolygon'))
        out.push({
          code: j.code,
          name: j.name,
          nameEn: j.nameEn,
          level,
          label: j.label,
          geometry: g as Area['geometry'],
        });
    }
  }
  return out;
}

async function riversOf(file: string): Promise<River[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return []; // a city without a rivers file has a base map without rivers
  }
  const parsed = JSON.parse(text) as {
    features: { properties: { name?: string; name_en?: string }; geometry: River['geometry'] }[];
  };
  return parsed.features
    .filter((f) => f.geometry?.type === 'LineString' || f.geometry?.type === 'MultiLineString')
    .map((f) => ({
      name: f.properties.name ?? f.properties.name_en ?? '',
      nameEn: f.properties.name_en ?? f.properties.name ?? '',
      geometry: f.geometry,
    }));
}
