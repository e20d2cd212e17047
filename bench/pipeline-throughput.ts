// MQTT publish → ingest → rules → stored, observations/s, against the raw broker-to-subscriber
// rate measured in the same run with the same broker (a private Mosquitto) and the same payloads.
// The real app (demo city, shipped rules, outbox relay; NATS JetStream bus when --nats is given)
// on PostgreSQL and on PGlite; 1 and 10 observations per MQTT message.
//
//   ./node_modules/.bin/node bench/pipeline-throughput.ts [--observations 200000] [--nats nats://127.0.0.1:4222]
//       [--engines postgres,pglite] [--per-message 1,10] [--batcher maxConcurrent=1,maxBatch=5000]
//       [--cpu-prof-to /tmp/pipeline.cpuprofile]   (V8 profile of the measured part only, one file per run)
//       [--smoke]   (2,000 observations, PostgreSQL, 10 per message: checks the bench still runs)
import { sql } from 'kysely';
import mqtt from 'mqtt';
import type { App } from '../src/app.ts';
import type { DatabaseKind } from '../src/platform/db/database.ts';
import { metricsRegistry } from '../src/platform/http/metrics.ts';
import { startThrowawayMosquitto, uniqueClientId } from '../src/platform/mqtt/testing.ts';
import { OBSERVATIONS_FILTER, observationTopic } from '../src/platform/mqtt/topics.ts';
import {
  applyBatcherVariant,
  bootApp,
  cpuMeter,
  fmt,
  type Message,
  pidOfPort,
  procCpu,
  profileWhile,
  spawnPublisher,
  watchGc,
} from './pipeline-common.ts';
import { size, smokeBanner } from './smoke.ts';

const arg = (n: string) =>
  process.argv.includes(`--${n}`) ? process.argv[process.argv.indexOf(`--${n}`) + 1] : undefined;
const N = Number(arg('observations') ?? size(200_000, 2_000));
const NATS = arg('nats');
const DEVICES = 5000; // traffic detectors tf-0000 … tf-4999 of the demo city
const TIMEOUT_MS = size(90_000, 30_000);
const PER_MESSAGE = (arg('per-message') ?? size('1,10', '10')).split(',').map(Number);
const VARIANT = applyBatcherVariant(arg('batcher'));

/**
 * `n` TrafficFlowObserved observations (one reading each: averageVehicleSpeed, which the shipped
 * traffic rule evaluates), `batch` per message, a device's messages one second apart from `base`.
 */
function messages(n: number, batch: number, base: number): Message[] {
  const out: Message[] = [];
  for (let m = 0; m < n / batch; m++) {
    const device = `tf-${String(m % DEVICES).padStart(4, '0')}`;
    const round = Math.floor(m / DEVICES);
    const obs = Array.from({ length: batch }, (_, k) => ({
      observedAt: new Date(base + (round * batch + k) * 1000).toISOString(),
      averageVehicleSpeed: 30 + ((m + k) % 20),
    }));
    out.push({ topic: observationTopic(device), body: JSON.stringify(batch === 1 ? obs[0] : obs) });
  }
  return out;
}

async function stored(app: App): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from sensing_observations`.execute(
    app.database.db,
  );
  return r.rows[0]!.n;
}

/** Raw: a plain mqtt.js QoS 1 subscriber counting messages (acks on receipt; no parsing, no storage). */
async function raw(url: string, msgs: Message[], perMessage: number): Promise<number> {
  const sub = await mqtt.connectAsync(url, { clientId: uniqueClientId('braw'), clean: true });
  let received = 0;
  const { promise, resolve } = Promise.withResolvers<void>();
  sub.on('message', () => void (++received === msgs.length && resolve()));
  await sub.subscribeAsync(OBSERVATIONS_FILTER, { qos: 1 });
  const pub = await spawnPublisher(url, msgs);
  const node = process.cpuUsage();
  const broker = procCpu(pidOfPort(Number(new URL(url).port)));
  const started = performance.now();
  pub.go();
  await Promise.race([promise, new Promise((r) => setTimeout(r, TIMEOUT_MS).unref())]);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(node);
  const brokerCpu = procCpu(pidOfPort(Number(new URL(url).port))) - broker;
  const obs = msgs.length * perMessage;
  gcLines.push(
    `raw ${perMessage}/msg: CPU µs per observation — node (subscriber) ${((used.user + used.system) / obs).toFixed(1)}, broker ${((brokerCpu * 1e6) / obs).toFixed(1)}`,
  );
  pub.stop();
  await sub.endAsync(true);
  return received === msgs.length ? seconds : Number.NaN;
}

/** Readings the app has committed so far (its own counter: polling count(*) would load the database under test). */
async function committed(): Promise<number> {
  const m = await metricsRegistry.getSingleMetric('citybrain_sensing_readings_total')?.get();
  return m?.values.find((v) => v.labels.outcome === 'stored')?.value ?? 0;
}

/** CPU and (optionally) a V8 profile of the measured part of a run. */
type Measure = { profile?: string };

/** Pipeline: the app's ingest on the same broker; done when every reading is committed (then checked as rows). */
async function pipeline(app: App, url: string, msgs: Message[], readings: number, measure: Measure) {
  const before = await stored(app);
  const counted = await committed();
  const pub = await spawnPublisher(url, msgs);
  const { seconds, cpu } = await profileWhile(measure.profile, async () => {
    const meter = await cpuMeter(app, pidOfPort(Number(new URL(url).port)));
    const started = performance.now();
    pub.go();
    const deadline = started + TIMEOUT_MS;
    while ((await committed()) - counted < readings && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    return { seconds: (performance.now() - started) / 1000, cpu: await meter.stop() };
  });
  pub.stop();
  return { seconds: (await stored(app)) - before >= readings ? seconds : Number.NaN, cpu };
}

smokeBanner();
const mosquitto = await startThrowawayMosquitto(undefined, 'max_queued_messages 10000000');
console.log(
  `pipeline throughput: ${fmt(N)} observations per run, private mosquitto ${mosquitto.url}, node ${process.version}`,
);
console.log(`batcher: ${VARIANT}; node flags: ${process.execArgv.join(' ') || 'none'}`);
console.log(
  `bus: ${NATS ? `NATS JetStream ${NATS}` : 'in-process'} (PostgreSQL run); in-process (PGlite run)\n`,
);
console.log(['engine    ', 'obs/msg', 'raw obs/s', 'pipeline obs/s', 'pipeline/raw'].join('  '));
const base = Date.now() - 3 * 3_600_000; // observation times: recent enough for retention
const gcLines: string[] = [];
const engines = (arg('engines') ?? size('postgres,pglite', 'postgres')).split(',') as DatabaseKind[];
try {
  // Raw first, before any app is subscribed (its ingest would otherwise take the same messages).
  const rawRate = new Map<number, number>();
  for (const batch of PER_MESSAGE)
    rawRate.set(batch, N / (await raw(mosquitto.url, messages(N, batch, base), batch)));
  for (const kind of engines) {
    const n = kind === 'pglite' ? N / 2 : N;
    const { app, dispose } = await bootApp(kind, mosquitto.url, kind === 'postgres' ? NATS : undefined);
    try {
      for (const [i, batch] of PER_MESSAGE.entries()) {
        // Each run its own observation times: a repeat would be a duplicate and store nothing.
        const msgs = messages(n, batch, base + i * 3_600_000);
        const gc = watchGc();
        const prof = arg('cpu-prof-to')?.replace('.cpuprofile', `-${kind}-${batch}.cpuprofile`);
        const { seconds, cpu: c } = await pipeline(app, mosquitto.url, msgs, n, { profile: prof });
        const p = n / seconds;
        const per = (s: number) => ((s * 1e6) / n).toFixed(1);
        gcLines.push(
          `${kind} ${batch}/msg: CPU µs per observation — node ${per(c.node)}, postgres ${per(c.postgres)}, broker ${per(c.broker)} (${(c.node / seconds).toFixed(2)}, ${(c.postgres / seconds).toFixed(2)}, ${(c.broker / seconds).toFixed(2)} cores); ${gc.report()}`,
        );
        const r = rawRate.get(batch)!;
        console.log(
          [
            kind.padEnd(10),
            String(batch).padStart(7),
            fmt(r).padStart(9),
            fmt(p).padStart(14),
            (p / r).toFixed(2).padStart(12),
          ].join('  '),
        );
      }
    } finally {
      await dispose();
    }
  }
  console.log(`\n${gcLines.join('\n')}`);
} finally {
  await mosquitto.dispose();
}
process.exit(0);
