import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import pino from 'pino';
import type { Logger } from '../logger.ts';

/** External broker the tests use (`CITYBRAIN_TEST_MQTT_URL`; default: this machine's Mosquitto). */
export const testMosquittoUrl = process.env.CITYBRAIN_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

/** Mosquitto binary for throwaway brokers (`CITYBRAIN_TEST_MOSQUITTO`). */
const mosquittoBin = process.env.CITYBRAIN_TEST_MOSQUITTO ?? '/usr/sbin/mosquitto';

/** A topic prefix no other test run shares, so parallel runs on one broker never see each other's messages. */
export function uniquePrefix(): string {
  return `citybrain-test/${randomBytes(6).toString('hex')}`;
}

/** A unique client id (MQTT 3.1 limits ids to 23 characters, so keep it short). */
export function uniqueClientId(label: string): string {
  return `${label.slice(0, 10)}-${randomBytes(5).toString('hex')}`;
}

/** A logger that keeps its lines in memory, for asserting what was logged. */
export function memoryLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

/** A port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Polls until `check` is true, failing after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits a fixed time (for asserting that something does NOT happen). */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A Mosquitto process of our own (not the machine's), which a test may stop and restart. */
export interface ThrowawayMosquitto {
  port: number;
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good and removes its config. */
  dispose(): Promise<void>;
}

/** Starts a private Mosquitto on `port` (default: a free one) with no persistence, plus any `extraConfig` lines. */
export async function startThrowawayMosquitto(port?: number, extraConfig = ''): Promise<ThrowawayMosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'cb-mosquitto-'));
  const actualPort = port ?? (await freePort());
  const config = join(dir, 'mosquitto.conf');
  writeFileSync(
    config,
    `listener ${actualPort} 127.0.0.1\nallow_anonymous true\npersistence false\n${extraConfig}\n`,
  );
  let child: ChildProcess | undefined;
  const broker: ThrowawayMosquitto = {
    port: actualPort,
    url: `mqtt://127.0.0.1:${actualPort}`,
    async start() {
      child = spawn(mosquittoBin, ['-c', config], { stdio: 'ignore' });
      await waitForPort(actualPort, true);
    },
    async stop() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null) return;
      await new Promise((r) => {
        running.once('exit', r);
        running.kill('SIGTERM');
      });
      await waitForPort(actualPort, false);
    },
    async dispose() {
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await broker.start();
  return broker;
}

async function waitForPort(port: number, open: boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if ((await canConnect(port)) === open) return;
    await sleep(25);
  }
  throw new Error(`port ${port} did not become ${open ? 'open' : 'closed'}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Removes a persistent session from a broker (connect clean, disconnect), so test runs leave none behind. */
export async function forgetSession(url: string, clientId: string): Promise<void> {
  const client = await mqtt.connectAsync(url, { clientId, clean: true, reconnectPeriod: 0 });
  await client.endAsync();
}

/** Publishes `count` QoS-1 JSON payloads `{"seq":i}` to `topic` and disconnects. */
export async function publishMany(url: string, topic: string, count: number, from = 0): Promise<void> {
  const client = await mqtt.connectAsync(url, { clientId: uniqueClientId('pub'), reconnectPeriod: 0 });
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      client.publishAsync(topic, JSON.stringify({ seq: from + i }), { qos: 1 }),
    ),
  );
  await client.endAsync();
}
