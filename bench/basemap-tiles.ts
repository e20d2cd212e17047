// Base map vector tiles from the demo city's own data (2,390 road links, 38 districts + 1,031
// streets, the rivers): the geojson-vt index built once, then every tile over central Chongqing
// (the pin map's opening view) at z10–14, first request (slice + encode) and again (encode).
// Baseline in the same run: the same tile's area as GeoJSON (features whose bbox meets the
// tile, serialised as JSON), bytes and time per tile.
// Run: ./node_modules/.bin/node bench/basemap-tiles.ts [--smoke]
import { readFileSync } from 'node:fs';
import type { Area, River, RoadLine } from '../src/modules/basemap/index.ts';
import { TileIndex } from '../src/modules/basemap/index.ts';
import { readCollection } from '../src/modules/jurisdictions/jurisdictions.geojson.ts';
import { planImport } from '../src/modules/jurisdictions/jurisdictions.import.ts';
import { ImportOptionsSchema } from '../src/modules/jurisdictions/jurisdictions.schema.ts';
import { DEMO_ROADS_FILE, parseNetwork } from '../src/modules/traffic/index.ts';
import { option, size, smokeBanner } from './smoke.ts';

smokeBanner();
const read = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
const roads: RoadLine[] = parseNetwork(read(DEMO_ROADS_FILE)).map((l) => ({
  id: l.id,
  name: l.name,
  roadClass: l.roadClass,
  coordinates: l.coordinates,
}));
const options = ImportOptionsSchema.parse({
  level: 'auto',
  parentProperty: 'parent',
  nameEnProperty: 'name_en',
});
const areas: Area[] = planImport(
  readCollection(read('data/chongqing/jurisdictions.geojson'), 'code'),
  options,
  new Map(),
)
  .filter((n) => n.level === 'district' || n.level === 'street')
  .map((n) => ({
    code: n.code,
    name: n.name,
    nameEn: n.nameEn,
    level: n.level as Area['level'],
    label: n.label,
    geometry: n.geometry as Area['geometry'],
  }));
const rivers: River[] = read('data/chongqing/rivers.geojson').features.map(
  (f: { properties: { name: string; name_en: string }; geometry: River['geometry'] }) => ({
    name: f.properties.name,
    nameEn: f.properties.name_en,
    geometry: f.geometry,
  }),
);

// Index build, best and worst of a few.
const builds: number[] = [];
let index!: TileIndex;
for (let i = 0; i < size(3, 1); i++) {
  const t0 = performance.now();
  index = new TileIndex({ roads, areas, rivers });
  builds.push(performance.now() - t0);
}

// The tiles over the pin map's opening view (106.42–106.68 E, 29.45–29.65 N).
const lon2x = (lon: number, z: number) => Math.floor(((lon + 180) / 360) * 2 ** z);
const lat2y = (lat: number, z: number) => {
  const r = (lat * Math.PI) / 180;
  return Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z);
};
const y2lat = (y: number, z: number) => {
  const n = Math.PI - (2 * Math.PI * y) / 2 ** z;
  return (180 / Math.PI) * Math.atan(Math.sinh(n));
};
const tiles: [number, number, number][] = [];
for (let z = 10; z <= size(14, 12); z++)
  for (let x = lon2x(106.42, z); x <= lon2x(106.68, z); x++)
    for (let y = lat2y(29.65, z); y <= lat2y(29.45, z); y++) tiles.push([z, x, y]);

// Baseline: the features as GeoJSON with their bboxes, precomputed (as an index would).
type Bbox = [number, number, number, number];
const bboxOf = (coords: unknown): Bbox => {
  const b: Bbox = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = (c: unknown): void => {
    if (typeof (c as number[])[0] === 'number') {
      const [lon, lat] = c as [number, number];
      b[0] = Math.min(b[0], lon);
      b[1] = Math.min(b[1], lat);
      b[2] = Math.max(b[2], lon);
      b[3] = Math.max(b[3], lat);
    } else for (const d of c as unknown[]) walk(d);
  };
  walk(coords);
  return b;
};
const features = [
  ...roads.map((r) => ({
    type: 'Feature',
    properties: { id: r.id, name: r.name, class: r.roadClass },
    geometry: { type: 'LineString', coordinates: r.coordinates },
  })),
  ...areas.map((a) => ({
    type: 'Feature',
    properties: { code: a.code, level: a.level },
    geometry: a.geometry,
  })),
  ...rivers.map((r) => ({
    type: 'Feature',
    properties: { name: r.name, name_en: r.nameEn },
    geometry: r.geometry,
  })),
].map((f) => ({ f, b: bboxOf(f.geometry.coordinates) }));

const first: number[] = [];
const again: number[] = [];
const json: number[] = [];
let mvtBytes = 0;
let jsonBytes = 0;
let empty = 0;
for (const [z, x, y] of tiles) {
  let t0 = performance.now();
  const bytes = index.encode(z, x, y);
  first.push(performance.now() - t0);
  t0 = performance.now();
  index.encode(z, x, y);
  again.push(performance.now() - t0);
  if (bytes) mvtBytes += bytes.length;
  else empty++;
  const w = (x / 2 ** z) * 360 - 180;
  const e = ((x + 1) / 2 ** z) * 360 - 180;
  const n = y2lat(y, z);
  const s = y2lat(y + 1, z);
  t0 = performance.now();
  const text = JSON.stringify({
    type: 'FeatureCollection',
    features: features.filter(({ b }) => b[0] <= e && b[2] >= w && b[1] <= n && b[3] >= s).map(({ f }) => f),
  });
  json.push(performance.now() - t0);
  jsonBytes += Buffer.byteLength(text);
}

const pct = (a: number[], p: number) =>
  [...a].sort((u, v) => u - v)[Math.min(a.length - 1, Math.floor(p * a.length))]!;
const ms = (v: number) => `${v.toFixed(2)} ms`;
console.log(
  `inputs: ${roads.length} roads, ${areas.length} areas, ${rivers.length} rivers; index counts ${JSON.stringify(index.counts)}`,
);
console.log(`index build: ${builds.map((b) => ms(b)).join(', ')}`);
console.log(`tiles: ${tiles.length} at z10–${size(14, 12)} over central Chongqing (${empty} empty)`);
console.log(
  `MVT first request (slice + encode): p50 ${ms(pct(first, 0.5))}, p95 ${ms(pct(first, 0.95))}, max ${ms(pct(first, 1))}`,
);
console.log(`MVT again (encode only):            p50 ${ms(pct(again, 0.5))}, p95 ${ms(pct(again, 0.95))}`);
console.log(`baseline GeoJSON of the tile's area: p50 ${ms(pct(json, 0.5))}, p95 ${ms(pct(json, 0.95))}`);
console.log(
  `bytes: MVT ${(mvtBytes / 1024).toFixed(0)} KiB, GeoJSON ${(jsonBytes / 1024).toFixed(0)} KiB for the same tiles (${(jsonBytes / mvtBytes).toFixed(1)}× larger); ` +
    `time ratio at p95 (GeoJSON / MVT first): ${(pct(json, 0.95) / pct(first, 0.95)).toFixed(2)}`,
);

// `--db pglite|postgres`: the same index built the way the app builds it — the links read through
// the traffic module, districts and streets through jurisdictions, the rivers file — after
// importing the demo city into a fresh database (the import is not timed).
const engine = option('db');
if (engine === 'pglite' || engine === 'postgres') {
  const { measureFromDatabase } = await import('./basemap-db.ts');
  const { readMs, firstTileMs } = await measureFromDatabase(engine);
  console.log(
    `from ${engine}: read + index build ${readMs.map((v) => ms(v)).join(', ')}; first Yuzhong z13 tile ${ms(firstTileMs)}`,
  );
}
