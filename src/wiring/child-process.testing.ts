import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import mqtt from 'mqtt';
import pg from 'pg';
import { createApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { prepareCity } from '../demo/prepare.ts';
import { openPostgres } from '../platform/db/database.ts';
import { createLogger } from '../platform/logger.ts';
import { observationTopic } from '../platform/mqtt/index.ts';
import { sleep, uniqueClientId, waitFor } from '../platform/mqtt/testing.ts';

/**
 * Helpers for the end-to-end tests that run `citybrain serve` as child processes on PostgreSQL
 * (a database of their own, seeded in-process first), a private Mosquitto and NATS JetStream.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Runs `run` on a fresh connection to `url`, closed afterwards. */
export async function withPg<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** The URL of database `dbName` on the server of `serverUrl`. */
export function databaseUrl(serverUrl: string, dbName: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${dbName}`;
  return u.toString();
}

/**
 * Creates `dbName` on the server of `serverUrl` and seeds it in-process (migrations, the demo city
 * and its devices; device secrets land in `dataDir`), ready to hand to child processes.
 */
export async function createDemoDatabase(options: {
  serverUrl: string;
  dbName: string;
  dataDir: string;
  adminPassword: string;
  tokenSecret: string;
}): Promise<void> {
  const { serverUrl, dbName, dataDir, adminPassword, tokenSecret } = options;
  await withPg(serverUrl, (c) => c.query(`create database ${dbName}`));
  const config = loadConfig({}, { dataDir, port: 0, adminPassword, tokenSecret });
  const app = await createApp({
    config,
    logger: createLogger('silent'),
    database: await openPostgres(databaseUrl(serverUrl, dbName)),
  });
  try {
    await prepareCity(app, { demo: true });
  } finally {
    await app.close();
  }
}

/** Drops `dbName` (forcing its connections closed); never throws. */
export async function dropDatabase(serverUrl: string, dbName: string): Promise<void> {
  await withPg(serverUrl, (c) => c.query(`drop database if exists ${dbName} with (force)`)).catch(
    () => undefined,
  );
}

/** Deletes the JetStream streams of `prefix` (the stream and its dead-letter stream); never throws. */
export async function deleteStreams(natsUrl: string, prefix: string): Promise<void> {
  const nc = await connect({ servers: natsUrl }).catch(() => undefined);
  if (!nc) return;
  try {
    const jsm = await jetstreamManager(nc);
    const stream = prefix.toUpperCase();
    for (const s of [stream, `${stream}_DLQ`]) await jsm.streams.delete(s).catch(() => {});
  } finally {
    await nc.close();
  }
}

/** A started `citybrain serve` child and the base URL its banner names (only /health and /metrics answer). */
export interface ServeChild {
  proc: ChildProcess;
  url: string | undefined;
}

/**
 * Spawns `node src/main.ts serve <args>` with `env` over this process's environment (log level warn,
 * a free port, no NODE_OPTIONS) and waits for its start-up banner. Every chunk of its stdout and
 * stderr goes to `onOutput`; exiting before the banner fails with what it wrote.
 */
export async function spawnServe(options: {
  name: string;
  args: string[];
  env: Record<string, string>;
  timeoutMs: number;
  onOutput?: (chunk: string) => void;
}): Promise<ServeChild> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CITYBRAIN_LOG_LEVEL: 'warn',
    PORT: '0',
    ...options.env,
  };
  delete env.NODE_OPTIONS;
  const proc = spawn(process.execPath, ['src/main.ts', 'serve', ...options.args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let all = '';
  proc.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    all += d.toString();
    options.onOutput?.(d.toString());
  });
  proc.stderr!.on('data', (d: Buffer) => {
    all += d.toString();
    options.onOutput?.(d.toString());
  });
  await waitFor(
    () => {
      if (proc.exitCode !== null) throw new Error(`${options.name} exited early (${proc.exitCode}):\n${all}`);
      return out.includes('is running');
    },
    options.timeoutMs,
    `${options.name} to start`,
  );
  return { proc, url: /web {8}(http:\/\/\S+?)\/\n/.exec(out)?.[1] };
}

/** Sends `signal` to a running child and waits for its exit (SIGKILL after `graceMs`). */
export async function stopChild(
  proc: ChildProcess | undefined,
  signal: NodeJS.Signals,
  graceMs: number,
): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    proc.kill(signal);
  });
}

/**
 * Publishes `bodies` as observations of `deviceId` to the broker at `brokerUrl`, anonymously
 * (Mosquitto does no device auth), QoS 1, `perTick` messages every `tickMs`.
 */
export async function publishObservations(
  brokerUrl: string,
  clientPrefix: string,
  deviceId: string,
  bodies: string[],
  perTick: number,
  tickMs: number,
): Promise<void> {
  const client = await mqtt.connectAsync(brokerUrl, {
    clientId: uniqueClientId(clientPrefix),
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });
  try {
    for (let i = 0; i < bodies.length; i += perTick) {
      await Promise.all(
        bodies
          .slice(i, i + perTick)
          .map((b) => client.publishAsync(observationTopic(deviceId), b, { qos: 1 })),
      );
      if (tickMs > 0) await sleep(tickMs);
    }
  } finally {
    await client.endAsync();
  }
}

/**
 * Publishes `bodies` as device `deviceId` (client id = device id, password = its secret), QoS 1,
 * `perTick` messages every `tickMs`, until all are sent or the connection drops (the server was
 * killed). Returns the indexes of the bodies whose PUBACK arrived: what the device may forget.
 */
export async function publishCountingAcks(
  brokerUrl: string,
  deviceId: string,
  secret: string,
  bodies: string[],
  perTick: number,
  tickMs: number,
  /** Filled as PUBACKs arrive, so a caller can watch progress. */
  acked = new Set<number>(),
): Promise<{ acked: Set<number>; sent: number }> {
  const client = await mqtt.connectAsync(brokerUrl, {
    clientId: deviceId,
    username: deviceId,
    password: secret,
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });
  let sent = 0;
  let closed = false;
  client.on('close', () => {
    closed = true;
  });
  client.on('error', () => {});
  try {
    for (let i = 0; i < bodies.length && !closed; i += perTick) {
      const tick: Promise<void>[] = [];
      for (let j = i; j < Math.min(i + perTick, bodies.length); j++) {
        sent++;
        tick.push(
          client.publishAsync(observationTopic(deviceId), bodies[j]!, { qos: 1 }).then(
            () => {
              acked.add(j);
            },
            () => {},
          ),
        );
      }
      // Not awaiting the acks here keeps the load steady while commits run (a device's window).
      if (tickMs > 0) await sleep(tickMs);
      if (tick.length > 0 && i % (perTick * 20) === 0) await Promise.race([Promise.all(tick), sleep(2000)]);
    }
    // The acks still due arrive, or the connection is gone.
    await waitFor(() => closed || acked.size === sent, 20_000, 'the last PUBACKs').catch(() => {});
  } finally {
    await client.endAsync(true);
  }
  return { acked, sent };
}
