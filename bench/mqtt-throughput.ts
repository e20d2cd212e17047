// Raw broker-to-subscriber throughput: publisher client → broker → subscriber client, on the
// embedded Aedes (in its own process, as Mosquitto is) and on a private Mosquitto, printed as
// msgs/s and Aedes/Mosquitto in one run. The ingest benchmark compares itself with these figures.
//
//   ./node_modules/.bin/node bench/mqtt-throughput.ts [--messages 100000] [--repeat 3] [--smoke]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt from 'mqtt';
import pino from 'pino';
import { startEmbeddedBroker } from '../src/platform/mqtt/broker.ts';
import { connectIngress } from '../src/platform/mqtt/ingress.ts';
import { forgetSession, startThrowawayMosquitto, uniqueClientId } from '../src/platform/mqtt/testing.ts';
import { OBSERVATIONS_FILTER, observationTopic } from '../src/platform/mqtt/topics.ts';
import { packet, utf8 } from './mqtt-packets.ts';
import { smokeBanner, size as smokeSize } from './smoke.ts';

const silent = pino({ level: 'silent' });
const arg = (n: string, d: number) =>
  process.argv.includes(`--${n}`) ? Number(process.argv[process.argv.indexOf(`--${n}`) + 1]) : d;
const N = arg('messages', smokeSize(100_000, 2_000));
const REPEAT = arg('repeat', smokeSize(3, 1));
const TIMEOUT_MS = smokeSize(120_000, 30_000);

/** A FIWARE-style AirQualityObserved observation from one of 1000 devices, ~150 bytes as JSON. */
function observation(i: number) {
  return {
    id: `cq-aq-${String(i % 1000).padStart(6, '0')}`,
    observedAt: new Date(1_763_596_800_000 + i * 1000).toISOString(),
    pm25: 35.2 + (i % 7),
    pm10: 61.4,
    no2: 22.1,
    so2: 4.2,
    temperature: 18.4,
    relativeHumidity: 0.71,
  };
}

type Result = { obsPerSec: number; msgsPerSec: number; lost: number };
/** `batch` observations per MQTT message (a JSON array when > 1), read by a plain or an ingress subscriber. */
type Scenario = { name: string; qos: 0 | 1; batch: number; subscriber: 'raw' | 'ingress' };

const scenarios: Scenario[] = [
  { name: 'QoS 0, 1 obs/msg, raw subscriber', qos: 0, batch: 1, subscriber: 'raw' },
  { name: 'QoS 1, 1 obs/msg, raw subscriber', qos: 1, batch: 1, subscriber: 'raw' },
  { name: 'QoS 1, 1 obs/msg, ingress (ack after handle)', qos: 1, batch: 1, subscriber: 'ingress' },
  { name: 'QoS 1, 10 obs/msg, raw subscriber', qos: 1, batch: 10, subscriber: 'raw' },
  { name: 'QoS 1, 10 obs/msg, ingress (ack after handle)', qos: 1, batch: 10, subscriber: 'ingress' },
];

/** `n` observations as MQTT messages of `batch` observations each, on their devices' topics. */
function buildPayloads(batch: number, n: number): Array<{ topic: string; body: string }> {
  return Array.from({ length: Math.ceil(n / batch) }, (_, m) => {
    const obs = Array.from({ length: batch }, (_, k) => observation(m * batch + k));
    return { topic: observationTopic(obs[0]!.id), body: JSON.stringify(batch === 1 ? obs[0] : obs) };
  });
}

/** Publishes N observations and times until the subscriber has all of them; returns obs/s and msgs/s. */
async function run(url: string, s: Scenario): Promise<Result> {
  const messages = Math.ceil(N / s.batch);
  let received = 0;
  const { promise: allIn, resolve: finish } = Promise.withResolvers<void>();
  const count = () => void (++received === messages && finish());
  let close: () => Promise<unknown>;
  if (s.subscriber === 'raw') {
    const sub = await mqtt.connectAsync(url, { clientId: uniqueClientId('bsub'), clean: true });
    sub.on('message', count);
    await sub.subscribeAsync(OBSERVATIONS_FILTER, { qos: s.qos });
    close = () => sub.endAsync(true);
  } else {
    const ingress = await connectIngress({
      url,
      clientId: uniqueClientId('bing'),
      topics: [OBSERVATIONS_FILTER],
      qos: s.qos,
      logger: silent,
      onMessage: count,
    });
    close = async () => {
      await ingress.close({ drainMs: 0 });
      await forgetSession(url, ingress.client.options.clientId!);
    };
  }
  const args = [import.meta.filename, '--publisher-child', url, String(s.qos), String(s.batch), String(N)];
  const pub = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  await once(pub.stdout, 'data');
  const started = performance.now();
  pub.stdin.write('go\n');
  await Promise.race([allIn, sleep(TIMEOUT_MS, undefined, { ref: false })]);
  const seconds = received === messages ? (performance.now() - started) / 1000 : Number.NaN;
  pub.kill();
  await close();
  return { obsPerSec: N / seconds, msgsPerSec: messages / seconds, lost: messages - received };
}

async function publishRaw(url: string, payloads: Array<{ topic: string; body: string }>, qos: 0 | 1) {
  const packets = payloads.map((p, i) => {
    const id = (i % 65_535) + 1; // QoS 1 inbound ids are not tracked by either broker, so reuse is harmless
    const header = qos ? Buffer.concat([utf8(p.topic), Buffer.from([id >> 8, id & 255])]) : utf8(p.topic);
    return packet(0x30 | (qos << 1), Buffer.concat([header, Buffer.from(p.body)]));
  });
  const chunks: Buffer[] = [];
  for (let i = 0; i < packets.length; i += 500) chunks.push(Buffer.concat(packets.slice(i, i + 500)));
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.write(
    packet(0x10, Buffer.concat([utf8('MQTT'), Buffer.from([4, 2, 0, 60]), utf8(uniqueClientId('bpub'))])),
  );
  const connack = (await once(socket, 'data'))[0] as Buffer;
  if (connack[0] !== 0x20 || connack[3] !== 0) throw new Error('publisher not accepted');
  socket.on('data', () => {}); // PUBACKs: read and dropped
  return async () => {
    for (const chunk of chunks) if (!socket.write(chunk)) await once(socket, 'drain');
  };
}

async function startAedesChild(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, [import.meta.filename, '--aedes-child'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = String((await once(child.stdout, 'data'))[0]).trim();
  return { url: `mqtt://127.0.0.1:${port}`, stop: () => child.kill() };
}

if (process.argv.includes('--publisher-child')) {
  // Devices publish from their own process: a publisher sharing the subscriber's event loop
  // would measure Node, not the broker.
  const [url, qos, batch, n] = process.argv.slice(process.argv.indexOf('--publisher-child') + 1);
  const publish = await publishRaw(url!, buildPayloads(Number(batch), Number(n)), Number(qos) as 0 | 1);
  process.stdout.write('ready\n');
  await once(process.stdin, 'data');
  await publish();
  await new Promise(() => {}); // until the subscriber has everything and we are killed
}

if (process.argv.includes('--aedes-child')) {
  // The embedded broker in a process of its own, so it gets a core as Mosquitto does.
  const broker = await startEmbeddedBroker({ port: 0, logger: silent });
  process.stdout.write(`${broker.port}\n`);
  await new Promise(() => {});
}

const median = (rs: Result[]): Result => ({
  ...[...rs].sort((x, y) => (x.obsPerSec || 0) - (y.obsPerSec || 0))[Math.floor(rs.length / 2)]!,
  lost: Math.max(...rs.map((r) => r.lost)),
});
const fmt = (n: number) => (Number.isNaN(n) ? 'timeout' : Math.round(n).toLocaleString('en-US'));
smokeBanner();
const aedes = await startAedesChild();
// Mosquitto configured as an ingest broker should be (README): its default queue of 1000 drops
// QoS 1 messages for a subscriber that lags behind.
const mosquitto = await startThrowawayMosquitto(undefined, 'max_queued_messages 10000000');
const size = JSON.stringify(observation(0)).length;
console.log(
  `MQTT broker-to-subscriber throughput, ${fmt(N)} observations (~${size} B) per row, median of ${REPEAT}`,
);
console.log(`node ${process.version}; aedes in a child process; private mosquitto at ${mosquitto.url}\n`);
const head = ['aedes msg/s', 'mosquitto msg/s', 'aedes/mosq', 'aedes obs/s', 'mosquitto obs/s'];
console.log(['scenario'.padEnd(46), ...head].join('  '));
try {
  for (const s of scenarios) {
    // Interleaved and repeated, the median kept: on a shared 2-core machine one run is noise.
    const [as, ms]: [Result[], Result[]] = [[], []];
    for (let r = 0; r < REPEAT; r++) {
      as.push(await run(aedes.url, s));
      ms.push(await run(mosquitto.url, s));
    }
    const [a, m] = [median(as), median(ms)];
    const ratio = a.obsPerSec / m.obsPerSec;
    const cells = [a.msgsPerSec, m.msgsPerSec, ratio, a.obsPerSec, m.obsPerSec].map((v, i) =>
      (i === 2 ? (Number.isNaN(v) ? '-' : v.toFixed(2)) : fmt(v)).padStart(head[i]!.length),
    );
    const lost = a.lost || m.lost ? `  (lost: aedes ${a.lost}, mosquitto ${m.lost})` : '';
    console.log([s.name.padEnd(46), ...cells].join('  ') + lost);
  }
} finally {
  aedes.stop();
  await mosquitto.dispose();
}
process.exit(0);
