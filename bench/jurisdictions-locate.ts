// Locate: flatbush index + exact test vs a scan of every polygon, and our ray casting vs turf's,
// on the demo city's 1,070 shapes. Run: ./node_modules/.bin/node bench/jurisdictions-locate.ts [file]
import { readFileSync } from 'node:fs';
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import { polygon as turfPolygon } from '@turf/helpers';
import { readCollection } from '../src/modules/jurisdictions/jurisdictions.geojson.ts';
import type { Polygon } from '../src/modules/jurisdictions/jurisdictions.geometry.ts';
import { planImport } from '../src/modules/jurisdictions/jurisdictions.import.ts';
import { type ContainsFn, LocateIndex } from '../src/modules/jurisdictions/jurisdictions.locate.ts';
import { ImportOptionsSchema } from '../src/modules/jurisdictions/jurisdictions.schema.ts';
import { ARGS, size, smokeBanner } from './smoke.ts';

const file = ARGS[0] ?? 'data/chongqing/jurisdictions.geojson';
smokeBanner();
const options = ImportOptionsSchema.parse({ level: 'auto', parentProperty: 'parent' });
const nodes = planImport(readCollection(JSON.parse(readFileSync(file, 'utf8')), 'code'), options, new Map());

// turf wants a Feature; wrap each polygon once, outside the timed loop, so only the test is compared.
const wrapped = new WeakMap<Polygon, ReturnType<typeof turfPolygon>>();
const turfContains: ContainsFn = (polygon, lon, lat) => {
  let feature = wrapped.get(polygon);
  if (!feature) {
    feature = turfPolygon(polygon);
    wrapped.set(polygon, feature);
  }
  return booleanPointInPolygon([lon, lat], feature);
};

const started = performance.now();
const ours = LocateIndex.build(nodes);
const buildMs = performance.now() - started;
const turf = LocateIndex.build(nodes, turfContains);

// Uniform points over the city's bounding box (about half fall outside the city), from a fixed seed.
const city = nodes.find((n) => n.level === 'city')!;
const [w, s, e, n] = city.bbox;
let seed = 42;
const random = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
};
const points = Array.from(
  { length: size(20_000, 1_000) },
  () => [w + random() * (e - w), s + random() * (n - s)] as const,
);

/** Microseconds per call of one pass over the sample. */
function pass(
  locate: (lon: number, lat: number) => unknown,
  sample: readonly (readonly [number, number])[],
): number {
  const t0 = performance.now();
  for (const [lon, lat] of sample) locate(lon, lat);
  return ((performance.now() - t0) * 1000) / sample.length;
}

// The machine is shared: run the variants interleaved for several rounds and keep each one's median.
const few = points.slice(0, size(2000, 100));
const variants: [string, (lon: number, lat: number) => unknown, typeof points][] = [
  ['indexed, own ray casting', (x, y) => ours.locate(x, y), points],
  ['indexed, @turf/boolean-point-in-polygon', (x, y) => turf.locate(x, y), points],
  ['scan of every polygon, own ray casting', (x, y) => ours.scan(x, y), few],
  ['scan of every polygon, turf', (x, y) => turf.scan(x, y), few],
];
const rounds = variants.map(() => [] as number[]);
for (let round = 0; round < size(8, 2); round++) {
  variants.forEach(([, run, sample], i) => {
    const us = pass(run, sample);
    if (round > 0) rounds[i]!.push(us); // round 0 warms the JIT up
  });
}
const [indexed, indexedTurf, scan, scanTurf] = rounds.map((r) => r.sort((a, b) => a - b)[r.length >> 1]!) as [
  number,
  number,
  number,
  number,
];

let disagreements = 0;
for (const [lon, lat] of few) {
  const a = JSON.stringify(ours.locate(lon, lat));
  if (a !== JSON.stringify(ours.scan(lon, lat)) || a !== JSON.stringify(turf.locate(lon, lat)))
    disagreements++;
}
const inside = points.filter(([lon, lat]) => ours.locate(lon, lat)).length;

console.log(`${nodes.length} shapes from ${file}; index built in ${buildMs.toFixed(1)} ms`);
console.log(
  `${points.length} random points in the city's bbox, ${inside} inside the city; median of 7 rounds`,
);
[indexed, indexedTurf, scan, scanTurf].forEach((us, i) => {
  console.log(`${variants[i]![0].padEnd(40)} ${us.toFixed(2).padStart(8)} µs/call`);
});
console.log(
  `index vs scan: ${(scan / indexed).toFixed(0)}x faster (with turf: ${(scanTurf / indexedTurf).toFixed(0)}x)`,
);
console.log(
  `own ray casting vs turf: ${(indexedTurf / indexed).toFixed(2)}x indexed, ${(scanTurf / scan).toFixed(2)}x in the scan`,
);
console.log(`answers differing between index, scan and turf on ${few.length} points: ${disagreements}`);
