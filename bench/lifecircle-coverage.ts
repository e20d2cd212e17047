// 15-minute life circle: isochrones and coverage for every street of the demo city (1,031 streets,
// target ≤ 60 s on 2 cores) and one street alone (target ≤ 100 ms). Baseline in the same run: the
// same cell mask from one multi-source Dijkstra per category (answers checked equal); the module
// walks one isochrone per facility. Run: ./node_modules/.bin/node bench/lifecircle-coverage.ts
import {
  buildModel,
  computeCoverage,
  coverageByMultiSource,
  demoFacilities,
  demoRoads,
  demoStreets,
  snapFacilities,
  streetCoverage,
  Walker,
} from '../src/modules/lifecircle/index.ts';
import { size, smokeBanner } from './smoke.ts';

smokeBanner();
const s = (ms: number) => (ms / 1000).toFixed(2);
const all = demoStreets();
// Smoke: the 40 streets of the central districts' first codes, same code path.
const streets = size(all, all.slice(0, 40));
const box = (k: 0 | 1, f: (...x: number[]) => number) => f(...streets.map((x) => x.label[k]));
const near = (p: [number, number]) =>
  p[0] > box(0, Math.min) - 0.1 &&
  p[0] < box(0, Math.max) + 0.1 &&
  p[1] > box(1, Math.min) - 0.1 &&
  p[1] < box(1, Math.max) + 0.1;
const roads = size(
  demoRoads(),
  demoRoads().filter((r) => r.coordinates.some(near)),
);

let t = performance.now();
const model = buildModel(streets, roads);
const buildMs = performance.now() - t;
const net = model.network;
console.log(
  `walking network: ${net.nodeCount} nodes (${net.pathNodes} generated path, ${net.roadNodes} road), ${net.edgeCount} edges; ` +
    `${model.cells.count} H3 res-9 population cells (${model.cells.source}); built in ${s(buildMs)} s`,
);
t = performance.now();
const facilities = demoFacilities(streets, net);
const snapped = snapFacilities(model, facilities);
const facMs = performance.now() - t;
console.log(`${facilities.length} synthetic facilities placed and snapped in ${s(facMs)} s`);

const walker = new Walker(net);
computeCoverage(model, snapped, undefined, walker); // warm-up (JIT)
t = performance.now();
const coverage = computeCoverage(model, snapped, undefined, walker);
const covMs = performance.now() - t;
t = performance.now();
const baseline = coverageByMultiSource(model, snapped);
const baseMs = performance.now() - t;
const equal = baseline.every((v, i) => v === coverage.mask[i]);
if (!equal) throw new Error('coverage differs from the multi-source walks');

const perStreet: number[] = [];
for (let k = 0; k < streets.length; k++) {
  const t1 = performance.now();
  const one = streetCoverage(model, snapped, k, undefined, walker);
  perStreet.push(performance.now() - t1);
  if (one.allCovered !== coverage.streets[k]!.allCovered) throw new Error(`street ${one.code} differs`);
}
perStreet.sort((a, b) => a - b);
const q = (p: number) => perStreet[Math.min(perStreet.length - 1, Math.floor(p * perStreet.length))]!;

const total = buildMs + facMs + covMs;
console.log(
  `coverage of ${streets.length} streets × 8 categories: ${s(covMs)} s ` +
    `(one isochrone per facility); baseline one multi-source walk per category ${s(baseMs)} s; answers equal: ${equal}`,
);
console.log(`ratio baseline / coverage: ${(baseMs / covMs).toFixed(2)}×`);
console.log(
  `all streets end to end (network + population + facilities + coverage): ${s(total)} s — target ≤ 60 s: ${
    total <= 60_000 ? 'met' : 'NOT met'
  } (${(total / 60_000).toFixed(3)} of the budget)`,
);
console.log(
  `one street alone: p50 ${q(0.5).toFixed(1)} ms, p95 ${q(0.95).toFixed(1)} ms, max ${perStreet.at(-1)!.toFixed(1)} ms — target ≤ 100 ms: ${
    perStreet.at(-1)! <= 100 ? 'met' : 'NOT met'
  }`,
);
console.log(
  `population ${coverage.population}, within 15 min of all 8 categories ${(coverage.allCovered / coverage.population).toFixed(3)}`,
);
