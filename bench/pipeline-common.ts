// Shared by bench/pipeline-throughput.ts and bench/pipeline-latency.ts: the real app on a given
// engine and broker, and a device publisher that writes pre-encoded MQTT packets from a child
// process (mqtt.js building one packet at a time would measure itself, not the pipeline).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type App, createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { prepareCity } from '../src/demo/prepare.ts';
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
