// Upstream trace + downstream arrival on a synthetic 100,000-reach dendritic network: per-query time
// of the indexed walks (traceUpstream + predictArrivals) against a naive full-graph scan in the same
// run (upstream set grown by scanning every reach per level; downstream reach found by scanning every
// reach per step). Run: ./node_modules/.bin/node bench/water-trace.ts [reaches]
import { predictArrivals } from '../src/modules/water/arrival.ts';
import type { NetworkInput } from '../src/modules/water/network.schema.ts';
import { RiverNetwork } from '../src/modules/water/network.ts';
import { traceUpstream } from '../src/modules/water/trace.ts';
import { ARGS, size, smokeBanner } from './smoke.ts';

const N = Number(ARGS[0] ?? size(100_000, 2_000));
smokeBanner();
let seed = 20251120;
const random = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
};

// A random binary-ish tree grown from the outlet: each new reach joins above a reach with a free
// slot (≤ 2 upstream), 85% of the time the most recent one (long chains, like real main stems).
const parent = new Int32Array(N).fill(-1);
const children = new Uint8Array(N);
const open: number[] = [0];
for (let i = 1; i < N; i++) {
  const k = random() < 0.85 ? open.length - 1 : Math.floor(random() * open.length);
  const p = open[k]!;
  parent[i] = p;
  if (++children[p]! === 2) {
    open[k] = open.at(-1)!;
    open.pop();
  }
  open.push(i);
}
const subtree = new Float64Array(N).fill(1);
for (let i = N - 1; i > 0; i--) subtree[parent[i]!]! += subtree[i]!;
const depth = new Int32Array(N);
for (let i = 1; i < N; i++) depth[i] = depth[parent[i]!]! + 1;

const lengths = Array.from({ length: N }, () => 1000 + Math.round(random() * 2000));
const reaches = Array.from({ length: N }, (_, i) => {
  const da = subtree[i]! * 5; // km²
  return {
    id: `r${i}`,
    name: `r${i}`,
    river: 'synthetic',
    from: `u${i}`,
    to: i === 0 ? 'out' : `u${parent[i]}`,
    lengthM: lengths[i]!,
    slope: 0.001,
    q: 0.5 * 0.017 * da,
    qa: 0.017 * da,
    drainageAreaM2: da * 1e6,
    geometry: [
      [0, 0],
      [0.01, 0],
    ] as [number, number][],
  };
});
const pick = () => Math.floor(random() * N);
const place = (i: number) => ({
  reach: `r${pick()}`,
  fraction: Math.round(random() * 100) / 100,
  id: `f${i}`,
  name: `f${i}`,
});
const input: NetworkInput = {
  name: 'synthetic',
  nodes: [],
  reaches,
  pollutionSources: Array.from({ length: N / 5 }, (_, i) => ({
    ...place(i),
    kind: 'enterprise' as const,
    pollutants: [random() < 0.5 ? 'oil' : 'cod'],
  })),
  intakes: Array.from({ length: N / 20 }, (_, i) => ({ ...place(i), population: 1000 })),
  sections: Array.from({ length: N / 20 }, (_, i) => ({ ...place(i), targetClass: 'III' as const })),
};
let t0 = performance.now();
const net = RiverNetwork.build(input);
const buildMs = performance.now() - t0;
const data = net.data;

const MAX_T = 72 * 3600;
const queries = Array.from(
  { length: 400 },
  () => data.sections[Math.floor(random() * data.sections.length)]!,
);
const spills = Array.from(
  { length: 400 },
  () => data.pollutionSources[Math.floor(random() * data.pollutionSources.length)]!,
);

/** Indexed: trace upstream of a section, then arrival downstream of a source. Returns result sizes. */
function indexed(i: number): number {
  const trace = traceUpstream(net, {
    at: queries[i]!,
    pollutant: 'oil',
    observedAt: 0,
    maxTravelTimeS: MAX_T,
  });
  const arrival = predictArrivals(net, { at: spills[i]!, massKg: 100, releasedAt: 0 });
  return trace.candidates.length * 100_000 + arrival.arrivals.length;
}

/** Naive: no adjacency; every level of the upstream walk and every downstream step scans all reaches. */
function naive(i: number): number {
  const { reaches: rs, pollutionSources, intakes, sections } = data;
  const v = net.vMost;
  const origin = queries[i]!;
  const o = rs.findIndex((r) => r.id === origin.reach);
  // time at each reach's downstream end (origin: negative offset), grown level by level
  const time = new Map<string, number>([[rs[o]!.id, (-(1 - origin.fraction) * rs[o]!.lengthM) / v[o]!]]);
  let frontier = new Map<string, number>([[rs[o]!.from, time.get(rs[o]!.id)! + rs[o]!.lengthM / v[o]!]]);
  while (frontier.size > 0) {
    const next = new Map<string, number>();
    rs.forEach((r, k) => {
      const t = frontier.get(r.to);
      if (t === undefined || t > MAX_T) return;
      time.set(r.id, t);
      next.set(r.from, t + r.lengthM / v[k]!);
    });
    frontier = next;
  }
  let candidates = 0;
  for (const s of pollutionSources) {
    const t = time.get(s.reach);
    if (t === undefined || (s.reach === origin.reach && s.fraction > origin.fraction)) continue;
    candidates++;
  }
  // downstream: find each next reach by scanning for the reach leaving this one's end node
  const spill = spills[i]!;
  let r = rs.findIndex((x) => x.id === spill.reach);
  const onPath = new Set<string>();
  while (r >= 0) {
    onPath.add(rs[r]!.id);
    const end = rs[r]!.to;
    r = rs.findIndex((x) => x.from === end);
  }
  let arrivals = 0;
  for (const f of [...intakes, ...sections]) {
    if (!onPath.has(f.reach) || (f.reach === spill.reach && f.fraction <= spill.fraction)) continue;
    arrivals++;
  }
  return candidates * 100_000 + arrivals;
}

// Same answers (counts) from both, on a sample.
for (let i = 0; i < 10; i++) {
  if (indexed(i) !== naive(i)) throw new Error(`mismatch on query ${i}: ${indexed(i)} vs ${naive(i)}`);
}
function timeMs(fn: (i: number) => number, count: number): number {
  const start = performance.now();
  for (let i = 0; i < count; i++) fn(i);
  return (performance.now() - start) / count;
}
const rounds: [number, number][] = [];
for (let round = 0; round < 3; round++) rounds.push([timeMs(indexed, queries.length), timeMs(naive, 10)]);
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fast = median(rounds.map((r) => r[0]));
const slow = median(rounds.map((r) => r[1]));

let visited = 0;
let found = 0;
t0 = performance.now();
for (const q of queries) {
  const t = traceUpstream(net, { at: q, pollutant: 'oil', observedAt: 0, maxTravelTimeS: MAX_T });
  visited += t.reachesVisited;
  found += t.candidates.length;
}
const traceOnly = (performance.now() - t0) / queries.length;
const times: number[] = [];
for (let i = 0; i < queries.length; i++) {
  const s = performance.now();
  indexed(i);
  times.push(performance.now() - s);
}
const p99 = times.sort((a, b) => a - b)[Math.floor(times.length * 0.99)]!;
// Worst case: an unbounded trace from the outlet visits every reach and every source.
const outlet = { reach: 'r0', fraction: 1 };
traceUpstream(net, { at: outlet, pollutant: 'oil', observedAt: 0, maxTravelTimeS: Number.POSITIVE_INFINITY });
t0 = performance.now();
const whole = traceUpstream(net, {
  at: outlet,
  pollutant: 'oil',
  observedAt: 0,
  maxTravelTimeS: Number.POSITIVE_INFINITY,
});
const wholeMs = performance.now() - t0;

console.log(
  `network: ${N} reaches, max depth ${Math.max(...depth)}, ${data.pollutionSources.length} sources, build ${buildMs.toFixed(0)} ms`,
);
console.log(
  `trace bound ${MAX_T / 3600} h: mean ${(visited / queries.length).toFixed(0)} reaches visited, ${(found / queries.length).toFixed(1)} candidates`,
);
console.log(
  `indexed trace + arrival: ${fast.toFixed(3)} ms/query (trace alone ${traceOnly.toFixed(3)} ms; p99 ${p99.toFixed(2)} ms)`,
);
console.log(
  `worst case, unbounded trace from the outlet: ${whole.reachesVisited} reaches, ${whole.candidates.length} candidates ranked in ${wholeMs.toFixed(1)} ms`,
);
console.log(`naive full-graph scan:   ${slow.toFixed(1)} ms/query`);
console.log(`ratio: ${(slow / fast).toFixed(0)}× (target ≤ 10 ms/query: ${fast <= 10 ? 'met' : 'NOT met'})`);
