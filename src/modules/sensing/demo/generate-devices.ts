/**
 * Generates the demo city's 17,000 sensing points, deterministically (fixed seed), into
 * data/sensing/demo-devices.csv:
 *   ./node_modules/.bin/node src/modules/sensing/demo/generate-devices.ts
 * Water-quality stations sit on the main rivers (data/chongqing/rivers.geojson, Natural Earth)
 * and on synthetic tributaries near district seats; people counters crowd the busy centres of
 * the six main urban districts and Jiefangbei; traffic detectors follow straight "roads" between
 * neighbouring district seats and dense grids in the centre; parking sensors fill central districts.
 * Every point is checked to lie in the city, and central points in their district.
 */
import fs from 'node:fs';
import path from 'node:path';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import { CSV_COLUMNS } from '../devices/devices.import.ts';
import { DEFAULT_METRICS, type DeviceType } from '../sensing.catalogue.ts';
import { namedDevices } from './named-devices.ts';
import { rng } from './random.ts';

const root = path.resolve(import.meta.dirname, '../../../..');
const read = (p: string) => JSON.parse(fs.readFileSync(path.join(root, p), 'utf8'));
type Area = Feature<
  Polygon | MultiPolygon,
  { code: string; name: string; level: string; seat?: [number, number] }
>;
const areas: Area[] = read('data/chongqing/jurisdictions.geojson').features;
const city = areas.find((a) => a.properties.level === 'city')!;
const districts = areas.filter((a) => a.properties.level === 'district');
const rivers: { properties: { name_en: string }; geometry: { coordinates: number[][][] } }[] = read(
  'data/chongqing/rivers.geojson',
).features;

const CENTRAL = ['500103', '500105', '500108', '500106', '500107', '500112'];
const RIVER_ZH: Record<string, [string, 'I' | 'II' | 'III']> = {
  Yangtze: ['长江', 'II'],
  Jialing: ['嘉陵江', 'II'],
  Wu: ['乌江', 'II'],
  Tuo: ['沱江', 'III'],
  Yuan: ['酉水', 'II'],
};
const random = rng(20251120);
const inCity = (p: [number, number]) => booleanPointInPolygon(p, city);
const byCode = new Map(districts.map((d) => [d.properties.code, d]));
const inDistrict = (p: [number, number], code: string) => booleanPointInPolygon(p, byCode.get(code)!);

/** A point near (lon, lat) with a Gaussian spread of `km`, inside the city (and the district when given). */
function near(lon: number, lat: number, km: number, district?: string): [number, number] {
  for (let i = 0; i < 200; i++) {
    const [dx, dy] = random.gauss2();
    const p: [number, number] = [round(lon + (dx * km) / 97), round(lat + (dy * km) / 111)];
    if (inCity(p) && (!district || inDistrict(p, district))) return p;
  }
  return [lon, lat];
}

function round(v: number): number {
  return Math.round(v * 1e5) / 1e5;
}

const rows: string[][] = [];
// Metrics equal to the type's defaults are left blank (the registry fills them in): a smaller file.
const add = (r: Record<string, string | number>) => {
  const metrics = String(r.metrics ?? '');
  const row: Record<string, string | number> = {
    ...r,
    metrics: metrics === DEFAULT_METRICS[r.type as DeviceType].join('|') ? '' : metrics,
  };
  rows.push(CSV_COLUMNS.map((c) => String(row[c] ?? '')));
};
for (const d of namedDevices) add(d);
const seat = (d: Area) => d.properties.seat!;
const name = (code: string) => byCode.get(code)!.properties.name;
const WATER_METRICS = 'O2|NH4|cod|PO4|pH|temperature|turbidity|conductivity';

// Water quality: stations every ~12 km along the main rivers (inside the city), then tributary sections near seats.
let n = 0;
for (const river of rivers) {
  const [zh, cls] = RIVER_ZH[river.properties.name_en] ?? [river.properties.name_en, 'III'];
  for (const line of river.geometry.coordinates) {
    for (let i = 0; i < line.length; i += 3) {
      const p = [round(line[i]![0]!), round(line[i]![1]!)] as [number, number];
      if (!inCity(p)) continue;
      n++;
      const id = `wq-${String(n).padStart(4, '0')}`;
      add({
        id,
        type: 'WaterQualityObserved',
        model: 'multi-parameter sonde',
        name: `${zh}水质自动站${n}`,
        lon: p[0],
        lat: p[1],
        department: 'ecology_environment',
        metrics: WATER_METRICS,
        section: `${zh}${n}号断面`,
        targetClass: cls,
        waterBody: 'river',
      });
    }
  }
}
while (n < 418) {
  const d = districts[n % districts.length]!;
  const [lon, lat] = near(...seat(d), 8, d.properties.code);
  n++;
  add({
    id: `wq-${String(n).padStart(4, '0')}`,
    type: 'WaterQualityObserved',
    model: 'multi-parameter sonde',
    name: `${d.properties.name}支流水质站${n}`,
    lon,
    lat,
    department: 'ecology_environment',
    metrics: WATER_METRICS,
    section: `${d.properties.name}支流${n}号断面(合成)`,
    targetClass: random.next() < 0.8 ? 'III' : 'IV',
    waterBody: random.next() < 0.1 ? 'lake' : 'river',
  });
}

// People counters (AI video / mm-wave radar): 70% in the six central districts.
const counters = 4600 - namedDevices.filter((d) => d.type === 'CrowdFlowObserved').length;
for (let i = 0; i < counters; i++) {
  const central = i < counters * 0.7;
  const code = central ? CENTRAL[i % CENTRAL.length]! : districts[i % districts.length]!.properties.code;
  const [lon, lat] = near(...seat(byCode.get(code)!), central ? 2.5 : 1.2, code);
  const model = i % 3 ? 'AI video analytics' : 'mm-wave radar';
  add({
    id: `cf-${code}-${String(i).padStart(4, '0')}`,
    type: 'CrowdFlowObserved',
    model,
    name: `${name(code)}客流监测点${i}`,
    lon,
    lat,
    department: 'public_security',
    metrics: 'peopleCount|occupancy|averageCrowdSpeed|congested',
  });
}

// Traffic detectors: along straight lines from each seat to its 3 nearest seats, plus a dense centre.
const edges = new Set<string>();
for (const a of districts) {
  const nearest = districts
    .filter((b) => b !== a)
    .sort((b, c) => dist(seat(a), seat(b)) - dist(seat(a), seat(c)))
    .slice(0, 3);
  for (const b of nearest) edges.add([a.properties.code, b.properties.code].sort().join('-'));
}
const roads = [...edges].map(
  (e) => e.split('-').map((c) => seat(byCode.get(c)!)) as [[number, number], [number, number]],
);
for (let i = 0; i < 5980; i++) {
  let p: [number, number];
  if (i < 3000) {
    const [a, b] = roads[i % roads.length]!;
    const f = random.next();
    p = near(a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, 0.05);
  } else {
    const code = CENTRAL[i % CENTRAL.length]!;
    p = near(...seat(byCode.get(code)!), 3, code);
  }
  add({
    id: `tf-${String(i).padStart(4, '0')}`,
    type: 'TrafficFlowObserved',
    model: 'loop detector',
    name: `交通检测器${i}`,
    lon: p[0],
    lat: p[1],
    department: 'transport',
    metrics: 'intensity|occupancy|averageVehicleSpeed|congested',
  });
}

// Parking sensors: central districts.
for (let i = 0; rows.length < 17000; i++) {
  const code = CENTRAL[i % CENTRAL.length]!;
  const [lon, lat] = near(...seat(byCode.get(code)!), 2, code);
  add({
    id: `ps-${code}-${String(i).padStart(4, '0')}`,
    type: 'ParkingSpot',
    model: 'geomagnetic',
    name: `${name(code)}泊位${i}`,
    lon,
    lat,
    department: 'urban_management',
    metrics: 'status',
  });
}

function dist(a: [number, number], b: [number, number]): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
const out = path.join(root, 'data/sensing/demo-devices.csv');
fs.writeFileSync(out, `${[CSV_COLUMNS.join(','), ...rows.map((r) => r.map(quote).join(','))].join('\n')}\n`);
const count = (t: string) => rows.filter((r) => r[1] === t).length;
console.log(`${rows.length} devices → ${path.relative(root, out)}`);
for (const t of ['WaterQualityObserved', 'CrowdFlowObserved', 'TrafficFlowObserved', 'ParkingSpot'])
  console.log(`  ${t}: ${count(t)}`);
for (const d of namedDevices) {
  const hit = districts.find((x) => booleanPointInPolygon([Number(d.lon), Number(d.lat)], x));
  console.log(`  ${d.id} → ${hit?.properties.code} ${hit?.properties.name}`);
}
