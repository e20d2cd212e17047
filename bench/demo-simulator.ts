// The living demo's cost: CPU of the whole demo process (app, embedded broker, PGlite, the
// simulator's MQTT clients) while the simulator makes the demo's devices report at a rate, minus
// the same app idle (no simulator) measured first in the same run, as a share of one core
// (process.cpuUsage around a fixed interval). Target: ≤ 0.15 of one core at the default rate.
// The warm-up (330 s by default) lets every water station report once and the parking spots send
// their first status, and takes the first-report costs (each device's first connection and rule
// states) out of the measured interval: it measures the steady state.
//
//   ./node_modules/.bin/node bench/demo-simulator.ts [--rate 0.25] [--seconds 120] [--warmup 330]
//       [--engine pglite|postgres] [--smoke]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { prepareCity } from '../src/demo/prepare.ts';
import { startDemoSimulator } from '../src/demo/simulator/index.ts';
import type { DatabaseKind } from '../src/platform/db/database.ts';
import { openTestDatabase } from '../src/platform/db/testing.ts';
import { createLogger } from '../src/platform/logger.ts';
import { option, size, smokeBanner } from './smoke.ts';

const ENGINE = (option('engine') ?? 'pglite') as DatabaseKind;
const SECONDS = Number(option('seconds') ?? size(120, 10));
// Smoke: waves come every 10 s, so at least one falls in the warm-up; a small share.
const WARMUP = Number(option('warmup') ?? size(330, 12));

smokeBanner();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-bench-sim-'));
const config = loadConfig(
  {},
  {
    dataDir,
    port: 0,
    mqttPort: 0,
    adminPassword: 'bench-password',
    tokenSecret: 'b'.repeat(40),
    logLevel: 'warn',
  },
);
const RATE = Number(option('rate') ?? size(config.simulatorRate, 0.02));
const app = await createApp({
  config,
  logger: createLogger('warn'),
  database: await openTestDatabase(ENGINE),
  sensing: { noDataGraceAtStart: true },
});
await prepareCity(app, { demo: true });
await app.listen();
const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));
const stored = async () =>
  (await sql<{ n: number }>`select count(*)::int as n from sensing_observations`.execute(app.database.db))
    .rows[0]!.n;

/** CPU of this process over `seconds`, as a share of one core. */
async function cpuShare(seconds: number): Promise<number> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await sleep(seconds);
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000 / (performance.now() - t0);
}

await sleep(size(5, 1));
const baseline = await cpuShare(SECONDS);
const { simulator, banner } = await startDemoSimulator(app, { rate: RATE });
if (!simulator) throw new Error(`the simulator did not start: ${banner}`);
await sleep(WARMUP);
const published0 = simulator.stats.published;
const stored0 = await stored();
const withSimulator = await cpuShare(SECONDS);
const published = simulator.stats.published - published0;
const rows = (await stored()) - stored0;
const online = (
  await sql<{ n: number }>`select count(*)::int as n from sensing_devices where status = 'online'`.execute(
    app.database.db,
  )
).rows[0]!.n;
const cost = withSimulator - baseline;
const load = os.loadavg()[0]!.toFixed(1);
console.log(
  `${ENGINE}, rate ${RATE}: ${simulator.stats.devices} simulated devices (${Object.entries(
    simulator.stats.byType,
  )
    .map(([t, n]) => `${t} ${n}`)
    .join(', ')}), ${online} online`,
);
console.log(
  `  measured ${SECONDS} s after ${WARMUP} s warm-up: ${(published / SECONDS).toFixed(1)} reports/s published, ${(rows / SECONDS).toFixed(0)} readings/s stored, ${simulator.stats.failed} failed, ${simulator.stats.dropped} dropped`,
);
console.log(
  `  CPU, share of one core: idle app (baseline) ${baseline.toFixed(3)}, with simulator ${withSimulator.toFixed(3)} → simulator costs ${cost.toFixed(3)} (target ≤ 0.15: ${cost <= 0.15 ? 'met' : 'NOT met'}); with / baseline ${(withSimulator / baseline).toFixed(2)}× (load ${load})`,
);
await simulator.stop();
await app.close();
fs.rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
