// Patrol hot-spot model refresh over a year of incidents (target ≤ 10 s on 2 cores): keep the
// reported incidents, map them to H3 cells, fit the space-time kernel density, and publish its
// accuracy (PAI curve on 8 held-out weeks, each a refit) plus the final scores — what the patrol
// service does on a refresh. Baseline in the same run: the same pipeline with a plain count per
// cell instead of the kernel density (what a pin map does). The study area (polyfill of the
// streets) is built once and timed apart. `--copies n` multiplies the synthetic year (jittered).
// Run: ./node_modules/.bin/node bench/patrol-refresh.ts [--copies n] [--smoke]
import { demoStreets } from '../src/modules/lifecircle/index.ts';
import {
  buildStudyArea,
  cellCounts,
  DEFAULT_KERNEL,
  DEMO_DISTRICTS,
  demoIncidents,
  evaluate,
  type Incident,
  prepareIncidents,
  stkde,
} from '../src/modules/patrol/index.ts';
import { option, size, smokeBanner } from './smoke.ts';

smokeBanner();
const all = demoStreets().filter((s) => DEMO_DISTRICTS.includes(s.districtCode));
const streets = size(
  all,
  all.filter((s) => s.districtCode === '500103'),
);
const copies = Number(option('copies') ?? size(1, 1));
const END = Date.parse('2026-12-07T00:00:00Z');
const WEEKS = size(8, 2);
const year = demoIncidents(streets, new Date(END));
const incidents: Incident[] = [];
for (let k = 0; k < copies; k++) {
  for (const x of year) {
    // Copies beyond the first move by up to ~100 m and an hour: a denser city, same hot spots.
    const j = k === 0 ? 0 : ((k * 2654435761 + incidents.length) % 1000) / 1000 - 0.5;
    incidents.push({
      ...x,
      id: `${x.id}-${k}`,
      lon: x.lon + j * 0.002,
      lat: x.lat - j * 0.0015,
      at: x.at + j * 3_600_000,
    });
  }
}

let t = performance.now();
const area = buildStudyArea(streets);
const areaSeconds = (performance.now() - t) / 1000;

const kernel = { ...DEFAULT_KERNEL, bandwidthRings: 1 };
const refresh = (scorer: ReturnType<typeof stkde>) => {
  const t0 = performance.now();
  const p = prepareIncidents(area, incidents);
  const acc = evaluate(area, p, scorer, END, WEEKS);
  const score = scorer(area, p, END);
  return { seconds: (performance.now() - t0) / 1000, p, acc, score };
};
refresh(stkde(kernel)); // warm-up (and the ring cache the service keeps between refreshes)
refresh(cellCounts());
const runs = size(3, 1);
const times = (f: () => { seconds: number }) =>
  Array.from({ length: runs }, () => f().seconds).sort((a, b) => a - b)[0]!;
const kde = refresh(stkde(kernel));
const base = refresh(cellCounts());
const kdeS = Math.min(
  kde.seconds,
  times(() => refresh(stkde(kernel))),
);
const baseS = Math.min(
  base.seconds,
  times(() => refresh(cellCounts())),
);
t = performance.now();
const cold = buildStudyArea(streets);
const p0 = prepareIncidents(cold, incidents);
evaluate(cold, p0, stkde(kernel), END, WEEKS);
stkde(kernel)(cold, p0, END);
const coldS = (performance.now() - t) / 1000;

console.log(
  `incidents ${incidents.length} (reported ${kde.p.count}, left out ${JSON.stringify(kde.p.excluded)}, outside ${kde.p.outside}); ` +
    `study area ${area.h3.length} H3 res-9 cells in ${streets.length} streets (built in ${areaSeconds.toFixed(2)} s)`,
);
console.log(`held-out weeks ${WEEKS}: ${kde.acc.testIncidents} test incidents`);
console.log(`PAI curve (STKDE)   ${kde.acc.curve.map((c) => `${c.areaShare * 100}%:${c.pai}`).join('  ')}`);
console.log(`PAI curve (counts)  ${base.acc.curve.map((c) => `${c.areaShare * 100}%:${c.pai}`).join('  ')}`);
console.log(`refresh, kernel density: ${kdeS.toFixed(3)} s (best of ${runs + 1}; target ≤ 10 s)`);
console.log(`refresh, count per cell: ${baseS.toFixed(3)} s (baseline)`);
console.log(`ratio kernel / count: ${(kdeS / baseS).toFixed(2)}×`);
console.log(`cold refresh (study area + ring cache + kernel fit + evaluation): ${coldS.toFixed(3)} s`);
