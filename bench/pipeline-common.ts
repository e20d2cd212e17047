// Shared by bench/pipeline-throughput.ts and bench/pipeline-latency.ts: the real app on a given
// engine and broker, and a device publisher that writes pre-encoded MQTT packets from a child
// process (mqtt.js building one packet at a time would measure itself, not the pipeline).
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import { sql } from 'kysely';
import { type App, createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { prepareCity } from '../src/demo/prepare.ts';
import { IngestBatcher } from '../src/modules/sensing/index.ts';
import type { DatabaseKind } from '../src/platform/db/database.ts';
import { openTestDatabase } from '../src/platform/db/testing.ts';
import { createLogger } from '../src/platform/logger.ts';
import { uniqueClientId } from '../src/platform/mqtt/testing.ts';
import { packet, utf8 } from './mqtt-packets.ts';

/** One MQTT message: its topic and JSON body. */
export type Message = { topic: string; body: string };

/** Boots the real app (demo city, 17,000 devices) on a fresh database against an external broker. */
export async function bootApp(
  kind: DatabaseKind,
  mqttUrl: string,
  natsUrl?: string,
): Promise<{ app: App; dispose(): Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-bench-'));
  const config = loadConfig(
    {},
    {
      dataDir,
      port: 0,
      mqttUrl,
      natsUrl,
      adminPassword: 'bench-password',
      tokenSecret: 'b'.repeat(40),
      logLevel: 'warn',
    },
  );
  const app = await createApp({
    config,
    logger: createLogger('warn'),
    database: await openTestDatabase(kind),
  });
  await prepareCity(app, { demo: true });
  await app.listen();
  return {
    app,
    async dispose() {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** QoS 1 PUBLISH packets (MQTT 3.1.1) for the messages. */
export function encode(messages: Message[]): Buffer[] {
  return messages.map((m, i) => {
    const id = (i % 65_535) + 1; // inbound QoS 1 ids are not tracked by the broker, so reuse is harmless
    return packet(
      0x32,
      Buffer.concat([utf8(m.topic), Buffer.from([id >> 8, id & 255]), Buffer.from(m.body)]),
    );
  });
}

/** Connects a raw publisher socket (anonymous: the benches run an external broker). */
export async function rawPublisher(url: string) {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.write(
    packet(0x10, Buffer.concat([utf8('MQTT'), Buffer.from([4, 2, 0, 60]), utf8(uniqueClientId('bpub'))])),
  );
  const connack = (await once(socket, 'data'))[0] as Buffer;
  if (connack[0] !== 0x20 || connack[3] !== 0) throw new Error('publisher not accepted');
  socket.on('data', () => {}); // PUBACKs: read and dropped
  return socket;
}

/**
 * Publishes from a child process (its own event loop, as devices are): `messages` written in
 * chunks of `perTick` every `tickMs` (0 = as fast as the socket takes them). Resolves once the
 * child is ready; `go()` starts it; `stop()` kills it.
 */
export async function spawnPublisher(url: string, messages: Message[], perTick = 500, tickMs = 0) {
  const file = path.join(os.tmpdir(), `cb-bench-msgs-${process.pid}-${Date.now()}.json`);
  fs.writeFileSync(file, JSON.stringify(messages));
  const child = spawn(
    process.execPath,
    [import.meta.filename, '--publisher-child', url, file, String(perTick), String(tickMs)],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  await once(child.stdout, 'data');
  fs.rmSync(file, { force: true });
  return {
    go: () => child.stdin.write('go\n'),
    stop: () => child.kill(),
  };
}

if (process.argv.includes('--publisher-child')) {
  const [url, file, perTick, tickMs] = process.argv.slice(process.argv.indexOf('--publisher-child') + 1);
  const packets = encode(JSON.parse(fs.readFileSync(file!, 'utf8')) as Message[]);
  const step = Number(perTick);
  const chunks: Buffer[] = [];
  for (let i = 0; i < packets.length; i += step) chunks.push(Buffer.concat(packets.slice(i, i + step)));
  const socket = await rawPublisher(url!);
  process.stdout.write('ready\n');
  await once(process.stdin, 'data');
  const start = performance.now();
  for (let c = 0; c < chunks.length; c++) {
    if (!socket.write(chunks[c]!)) await once(socket, 'drain');
    if (Number(tickMs) > 0) {
      // Paced: chunk c goes out at start + c × tick, so the rate holds even after a stall.
      const wait = start + (c + 1) * Number(tickMs) - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }
  await new Promise(() => {}); // until killed
}

/** Percentile of sorted numbers. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** 12,345 */
export const fmt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : String(n));

/**
 * `--batcher maxConcurrent=1,maxDelayMs=20,maxBatch=5000` overrides the options the app's wiring
 * gives its ingest batcher, to compare variants with the same bench (bench only: it patches the
 * batcher instance on its first message). `maxDelayMs=20,maxConcurrent=1000` is the old fixed
 * 20 ms window. Returns a label for the report ('app default' without the flag).
 */
export function applyBatcherVariant(spec: string | undefined): string {
  if (!spec) return 'app default (group commit)';
  const overrides = Object.fromEntries(
    spec.split(',').map((kv) => {
      const [k, v] = kv.split('=');
      return [k!, Number(v)];
    }),
  );
  const patched = new WeakSet<object>();
  const submit = IngestBatcher.prototype.submit;
  IngestBatcher.prototype.submit = function (this: IngestBatcher, deviceId, bytes) {
    if (!patched.has(this)) {
      Object.assign(this, overrides);
      patched.add(this);
    }
    return submit.call(this, deviceId, bytes);
  };
  return spec;
}

/** GC pauses seen by the process from now on (PerformanceObserver 'gc' entries), by kind. */
export function watchGc() {
  const pauses = { minor: [] as number[], major: [] as number[], other: [] as number[] };
  let peakRss = 0;
  const sample = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 200);
  sample.unref();
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      // NODE_PERFORMANCE_GC_MINOR = 1 (scavenge), MAJOR = 4 (mark-compact), INCREMENTAL = 8, WEAKCB = 16
      (kind === 1 ? pauses.minor : kind === 4 ? pauses.major : pauses.other).push(e.duration);
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  return {
    report(): string {
      obs.disconnect();
      clearInterval(sample);
      const line = (name: string, d: number[]) => {
        const s = [...d].sort((a, b) => a - b);
        const total = s.reduce((a, b) => a + b, 0);
        return `${name} n=${s.length} total ${total.toFixed(0)} ms p50 ${percentile(s, 50).toFixed(1)} p99 ${percentile(s, 99).toFixed(1)} max ${(s.at(-1) ?? 0).toFixed(1)} ms`;
      };
      return `gc: ${line('scavenge', pauses.minor)}; ${line('mark-compact', pauses.major)}; peak rss ${Math.round(peakRss / 2 ** 20)} MB`;
    },
  };
}

/** CPU seconds (user + system) of a process from /proc (Linux), 0 if it is gone. */
export function procCpu(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return 0;
  }
}

/** The pid listening on a local TCP port (`ss`), if any. */
export function pidOfPort(port: number): number | undefined {
  try {
    const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
    const m = /pid=(\d+)/.exec(out);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where the CPU goes during a run: this process (app + bench), the broker, and the PostgreSQL
 * backends serving this app's database (pg_stat_activity of its database; other databases on
 * the shared server are not counted). Call `stop()` for CPU seconds per party.
 */
export async function cpuMeter(app: App, brokerPid: number | undefined) {
  // PostgreSQL names each backend's database in its process title: follow them through /proc
  // every 200 ms, so connections the pool opens (and closes) during the run are counted too.
  const db =
    app.database.kind === 'postgres'
      ? (await sql<{ db: string }>`select current_database() as db`.execute(app.database.db)).rows[0]!.db
      : undefined;
  const seen = new Map<number, { first: number; last: number }>();
  const others = new Set<number>(); // pids already looked at that are not ours
  const scan = (initial: boolean) => {
    if (!db) return;
    for (const entry of fs.readdirSync('/proc')) {
      const pid = Number(entry);
      if (!Number.isInteger(pid) || others.has(pid)) continue;
      if (!seen.has(pid)) {
        let title = '';
        try {
          title = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        } catch {}
        if (!title.startsWith('postgres: ') || !title.includes(` ${db} `)) {
          others.add(pid);
          continue;
        }
      }
      const cpu = procCpu(pid);
      const s = seen.get(pid);
      if (s) s.last = cpu;
      else seen.set(pid, { first: initial ? cpu : 0, last: cpu });
    }
  };
  scan(true);
  const timer = setInterval(() => scan(false), 200);
  const start = { node: process.cpuUsage(), broker: procCpu(brokerPid) };
  return {
    async stop() {
      const node = process.cpuUsage(start.node);
      const broker = procCpu(brokerPid) - start.broker;
      clearInterval(timer);
      scan(false);
      let postgres = 0;
      for (const s of seen.values()) postgres += s.last - s.first;
      return { node: (node.user + node.system) / 1e6, postgres, broker };
    },
  };
}

/** `--cpu-prof-to FILE`: a V8 CPU profile of this process over just the measured part (inspector). */
export async function profileWhile<T>(file: string | undefined, run: () => Promise<T>): Promise<T> {
  if (!file) return run();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  try {
    return await run();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    fs.writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  }
}
