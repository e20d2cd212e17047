// Complaint intake → task assigned, server time: POST /api/v1/citizen/requests on the real app
// (demo city, classifier, duplicate check, routing, nearest team through the algorithm gate, audit,
// outbox), at a steady rate, open loop. The event centre is the one createApp wires (wiring a
// second one registered its routes twice: FST_ERR_DUPLICATED_ROUTE). Run:
//   ./node_modules/.bin/node bench/intake-latency.ts [rate/s] [seconds] [pglite|postgres] [--smoke]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { prepareCity } from '../src/demo/prepare.ts';
import { loadDataset } from '../src/modules/classification/index.ts';
import { openTestDatabase } from '../src/platform/db/testing.ts';
import { createLogger } from '../src/platform/logger.ts';
import { ARGS, size, smokeBanner } from './smoke.ts';

const RATE = Number(ARGS[0] ?? size(50, 10));
const SECONDS = Number(ARGS[1] ?? size(20, 2));
const ENGINE = (ARGS[2] ?? 'pglite') as 'pglite' | 'postgres';
const WARM_UP = size(30, 5);
smokeBanner();

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-bench-'));
const logger = createLogger('silent');
const config = loadConfig(
  {},
  { dataDir, port: 0, adminPassword: 'bench-password-1', tokenSecret: 'b'.repeat(40) },
);
const app = await createApp({ config, logger, database: await openTestDatabase(ENGINE) });
const s = app.services;
await prepareCity(app, { demo: true });

let seed = 7;
const random = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
};
const streets = (await s.jurisdictions.list({ level: 'street' })).map((j) => j.label);
const texts = loadDataset()
  .filter((r) => r.split === 'test')
  .map((r) => r.text);
const body = () => {
  const [lon, lat] = streets[Math.floor(random() * streets.length)]!;
  return {
    description: texts[Math.floor(random() * texts.length)]!,
    location: { lon: lon + (random() - 0.5) * 0.002, lat: lat + (random() - 0.5) * 0.002 },
  };
};

// Warm-up (JIT, caches, team index).
for (let i = 0; i < WARM_UP; i++)
  await app.http.inject({ method: 'POST', url: '/api/v1/citizen/requests', payload: body() });

const total = RATE * SECONDS;
const times: number[] = [];
let assigned = 0;
let triage = 0;
let failed = 0;
const started = performance.now();
const inflight: Promise<void>[] = [];
for (let i = 0; i < total; i++) {
  const due = started + (i * 1000) / RATE;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const t0 = performance.now();
  inflight.push(
    app.http.inject({ method: 'POST', url: '/api/v1/citizen/requests', payload: body() }).then((res) => {
      times.push(performance.now() - t0);
      if (res.statusCode !== 201) failed += 1;
      else {
        const r = res.json();
        if (r.tasks.some((t: { status: string }) => t.status === 'assigned')) assigned += 1;
        else if (r.event.status === 'triage') triage += 1;
      }
    }),
  );
}
await Promise.all(inflight);
const wall = (performance.now() - started) / 1000;
times.sort((a, b) => a - b);
const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
console.log(
  `${ENGINE}: ${total} requests at ${RATE}/s over ${wall.toFixed(1)} s (achieved ${(total / wall).toFixed(1)}/s)`,
);
console.log(
  `intake → task assigned, server time: p50 ${q(0.5).toFixed(1)} ms, p90 ${q(0.9).toFixed(1)} ms, p99 ${q(0.99).toFixed(1)} ms, max ${times.at(-1)?.toFixed(1)} ms (target p99 ≤ 50 ms)`,
);
console.log(
  `outcomes: ${assigned} assigned to a team, ${triage} to human triage (low confidence), ${total - assigned - triage - failed} other (merged/pending), ${failed} failed`,
);
await app.close();
fs.rmSync(dataDir, { recursive: true, force: true });
