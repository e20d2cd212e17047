// Congestion-index aggregation for a day of 10,000 links × 288 five-minute slots (target ≤ 5 s on
// 2 cores). Two parts, each with a baseline in the same run and the answers checked equal:
//  1. in memory: aggregateIndex over flat typed arrays vs a plain reading (one object per link-slot,
//     grouped in Maps), same city and district curves;
//  2. end to end: TrafficQueries.index() — read the day's link sums (and the night-time free-flow
//     speeds) from tr_link_slot, aggregate, figures — vs the same city curve computed by one SQL
//     query in the database (speeds are read to 0.1 km/h, so the curves agree to 0.002).
// Run: ./node_modules/.bin/node bench/traffic-index.ts [--links n] [--engines postgres,pglite] [--smoke]
import { sql } from 'kysely';
import { aggregateIndex, curveOf, trafficMigrations, travelTimeIndex } from '../src/modules/traffic/index.ts';
import { TrafficQueries } from '../src/modules/traffic/traffic.queries.ts';
import { TrafficRepository } from '../src/modules/traffic/traffic.repository.ts';
import { SYSTEM_PRINCIPAL } from '../src/platform/access.ts';
import type { DatabaseKind } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { openTestDatabase } from '../src/platform/db/testing.ts';
import { option, size, smokeBanner } from './smoke.ts';

const LINKS = Number(option('links') ?? size(10_000, 200));
const ENGINES = (option('engines') ?? size('postgres', 'pglite')).split(',') as DatabaseKind[];
const SLOTS = 288;
const DISTRICTS = 38;
const DAY = '2025-11-24';
const DAY_START = Date.parse(`${DAY}T00:00:00+08:00`);
smokeBanner();

let seed = 7;
const random = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
};
const classes = ['expressway', 'arterial', 'secondary'] as const;
const links = Array.from({ length: LINKS }, (_, i) => ({
  id: `l${String(i).padStart(6, '0')}`,
  cls: classes[i % 3]!,
  lengthM: 200 + random() * 1800,
  freeFlow: [80, 50, 40][i % 3]!,
  district: i % DISTRICTS,
}));
// 95 % of slots have a reading; speed with a morning and an evening dip; flow 5–40 vehicles.
const speed = new Float64Array(LINKS * SLOTS).fill(Number.NaN);
const flow = new Float64Array(LINKS * SLOTS).fill(Number.NaN);
for (let i = 0; i < LINKS; i++)
  for (let s = 0; s < SLOTS; s++) {
    if (random() < 0.05) continue;
    const h = s / 12;
    const dip = Math.exp(-(((h - 8) / 1.2) ** 2)) + Math.exp(-(((h - 18) / 1.5) ** 2));
    speed[i * SLOTS + s] = Math.max(3, links[i]!.freeFlow * (1.05 - 0.6 * dip) * (0.85 + random() * 0.3));
    flow[i * SLOTS + s] = 5 + random() * 35;
  }

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const time = async (f: () => unknown, runs: number) => {
  const ms: number[] = [];
  for (let k = 0; k < runs; k++) {
    const t0 = performance.now();
    await f();
    ms.push(performance.now() - t0);
  }
  return median(ms);
};
const same = (a: (number | null)[], b: (number | null)[], what: string) => {
  const bad = a.findIndex(
    (x, k) => (x === null) !== (b[k] === null) || Math.abs((x ?? 0) - (b[k] ?? 0)) > 2e-3,
  );
  if (bad >= 0) throw new Error(`${what}: curves differ at slot ${bad}: ${a[bad]} vs ${b[bad]}`);
};

// 1. In memory.
const input = {
  links: LINKS,
  slots: SLOTS,
  length: Float64Array.from(links, (l) => l.lengthM),
  freeFlow: Float64Array.from(links, (l) => l.freeFlow),
  group: Int32Array.from(links, (l) => l.district),
  groups: DISTRICTS,
  arterial: Uint8Array.from(links, (l) => (l.cls === 'secondary' ? 0 : 1)),
  speed,
  flow,
};
const rows: { link: number; slot: number; speed: number; flow: number }[] = [];
for (let i = 0; i < LINKS; i++)
  for (let s = 0; s < SLOTS; s++)
    if (!Number.isNaN(speed[i * SLOTS + s]!))
      rows.push({ link: i, slot: s, speed: speed[i * SLOTS + s]!, flow: flow[i * SLOTS + s]! });
const naive = () => {
  const city = new Map<number, { num: number; w: number }>();
  const district = new Map<string, { num: number; w: number }>();
  for (const r of rows) {
    const l = links[r.link]!;
    const w = (l.lengthM / 1000) * r.flow;
    const tti = travelTimeIndex(l.freeFlow, r.speed);
    const c = city.get(r.slot) ?? { num: 0, w: 0 };
    c.num += w * tti;
    c.w += w;
    city.set(r.slot, c);
    const key = `${l.district}|${r.slot}`;
    const d = district.get(key) ?? { num: 0, w: 0 };
    d.num += w * tti;
    d.w += w;
    district.set(key, d);
  }
  return Array.from({ length: SLOTS }, (_, s) => {
    const c = city.get(s);
    return c ? Math.round((c.num / c.w) * 1000) / 1000 : null;
  });
};
const sums = aggregateIndex(input);
same(curveOf(sums.cityNum, sums.cityW), naive(), 'in memory');
const runs = size(5, 1);
const fastMs = await time(() => aggregateIndex(input), runs);
const naiveMs = await time(naive, runs);
console.log(
  `in memory, ${LINKS.toLocaleString()} links × ${SLOTS} slots (${rows.length.toLocaleString()} link-slots with data):`,
);
console.log(`  aggregateIndex (typed arrays)  ${fastMs.toFixed(1)} ms`);
console.log(
  `  baseline: objects + Maps       ${naiveMs.toFixed(1)} ms    ratio ${(naiveMs / fastMs).toFixed(1)}× faster`,
);

// 2. End to end on each engine.
for (const kind of ENGINES) {
  const database = await openTestDatabase(kind);
  try {
    const db = database.db;
    await migrateToLatest(db, [trafficMigrations]);
    const repo = new TrafficRepository();
    await repo.replaceLinks(
      db,
      links.map((l, i) => ({
        id: l.id,
        name: l.id,
        road_class: l.cls,
        coordinates: [
          [106 + i * 1e-4, 29.5],
          [106 + i * 1e-4, 29.51],
        ],
        length_m: l.lengthM,
        free_flow_kmh: l.freeFlow,
        approximate: true,
        mid_lon: 106,
        mid_lat: 29.5,
        jurisdiction_path: `50/5001${String(l.district).padStart(2, '0')}`,
        district_code: `5001${String(l.district).padStart(2, '0')}`,
        imported_at: new Date(),
      })),
    );
    const t0 = performance.now();
    let batch: Parameters<TrafficRepository['addSlots']>[1] = [];
    for (let i = 0; i < LINKS; i++)
      for (let s = 0; s < SLOTS; s++) {
        const v = speed[i * SLOTS + s]!;
        if (Number.isNaN(v)) continue;
        batch.push({
          link_id: links[i]!.id,
          slot_start: new Date(DAY_START + s * 300_000),
          speed_sum: v,
          speed_n: 1,
          flow_sum: flow[i * SLOTS + s]!,
          flow_n: 1,
        });
        if (batch.length === 20_000) {
          await repo.addSlots(db, batch);
          batch = [];
        }
      }
    await repo.addSlots(db, batch);
    await sql`analyze tr_link_slot`.execute(db);
    const loadS = (performance.now() - t0) / 1000;
    const queries = new TrafficQueries(
      db,
      repo,
      { dayOffsetMinutes: 480 },
      () => new Date(DAY_START + 86_400_000),
    );
    let ours: (number | null)[] = [];
    const oursMs = await time(async () => {
      ours = (await queries.index(SYSTEM_PRINCIPAL, { day: DAY })).curve;
    }, runs);
    let base: (number | null)[] = [];
    const baseMs = await time(async () => {
      const r = await sql<{ s: number; tti: number }>`
        with night as (
          select link_id, avg(speed_sum / speed_n) as v, count(*) as n from tr_link_slot
          where speed_n > 0 and extract(hour from slot_start + interval '480 minutes') < 5
          group by link_id
        ), x as (
          select s.slot_start, l.length_m / 1000 * (case when s.flow_n > 0 and s.flow_sum > 0 then s.flow_sum / s.flow_n else 1 end) as w,
            least(greatest(coalesce(case when night.n >= 6 then night.v end, l.free_flow_kmh) / (s.speed_sum / s.speed_n), 1), 10) as tti
          from tr_link_slot s join tr_link l on l.id = s.link_id left join night on night.link_id = s.link_id
          where s.slot_start >= ${new Date(DAY_START)} and s.slot_start < ${new Date(DAY_START + 86_400_000)} and s.speed_n > 0
        )
        select ((extract(epoch from slot_start) * 1000 - ${DAY_START}) / 300000)::int as s, (sum(w * tti) / sum(w))::float8 as tti
        from x group by slot_start order by slot_start`.execute(db);
      base = Array.from({ length: SLOTS }, () => null as number | null);
      for (const row of r.rows) base[Number(row.s)] = Math.round(Number(row.tti) * 1000) / 1000;
    }, runs);
    same(ours, base, kind);
    console.log(
      `end to end on ${kind} (${rows.length.toLocaleString()} rows loaded in ${loadS.toFixed(1)} s, not measured):`,
    );
    console.log(
      `  TrafficQueries.index (read + night free flow + aggregate + figures)  ${(oursMs / 1000).toFixed(2)} s  target ≤ 5 s`,
    );
    console.log(
      `  baseline: the city curve by one SQL query in the database            ${(baseMs / 1000).toFixed(2)} s  ratio ${(oursMs / baseMs).toFixed(2)} (ours / SQL)`,
    );
  } finally {
    await database.close();
  }
}
