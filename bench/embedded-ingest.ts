// Embedded-broker ingest (the default one-machine mode): devices publish QoS 1 to the app's own
// Aedes broker, each on its own authenticated connection with a window of unacknowledged messages;
// stored observations/s from the first publish until all are stored, and the publish → PUBACK
// latency the devices see. Run it on two commits back to back to compare (ratios, not absolutes:
// the machine is shared).
//
//   ./node_modules/.bin/node bench/embedded-ingest.ts [--engine postgres|pglite] [--devices 50]
//       [--messages 400] [--per-message 1] [--window 20] [--smoke]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import mqtt from 'mqtt';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { demoSecretsFile, prepareCity } from '../src/demo/prepare.ts';
import type { DatabaseKind } from '../src/platform/db/database.ts';
import { openTestDatabase } from '../src/platform/db/testing.ts';
import { createLogger } from '../src/platform/logger.ts';
import { observationTopic } from '../src/platform/mqtt/index.ts';
import { size, smokeBanner } from './smoke.ts';

const arg = (n: string) =>
  process.argv.includes(`--${n}`) ? process.argv[process.argv.indexOf(`--${n}`) + 1] : undefined;
const ENGINE = (arg('engine') ?? 'postgres') as DatabaseKind;
const DEVICES = Number(arg('devices') ?? size(50, 5));
const MESSAGES = Number(arg('messages') ?? size(400, 40));
const PER_MESSAGE = Number(arg('per-message') ?? 1);
const WINDOW = Number(arg('window') ?? 20);

smokeBanner();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-bench-emb-'));
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
const app = await createApp({
  config,
  logger: createLogger('warn'),
  database: await openTestDatabase(ENGINE),
});
await prepareCity(app, { demo: true });
await app.listen();
const url = app.mqtt!.url;
const secrets = (
  JSON.parse(fs.readFileSync(demoSecretsFile(dataDir), 'utf8')) as { deviceId: string; secret: string }[]
)
  .filter((s) => /^tf-\d+$/.test(s.deviceId))
  .slice(0, DEVICES);
const count = async () =>
  (await sql<{ n: number }>`select count(*)::int as n from sensing_observations`.execute(app.database.db))
    .rows[0]!.n;

const clients = await Promise.all(
  secrets.map((s) =>
    mqtt.connectAsync(url, {
      clientId: s.deviceId,
      username: s.deviceId,
      password: s.secret,
      reconnectPeriod: 0,
    }),
  ),
);
const base = Date.now() - 50 * 60_000;
const latencies: number[] = [];
const before = await count();
const total = secrets.length * MESSAGES * PER_MESSAGE;
const started = performance.now();
await Promise.all(
  clients.map(async (client, d) => {
    const topic = observationTopic(secrets[d]!.deviceId);
    let next = 0;
    const lane = async () => {
      while (next < MESSAGES) {
        const m = next++;
        const obs = Array.from({ length: PER_MESSAGE }, (_, k) => ({
          observedAt: new Date(base + (m * PER_MESSAGE + k) * 100).toISOString(),
          averageVehicleSpeed: 30 + ((m + k) % 20),
        }));
        const t0 = performance.now();
        await client.publishAsync(topic, JSON.stringify(PER_MESSAGE === 1 ? obs[0] : obs), { qos: 1 });
        latencies.push(performance.now() - t0);
      }
    };
    await Promise.all(Array.from({ length: WINDOW }, lane));
  }),
);
const acked = performance.now();
while ((await count()) - before < total) await new Promise((r) => setTimeout(r, 20));
const done = performance.now();
latencies.sort((a, b) => a - b);
const p = (q: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(1);
const load = os.loadavg()[0]!.toFixed(1);
console.log(
  `${ENGINE}, ${DEVICES} devices × ${MESSAGES} msgs × ${PER_MESSAGE} obs, window ${WINDOW}: ` +
    `${Math.round((total / (done - started)) * 1000)} obs/s stored, all acked after ${((acked - started) / 1000).toFixed(2)} s, ` +
    `all stored after ${((done - started) / 1000).toFixed(2)} s, PUBACK latency p50 ${p(0.5)} ms p99 ${p(0.99)} ms (load ${load})`,
);
await Promise.all(clients.map((c) => c.endAsync(true)));
await app.close();
fs.rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
