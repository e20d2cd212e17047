/**
 * Generates the demo city's APPROXIMATE road network, deterministically, into
 * data/traffic/chongqing-roads.v1.geojson:
 *   ./node_modules/.bin/node src/modules/traffic/demo-network.ts
 * No free road data can be fetched here, so the roads are synthetic: straight roads from each
 * district seat to its 3 nearest seats (the lines the demo's traffic detectors were placed on,
 * src/modules/sensing/demo/generate-devices.ts), split into ~2 km links — expressways when the
 * road is longer than 50 km, arterials otherwise — and a grid in each of the six central
 * districts (0.5 km in 渝中 around Jiefangbei, 1 km elsewhere; every other line of 渝中's grid and
 * every fourth elsewhere, and the lines through the seat, are arterials). Every link is marked
 * `approximate: true`. A test checks the committed file equals this output.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import { lineLengthM, type Position } from './traffic.network.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
/** The committed demo network. */
export const DEMO_ROADS_FILE = path.join(ROOT, 'data/traffic/chongqing-roads.v1.geojson');

type Area = Feature<Polygon | MultiPolygon, { code: string; name: string; level: string; seat?: Position }>;

const CENTRAL: Record<string, { spacingKm: number; halfKm: number; arterialEvery: number }> = {
  '500103': { spacingKm: 0.5, halfKm: 2.5, arterialEvery: 2 },
  '500105': { spacingKm: 1, halfKm: 5, arterialEvery: 4 },
  '500106': { spacingKm: 1, halfKm: 5, arterialEvery: 4 },
  '500107': { spacingKm: 1, halfKm: 5, arterialEvery: 4 },
  '500108': { spacingKm: 1, halfKm: 5, arterialEvery: 4 },
  '500112': { spacingKm: 1, halfKm: 5, arterialEvery: 4 },
};

const round = (v: number) => Math.round(v * 1e5) / 1e5;
const pos = (lon: number, lat: number): Position => [round(lon), round(lat)];

/** The demo network as a GeoJSON FeatureCollection (deterministic). */
export function buildDemoRoads(jurisdictionsFile = path.join(ROOT, 'data/chongqing/jurisdictions.geojson')) {
  const areas: Area[] = JSON.parse(fs.readFileSync(jurisdictionsFile, 'utf8')).features;
  const city = areas.find((a) => a.properties.level === 'city')!;
  const districts = areas.filter((a) => a.properties.level === 'district');
  const byCode = new Map(districts.map((d) => [d.properties.code, d]));
  const seat = (d: Area) => d.properties.seat!;
  const dist = (a: Position, b: Position) => Math.hypot(a[0] - b[0], a[1] - b[1]);
  const features: object[] = [];
  const add = (id: string, name: string, cls: string, coords: Position[]) =>
    features.push({
      type: 'Feature',
      properties: { id, name, class: cls, approximate: true },
      geometry: { type: 'LineString', coordinates: coords },
    });

  // Roads between neighbouring district seats (the same 3-nearest rule as the detectors).
  const edges = new Set<string>();
  for (const a of districts) {
    const nearest = districts
      .filter((b) => b !== a)
      .sort((b, c) => dist(seat(a), seat(b)) - dist(seat(a), seat(c)))
      .slice(0, 3);
    for (const b of nearest) edges.add([a.properties.code, b.properties.code].sort().join('-'));
  }
  for (const e of [...edges].sort()) {
    const [ca, cb] = e.split('-') as [string, string];
    const a = seat(byCode.get(ca)!);
    const b = seat(byCode.get(cb)!);
    const km = lineLengthM([a, b]) / 1000;
    const cls = km > 50 ? 'expressway' : 'arterial';
    const n = Math.max(1, Math.ceil(km / 2));
    const road = `${byCode.get(ca)!.properties.name}—${byCode.get(cb)!.properties.name}${cls === 'expressway' ? '快速路' : '干道'}`;
    for (let k = 0; k < n; k++) {
      const p = (f: number) => pos(a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f);
      add(`r-${e}-${k}`, `${road} 第${k + 1}段`, cls, [p(k / n), p((k + 1) / n)]);
    }
  }

  // Grids in the central districts, links kept when their midpoint lies in the district.
  for (const [code, g] of Object.entries(CENTRAL)) {
    const d = byCode.get(code)!;
    const [lon0, lat0] = seat(d);
    const dLon = g.spacingKm / (111.32 * Math.cos((lat0 * Math.PI) / 180));
    const dLat = g.spacingKm / 110.57;
    const n = Math.round(g.halfKm / g.spacingKm);
    const at = (i: number, j: number) => pos(lon0 + i * dLon, lat0 + j * dLat);
    const inside = (p: Position) => booleanPointInPolygon(p, d) && booleanPointInPolygon(p, city);
    const name = d.properties.name;
    for (let j = -n; j <= n; j++)
      for (let i = -n; i < n; i++) {
        const a = at(i, j);
        const b = at(i + 1, j);
        if (!inside(pos((a[0] + b[0]) / 2, (a[1] + b[1]) / 2))) continue;
        const cls = j % g.arterialEvery === 0 ? 'arterial' : 'secondary';
        add(`g-${code}-h${j}-${i}`, `${name}横${j >= 0 ? j : `南${-j}`}路`, cls, [a, b]);
      }
    for (let i = -n; i <= n; i++)
      for (let j = -n; j < n; j++) {
        const a = at(i, j);
        const b = at(i, j + 1);
        if (!inside(pos((a[0] + b[0]) / 2, (a[1] + b[1]) / 2))) continue;
        const cls = i % g.arterialEvery === 0 ? 'arterial' : 'secondary';
        add(`g-${code}-v${i}-${j}`, `${name}纵${i >= 0 ? i : `西${-i}`}路`, cls, [a, b]);
      }
  }
  return { type: 'FeatureCollection', features };
}

/** The file's text: one feature per line, so diffs stay readable. */
export function demoRoadsText(): string {
  const fc = buildDemoRoads();
  return `{"type":"FeatureCollection","features":[\n${fc.features.map((f) => JSON.stringify(f)).join(',\n')}\n]}\n`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  fs.mkdirSync(path.dirname(DEMO_ROADS_FILE), { recursive: true });
  fs.writeFileSync(DEMO_ROADS_FILE, demoRoadsText());
  process.stdout.write(`wrote ${DEMO_ROADS_FILE}\n`);
}
