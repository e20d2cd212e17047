// Bus throughput, publish → consume of small messages: in-process and NATS JetStream, as a ratio
// of raw core NATS publish → subscribe (no JetStream, no validation) measured in the same run.
// Run: ./node_modules/.bin/node bench/bus-throughput.ts [count] [--smoke]   (NATS at CITYBRAIN_NATS_URL or 127.0.0.1:4222)
import { spawn } from 'node:child_process';
import { connect } from '@nats-io/transport-node';
import pino from 'pino';
import { z } from 'zod';
import { type Bus, createBus, defineSubjects } from '../src/platform/bus/index.ts';
import { deleteStreams, uniquePrefix } from '../src/platform/bus/testing.ts';
import { ARGS, size, smokeBanner } from './smoke.ts';

const consumerRole = process.argv[2] === '--consumer';
const COUNT = Number((consumerRole ? process.argv[4] : ARGS[0]) ?? size(200_000, 5_000));
if (!consumerRole) smokeBanner();
const URL = process.env.CITYBRAIN_NATS_URL ?? 'nats://127.0.0.1:4222';
const CHUNK = 10_000;
const subjects = defineSubjects({
  'bench.obs': z.object({ device: z.string(), value: z.number(), at: z.number() }),
});
type M = typeof subjects;
const logger = pino({ level: 'warn' });
const payload = (i: number) => ({ device: `dev-${i % 5000}`, value: i * 0.5, at: 1_763_600_000 + i });

/** Messages per second from publishing the first message to consuming the last. */
async function run(bus: Bus<M>, mode: 'single' | 'batch'): Promise<number> {
  let got = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const count = (n: number) => {
    got += n;
    if (got >= COUNT) done();
  };
  const group = `bench_${mode}`;
  if (mode === 'batch') {
    await bus.subscribeBatch('bench.obs', { group, owner: 'bench', maxBatch: 1_000, maxWaitMs: 5 }, (b) =>
      count(b.length),
    );
  } else {
    await bus.subscribe('bench.obs', { group, owner: 'bench', maxInFlight: 512 }, () => count(1));
  }
  const start = performance.now();
  for (let i = 0; i < COUNT; i += CHUNK) {
    const n = Math.min(CHUNK, COUNT - i);
    await bus.publishBatch(
      Array.from({ length: n }, (_, k) => ({ subject: 'bench.obs' as const, payload: payload(i + k) })),
    );
  }
  await finished;
  const rate = COUNT / ((performance.now() - start) / 1000);
  await bus.stop('bench');
  return rate;
}

/** Raw core NATS: the same JSON bodies, fire-and-forget publish, one plain subscriber. */
async function coreNats(): Promise<number> {
  const nc = await connect({ servers: URL });
  const subject = `${uniquePrefix()}.raw`;
  let got = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  nc.subscribe(subject, {
    callback: (_err, msg) => {
      JSON.parse(msg.string());
      if (++got >= COUNT) done();
    },
  });
  await nc.flush();
  const body = (i: number) =>
    JSON.stringify({
      id: crypto.randomUUID(),
      subject: 'bench.obs',
      occurredAt: new Date().toISOString(),
      payload: payload(i),
    });
  const start = performance.now();
  for (let i = 0; i < COUNT; i++) {
    nc.publish(subject, body(i));
    // Let the socket drain now and then, as a real producer would; core NATS drops what a slow subscriber cannot take.
    if (i % CHUNK === CHUNK - 1) await nc.flush();
  }
  await finished;
  const rate = COUNT / ((performance.now() - start) / 1000);
  await nc.close();
  return rate;
}

/** The child side of `ownProcess`: consume COUNT messages of group `bench_proc`, then say so. */
async function consumer(prefix: string): Promise<void> {
  const bus = await createBus({ subjects, logger, natsUrl: URL, streamPrefix: prefix });
  let got = 0;
  await bus.subscribeBatch(
    'bench.obs',
    { group: 'bench_proc', owner: 'bench', maxBatch: 1_000, maxWaitMs: 5 },
    (b) => {
      got += b.length;
      if (got >= COUNT) process.stdout.write('done\n');
    },
  );
  process.stdout.write('ready\n');
}

/** Publisher here, consumer in a child process: the shape of ingest → rules in server mode. */
async function ownProcess(bus: Bus<M>, prefix: string): Promise<number> {
  const child = spawn(process.execPath, [process.argv[1]!, '--consumer', prefix, String(COUNT)]);
  const said = (word: string) =>
    new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => d.toString().includes(word) && resolve()),
    );
  const ready = said('ready');
  const done = said('done');
  await ready;
  const start = performance.now();
  for (let i = 0; i < COUNT; i += CHUNK) {
    const n = Math.min(CHUNK, COUNT - i);
    await bus.publishBatch(
      Array.from({ length: n }, (_, k) => ({ subject: 'bench.obs' as const, payload: payload(i + k) })),
    );
  }
  await done;
  const rate = COUNT / ((performance.now() - start) / 1000);
  child.kill();
  return rate;
}

if (consumerRole) {
  await consumer(process.argv[3]!);
} else {
  await main();
}

async function main(): Promise<void> {
  const results: [string, number][] = [];
  const core = await coreNats();
  results.push(['core NATS publish → subscribe (baseline)', core]);

  const memory = await createBus({ subjects, logger });
  results.push(['in-process, subscribe (maxInFlight 512)', await run(memory, 'single')]);
  results.push(['in-process, subscribeBatch (1,000)', await run(memory, 'batch')]);
  await memory.close();

  const prefix = uniquePrefix();
  const js = await createBus({ subjects, logger, natsUrl: URL, streamPrefix: prefix });
  try {
    results.push(['JetStream, subscribe (maxInFlight 512)', await run(js, 'single')]);
    results.push(['JetStream, subscribeBatch (1,000)', await run(js, 'batch')]);
    results.push(['JetStream, subscribeBatch, consumer process', await ownProcess(js, prefix)]);
  } finally {
    await js.close();
    await deleteStreams(URL, prefix);
  }

  console.log(
    `bus throughput, ${COUNT.toLocaleString('en')} messages publish → consume (node ${process.version})`,
  );
  for (const [name, rate] of results) {
    console.log(
      `  ${name.padEnd(44)} ${Math.round(rate).toLocaleString('en').padStart(10)} msg/s   ${(rate / core).toFixed(2)} × baseline`,
    );
  }
}
