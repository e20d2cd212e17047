// Nearest available team among 10,000: the dispatcher's kd-tree (kdbush + geokdbush, availability as
// the filter) vs a scan of every team, same queries, same answers checked.
// Run: ./node_modules/.bin/node bench/dispatch-nearest.ts [teams] [queries]
import {
  type IndexedTeam,
  type NearestQuery,
  nearestByScan,
  TeamIndex,
} from '../src/modules/dispatch/index.ts';
import { ARGS, size, smokeBanner } from './smoke.ts';

const TEAMS = Number(ARGS[0] ?? size(10_000, 500));
const QUERIES = Number(ARGS[1] ?? size(20_000, 500));
smokeBanner();
let seed = 42;
const random = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
};
// Chongqing's main urban area, ~60 × 55 km; 85 % on duty, loads 0..capacity, a skill mix.
const skills = ['smoke', 'street_vending', 'sanitation', 'road_damage', 'noise'];
const teams: IndexedTeam[] = Array.from({ length: TEAMS }, (_, i) => ({
  id: `t${i}`,
  code: `T${i}`,
  name: `team ${i}`,
  departmentCode: `500103:urban_management`,
  departmentType: 'urban_management',
  path: '50/500103',
  lon: 106.3 + random() * 0.6,
  lat: 29.3 + random() * 0.5,
  skills: skills.filter(() => random() < 0.4),
  onDuty: random() < 0.85,
  capacity: 4,
  load: Math.floor(random() * 5),
}));
const queries: NearestQuery[] = Array.from({ length: QUERIES }, () => ({
  lon: 106.3 + random() * 0.6,
  lat: 29.3 + random() * 0.5,
  departmentType: 'urban_management',
  skill: skills[Math.floor(random() * skills.length)]!,
  withinPath: '',
}));

const built = performance.now();
const index = new TeamIndex(teams);
const buildMs = performance.now() - built;

function time(
  label: string,
  run: (q: NearestQuery) => string | undefined,
): { label: string; usPerQuery: number; answers: (string | undefined)[] } {
  const answers: (string | undefined)[] = [];
  for (const q of queries.slice(0, 500)) run(q); // warm-up
  const start = performance.now();
  for (const q of queries) answers.push(run(q));
  return { label, usPerQuery: ((performance.now() - start) * 1000) / queries.length, answers };
}

const rounds: { kd: number; scan: number }[] = [];
let kd!: ReturnType<typeof time>;
let scan!: ReturnType<typeof time>;
for (let r = 0; r < 5; r++) {
  kd = time('kd-tree', (q) => index.nearest(q, 2)[0]?.team.id);
  scan = time('scan', (q) => nearestByScan(teams, q, 2)[0]?.team.id);
  rounds.push({ kd: kd.usPerQuery, scan: scan.usPerQuery });
}
const mismatches = kd.answers.filter((a, i) => a !== scan.answers[i]).length;
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const kdUs = median(rounds.map((r) => r.kd));
const scanUs = median(rounds.map((r) => r.scan));
console.log(
  `teams ${TEAMS}, queries ${QUERIES}, index build ${buildMs.toFixed(1)} ms, median of ${rounds.length} rounds`,
);
console.log(
  `kd-tree (kdbush + geokdbush, filtered)  ${kdUs.toFixed(2)} µs/query  (${(kdUs / 1000).toFixed(4)} ms; target ≤ 0.1 ms)`,
);
console.log(`brute-force scan                        ${scanUs.toFixed(2)} µs/query`);
console.log(`speed-up ${(scanUs / kdUs).toFixed(1)}×; answers that differ: ${mismatches}`);
