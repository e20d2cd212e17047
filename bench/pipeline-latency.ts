// Publish → alert stored latency at a steady background load: the real app on PostgreSQL (bus on
// NATS JetStream with --nats) and a private Mosquitto; a child process publishes traffic
// observations at --rate obs/s while a marked water station alternates pH 12 / 7 (the shipped
// pH rule raises on > 9 and clears below 8.8), so every other reading raises an alert.
// "Stored" is when the ingest transaction that raised the alert has committed (the batch's
// post-commit hook); the time to the bus (outbox → relay → bus) is printed too.
//
// GC pauses (scavenges, mark-compacts) and the ingest batches during the run are printed too.
//
//   ./node_modules/.bin/node [--max-semi-space-size=MB] bench/pipeline-latency.ts [--rate 10000] [--seconds 30]
//       [--nats nats://127.0.0.1:4222] [--batcher maxConcurrent=1,maxDelayMs=20] [--smoke]
import { sql } from 'kysely';
import mqtt from 'mqtt';
import type { RawObservation } from '../src/modules/sensing/index.ts';
import { startThrowawayMosquitto, uniqueClientId } from '../src/platform/mqtt/testing.ts';
import { observationTopic } from '../src/platform/mqtt/topics.ts';
import {
  applyBatcherVariant,
  bootApp,
  fmt,
  type Message,
  percentile,
  spawnPublisher,
  watchGc,
} from './pipeline-common.ts';
import { size, smokeBanner } from './smoke.ts';

const arg = (n: string) =>
  process.argv.includes(`--${n}`) ? process.argv[process.argv.indexOf(`--${n}`) + 1] : undefined;
const RATE = Number(arg('rate') ?? size(10_000, 500));
const SECONDS = Number(arg('seconds') ?? size(30, 4));
const NATS = arg('nats');
const MARKED = 'wq-0001';
const TICK_MS = 10;
const VARIANT = applyBatcherVariant(arg('batcher'));

smokeBanner();
const mosquitto = await startThrowawayMosquitto(undefined, 'max_queued_messages 10000000');
const { app, dispose } = await bootApp('postgres', mosquitto.url, NATS);
try {
  // Background: traffic detectors, one observation per message, paced in 10 ms ticks.
  const base = Date.now() - 3_600_000;
  const background: Message[] = Array.from({ length: RATE * SECONDS }, (_, m) => ({
    topic: observationTopic(`tf-${String(m % 5000).padStart(4, '0')}`),
    body: JSON.stringify({
      observedAt: new Date(base + Math.floor(m / 5000) * 100).toISOString(),
      averageVehicleSpeed: 40,
    }),
  }));
  const pub = await spawnPublisher(mosquitto.url, background, (RATE * TICK_MS) / 1000, TICK_MS);

  const sentAt = new Map<string, number>();
  const storedMs: number[] = [];
  const busMs: number[] = [];
  // The app calls this once a batch has committed: the alert raised by it is stored now.
  const original = app.live.readings.bind(app.live);
  const batchSizes: number[] = [];
  app.live.readings = (batch: readonly RawObservation[]) => {
    const now = performance.now();
    batchSizes.push(batch.length);
    for (const raw of batch) {
      const p = raw.payload as { observedAt?: string; pH?: number };
      if (raw.deviceId === MARKED && p.pH === 12 && sentAt.has(p.observedAt!)) {
        storedMs.push(now - sentAt.get(p.observedAt!)!);
      }
    }
    return original(batch);
  };
  await app.bus.subscribe(
    'sensing.alert.raised',
    { group: `bench-${process.pid}`, owner: 'bench' },
    async (e) => {
      const t = sentAt.get(e.payload.validFrom);
      if (e.payload.subject === MARKED && t !== undefined) busMs.push(performance.now() - t);
    },
  );

  const device = await mqtt.connectAsync(mosquitto.url, { clientId: uniqueClientId('marked') });
  pub.go();
  const started = Date.now();
  let i = 0;
  await new Promise((r) => setTimeout(r, 2000)); // let the load settle
  const gc = watchGc();
  batchSizes.length = 0;
  while (Date.now() - started < (SECONDS - 1) * 1000) {
    const observedAt = new Date(Date.now() - 1000 + (i % 2)).toISOString();
    const pH = i % 2 === 0 ? 12 : 7;
    sentAt.set(observedAt, performance.now());
    device.publish(observationTopic(MARKED), JSON.stringify({ observedAt, pH }), { qos: 1 });
    i++;
    await new Promise((r) => setTimeout(r, 100));
  }
  const gcReport = gc.report();
  const batches = [...batchSizes].sort((a, b) => a - b);
  await new Promise((r) => setTimeout(r, 2000));
  pub.stop();
  await device.endAsync();
  const alerts = await sql<{
    n: number;
  }>`select count(*)::int as n from sensing_alerts where subject = ${MARKED}`.execute(app.database.db);
  const loadRows = await sql<{
    n: number;
  }>`select count(*)::int as n from sensing_observations where device_id like 'tf-%'`.execute(
    app.database.db,
  );
  const s = [...storedMs].sort((a, b) => a - b);
  const b = [...busMs].sort((a, b) => a - b);
  console.log(
    `pipeline latency: background ${fmt(RATE)} obs/s for ${SECONDS} s (${fmt(loadRows.rows[0]!.n)} stored), PostgreSQL, bus ${NATS ? 'NATS JetStream' : 'in-process'}, private mosquitto`,
  );
  console.log(`batcher: ${VARIANT}; node flags: ${process.execArgv.join(' ') || 'none'}`);
  console.log(`marked device ${MARKED}: ${Math.ceil(i / 2)} pH spikes, ${alerts.rows[0]!.n} alerts stored`);
  console.log(
    `publish → alert stored (committed): n=${s.length} p50 ${percentile(s, 50).toFixed(1)} ms  p99 ${percentile(s, 99).toFixed(1)} ms  max ${s.at(-1)?.toFixed(1)} ms`,
  );
  console.log(
    `publish → alert on the bus (outbox relay): n=${b.length} p50 ${percentile(b, 50).toFixed(1)} ms  p99 ${percentile(b, 99).toFixed(1)} ms`,
  );
  console.log(
    `ingest batches while measuring: n=${batches.length} observations p50 ${percentile(batches, 50)} p99 ${percentile(batches, 99)} max ${batches.at(-1)}`,
  );
  console.log(gcReport);
} finally {
  await dispose();
  await mosquitto.dispose();
}
process.exit(0);
