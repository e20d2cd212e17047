/**
 * Gate overhead per call versus calling the algorithm directly, in one run.
 * The gated path does the snapshot lookup, the in-use check, timing and the decision-log
 * enqueue; the log is flushed to an in-memory PGlite in the background (batched).
 * Run: ./node_modules/.bin/node bench/algorithm-gate.ts
 */

import {
  type AlgorithmImpl,
  AlgorithmRegistry,
  algorithmMigrations,
} from '../src/modules/algorithms/index.ts';
import { AuditLog, auditMigrations } from '../src/modules/audit/index.ts';
import { SYSTEM_PRINCIPAL } from '../src/platform/access.ts';
import { systemClock } from '../src/platform/clock.ts';
import { openPglite } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { size, smokeBanner } from './smoke.ts';

interface Team {
  teamId: string;
  lon: number;
  lat: number;
  onDuty: boolean;
  skills: string[];
}
interface Input {
  event: { id: string; category: string; lon: number; lat: number };
  reporter: { phone: string };
  candidates: Team[];
}

const candidates: Team[] = Array.from({ length: 20 }, (_, i) => ({
  teamId: String(400 + i).padStart(4, '0'),
  lon: 106.55 + (i % 5) * 0.004,
  lat: 29.55 + Math.floor(i / 5) * 0.004,
  onDuty: i % 3 !== 0,
  skills: i % 2 ? ['smoke', 'noise'] : ['litter'],
}));

/** A realistic small algorithm: nearest on-duty team with the skill, by haversine distance. */
const nearestTeam: AlgorithmImpl<Input, { teamId: string }> = (input) => {
  const { lon, lat, category } = input.event;
  let best: { id: string; m: number } | undefined;
  let next: { id: string; m: number } | undefined;
  for (const t of input.candidates) {
    if (!t.onDuty || !t.skills.includes(category)) continue;
    const dLat = ((t.lat - lat) * Math.PI) / 180;
    const dLon = ((t.lon - lon) * Math.PI) / 180;
    const h =
      Math.sin(dLat / 2) ** 2 +
      Math.cos((lat * Math.PI) / 180) * Math.cos((t.lat * Math.PI) / 180) * Math.sin(dLon / 2) ** 2;
    const m = 2 * 6_371_000 * Math.asin(Math.sqrt(h));
    if (!best || m < best.m) [next, best] = [best, { id: t.teamId, m }];
    else if (!next || m < next.m) next = { id: t.teamId, m };
  }
  const chosen = best ?? { id: 'none', m: 0 };
  return {
    output: { teamId: chosen.id },
    explanation: `team ${chosen.id} chosen: ${Math.round(chosen.m)} m, on duty, skill '${category}'; next best ${next?.id} at ${Math.round(next?.m ?? 0)} m`,
    subjects: [{ type: 'event', id: input.event.id }],
  };
};

const input = (i: number): Input => ({
  event: { id: `EV-${i}`, category: 'smoke', lon: 106.556, lat: 29.557 },
  reporter: { phone: '13812345678' },
  candidates,
});

const database = await openPglite('memory://');
await migrateToLatest(database.db, [auditMigrations, algorithmMigrations]);
const registry = new AlgorithmRegistry({
  db: database.db,
  audit: new AuditLog(systemClock),
  clock: systemClock,
});
const register = JSON.parse(
  await (await import('node:fs/promises')).readFile(
    new URL('../data/algorithms/register.v1.json', import.meta.url),
    'utf8',
  ),
).algorithms.find((a: { key: string }) => a.key === 'dispatch.nearest-team').register;
await registry.register.importVersion(
  SYSTEM_PRINCIPAL,
  { key: 'dispatch.nearest-team', version: '1.0.0', status: 'in_use', register },
  'bench',
);
await registry.start();
const gated = registry.gate('dispatch.nearest-team', nearestTeam);

const BATCH = size(1000, 100);
const BATCHES = size(60, 5);
smokeBanner();
const yieldToIo = () => new Promise((r) => setImmediate(r));

/** Per-call µs of each batch; between batches the event loop runs (timers, background flush). */
async function measure(call: (i: number) => Promise<unknown>): Promise<number[]> {
  const perCall: number[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) await call(b * BATCH + i);
    perCall.push(Number(process.hrtime.bigint() - start) / 1000 / BATCH);
    await yieldToIo();
  }
  return perCall;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)] ?? 0;

const inputs = Array.from({ length: BATCH * BATCHES }, (_, i) => input(i));
const direct = async (i: number) =>
  nearestTeam(inputs[i] as Input, { key: 'dispatch.nearest-team', version: '1.0.0' });
const viaGate = (i: number) => gated.run(inputs[i] as Input);

await measure(direct); // warm-up both paths
await measure(viaGate);
await registry.flush();
const rounds: { direct: number[]; gated: number[] } = { direct: [], gated: [] };
const wallStart = process.hrtime.bigint();
for (let r = 0; r < 3; r++) {
  rounds.direct.push(...(await measure(direct)));
  rounds.gated.push(...(await measure(viaGate)));
}
await registry.flush();
const wallMs = Number(process.hrtime.bigint() - wallStart) / 1e6;
const rows = await database.db
  .selectFrom('algorithm_decision')
  .select((eb) => eb.fn.countAll().as('n'))
  .executeTakeFirstOrThrow();
await registry.stop();
await database.close();

const d = median(rounds.direct);
const g = median(rounds.gated);
const calls = BATCH * BATCHES * 3;
console.log(
  `algorithm gate, ${calls.toLocaleString('en')} calls per path (median of ${rounds.direct.length} batches of ${BATCH})`,
);
console.log(
  `  direct call            ${d.toFixed(2)} µs/call   (p95 batch ${p95(rounds.direct).toFixed(2)})`,
);
console.log(`  through the gate       ${g.toFixed(2)} µs/call   (p95 batch ${p95(rounds.gated).toFixed(2)})`);
console.log(
  `  added per call         ${(g - d).toFixed(2)} µs   ratio ${(g / d).toFixed(2)}×   target ≤ 20 µs: ${g - d <= 20 ? 'met' : 'NOT met'}`,
);
console.log(
  `  decision-log rows      ${Number(rows.n).toLocaleString('en')} written in the background (PGlite, batched)`,
);
const loopMs =
  ((rounds.direct.reduce((a, b) => a + b, 0) + rounds.gated.reduce((a, b) => a + b, 0)) * BATCH) / 1000;
const backgroundUs = ((wallMs - loopMs) * 1000) / calls;
console.log(`  wall time incl. flush  ${wallMs.toFixed(0)} ms for ${(calls * 2).toLocaleString('en')} calls`);
console.log(
  `  background log work    ${backgroundUs.toFixed(0)} µs/decision (mask, digest, insert; outside the calls)`,
);
