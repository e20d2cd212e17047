// Need — resource — match over the demo city's walking network: 10,000 synthetic needs over 2,000
// synthetic resources (providers, volunteers, facility-like), greedy by urgency then walking
// distance with capacity per day and opening hours. Baseline in the same run: nearest-only
// without capacity or hours (every need to its nearest resource of its category, same walking
// distances). Printed: both times, the ratio, and what the baseline gets wrong (over capacity,
// outside opening hours).
// Run: ./node_modules/.bin/node bench/matching.ts [--needs n] [--resources n] [--area central|city] [--smoke]
import { buildModel, demoRoads, demoStreets, hash32, seeded } from '../src/modules/lifecircle/index.ts';
import {
  candidatesOf,
  matchNeeds,
  NEED_CATEGORY_CODES,
  type Need,
  nearestOnly,
  place,
  type Resource,
} from '../src/modules/matching/index.ts';
import { option, size, smokeBanner } from './smoke.ts';

smokeBanner();
const all = demoStreets();
const streets = size(all, all.slice(0, 40));
const roads = size(demoRoads(), []);
const N = Number(option('needs') ?? size(10_000, 500));
const M = Number(option('resources') ?? size(2_000, 100));

let t = performance.now();
const model = buildModel(streets, roads);
const buildS = (performance.now() - t) / 1000;
const net = model.network;

// Synthetic inputs, deterministic: points on random generated path nodes (where people live).
// Default: the six central districts (where the city's services are dense); `--area city` spreads
// the same numbers over all 1,031 streets (most needs then have nothing within reach).
const CENTRAL = new Set(['500103', '500104', '500105', '500106', '500107', '500108']);
const area = option('area') ?? size('central', 'city');
const pool: number[] = [];
for (let i = 0; i < net.pathNodes; i++)
  if (area === 'city' || CENTRAL.has(model.streets[net.street[i]!]!.districtCode)) pool.push(i);
const rnd = seeded(hash32('bench:matching'));
const node = () => pool[Math.floor(rnd() * pool.length)]!;
const at = () => {
  const n = node();
  return { lon: net.lon[n]! + (rnd() - 0.5) * 0.0006, lat: net.lat[n]! + (rnd() - 0.5) * 0.0006 };
};
const DAY = 86_400_000;
const day0 = Date.parse('2026-12-08T00:00:00+08:00'); // a Tuesday
const needs: Need[] = Array.from({ length: N }, (_, k) => {
  const category = NEED_CATEGORY_CODES[Math.floor(rnd() * NEED_CATEGORY_CODES.length)]!;
  const start = day0 + Math.floor(rnd() * 3) * DAY + (8 + Math.floor(rnd() * 10)) * 3600_000;
  return {
    id: `n${k}`,
    source: 'citizen_request',
    category,
    ...at(),
    windowStart: start,
    windowEnd: start + (1 + Math.floor(rnd() * 4)) * 3600_000,
    quantity: 1 + Math.floor(rnd() * 2),
    durationMinutes: 30,
    urgency: 1 + Math.floor(rnd() * 5),
    createdAt: day0 - Math.floor(rnd() * 2 * DAY),
    synthetic: true,
  };
});
const resources: Resource[] = Array.from({ length: M }, (_, k) => {
  const u = rnd();
  const kind = u < 0.3 ? 'provider' : u < 0.8 ? 'volunteer' : 'facility';
  const cats = NEED_CATEGORY_CODES.filter(() => rnd() < 0.35);
  return {
    id: `r${k}`,
    kind,
    name: `r${k}`,
    categories: cats.length ? cats : [NEED_CATEGORY_CODES[k % NEED_CATEGORY_CODES.length]!],
    capacity: kind === 'provider' ? 40 : kind === 'volunteer' ? 4 : 30,
    hours:
      kind === 'volunteer'
        ? [
            { days: [6, 7], open: '09:00', close: '17:00' },
            { days: [1, 2, 3, 4, 5], open: '11:00', close: '13:00' },
          ]
        : [{ days: [1, 2, 3, 4, 5, 6, 7], open: '08:00', close: '19:00' }],
    ...at(),
    radiusM: kind === 'provider' ? 3000 : kind === 'volunteer' ? 1000 : 1125,
    synthetic: true,
  };
});

const runMatch = () => {
  const c = candidatesOf(needs, resources, model, place(model, needs), place(model, resources));
  return { c, out: matchNeeds(needs, resources, c) };
};
const runBaseline = () => {
  const c = candidatesOf(needs, resources, model, place(model, needs), place(model, resources));
  return { c, out: nearestOnly(needs, c) };
};
runBaseline(); // warm-up (JIT, walker arrays)

t = performance.now();
const base = runBaseline();
const baseS = (performance.now() - t) / 1000;
t = performance.now();
const { c: cands, out } = runMatch();
const matchS = (performance.now() - t) / 1000;
t = performance.now();
matchNeeds(needs, resources, cands);
const greedyS = (performance.now() - t) / 1000;

const met = out.filter((o) => o.resource >= 0).length;
const reasons: Record<string, number> = {};
for (const o of out)
  if (o.resource < 0)
    reasons[(o.explanation as { reason: string }).reason] =
      (reasons[(o.explanation as { reason: string }).reason] ?? 0) + 1;
// What the baseline's assignments break: units beyond a resource's daily capacity (needs taken in
// priority order, each on the first day of its window) and needs sent outside opening hours.
const baseAssigned = base.out.filter((r) => r >= 0).length;
const load = new Map<string, number>();
let overCapacity = 0;
let closed = 0;
for (let n = 0; n < N; n++) {
  const r = base.out[n]!;
  if (r < 0) continue;
  const single = matchNeeds([needs[n]!], [resources[r]!], [[{ r: 0, m: 0, method: 'walk' }]]);
  if (single[0]!.resource < 0) {
    closed++;
    continue;
  }
  const key = `${r}|${new Date(needs[n]!.windowStart + 8 * 3600_000).toISOString().slice(0, 10)}`;
  const used = (load.get(key) ?? 0) + needs[n]!.quantity;
  load.set(key, used);
  if (used > resources[r]!.capacity) overCapacity++;
}
const pairs = cands.reduce((a, l) => a + l.length, 0);
const walked = cands.reduce((a, l) => a + l.filter((c) => c.method === 'walk').length, 0);

console.log(
  `${N} needs, ${M} resources (synthetic) over ${area === 'city' ? 'the whole city' : 'the six central districts'} (${pool.length} path nodes); ${model.streets.length} streets, ${net.nodeCount} walking nodes (built in ${buildS.toFixed(1)} s, not timed)`,
);
console.log(
  `${pairs} need–resource pairs within reach (${((walked / Math.max(1, pairs)) * 100).toFixed(1)}% by walk on the network)`,
);
console.log(
  `greedy urgency→distance with capacity and hours: ${matchS.toFixed(2)} s (greedy pass alone ${(greedyS * 1000).toFixed(0)} ms); met ${met}/${N} = ${((met / N) * 100).toFixed(1)}%; unmet ${JSON.stringify(reasons)}`,
);
console.log(
  `baseline nearest-only, no capacity or hours: ${baseS.toFixed(2)} s; assigns ${baseAssigned}/${N}, of which ${closed} outside opening hours and ${overCapacity} beyond a resource's daily capacity`,
);
console.log(`ratio matching / baseline time: ${(matchS / baseS).toFixed(2)}×`);
