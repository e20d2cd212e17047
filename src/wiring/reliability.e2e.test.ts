import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { demoSecretsFile, prepareCity } from '../demo/prepare.ts';
import { openDatabase } from '../platform/db/database.ts';
import { createLogger } from '../platform/logger.ts';
import {
  freePort,
  sleep,
  startThrowawayMosquitto,
  type ThrowawayMosquitto,
} from '../platform/mqtt/testing.ts';
import {
  createDemoDatabase,
  databaseUrl,
  deleteStreams,
  dropDatabase,
  publishCountingAcks,
  publishObservations,
  spawnServe,
  stopChild,
} from './child-process.testing.ts';

/**
 * Process-level reliability of server-mode ingest: `citybrain serve --role ingest` runs as a child
 * process against PostgreSQL and a private Mosquitto (queue limit raised, as docs/sensing-pipeline.md
 * asks for ingest). The child is SIGKILLed mid-stream and restarted with the same --ingest-id; the
 * broker is stopped and restarted under the running child.
 */
const serverUrl = process.env.CITYBRAIN_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const METRIC = 'averageVehicleSpeed';
const INGEST_ID = 'rel-1';
const natsUrl = process.env.CITYBRAIN_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const streamPrefix = `cbrel${randomBytes(5).toString('hex')}`;

describe('server-mode ingest reliability (child process, PostgreSQL, Mosquitto)', () => {
  const dbName = `cb_test_rel_${randomBytes(6).toString('hex')}`;
  const dbUrl = databaseUrl(serverUrl, dbName);
  let dataDir: string;
  let mosquitto: ThrowawayMosquitto;
  let devices: string[];
  let child: ChildProcess | undefined;
  let childLog = '';
  let counter: pg.Client;

  /** Starts `citybrain serve --role ingest --ingest-id rel-1` and waits for its start-up banner. */
  async function startIngest(): Promise<ChildProcess> {
    const { proc } = await spawnServe({
      name: 'ingest',
      // The ingest role hands new readings to rules processes over JetStream: a private stream.
      args: ['--role', 'ingest', '--ingest-id', INGEST_ID, '--stream-prefix', streamPrefix],
      env: {
        CITYBRAIN_DATABASE_URL: dbUrl,
        CITYBRAIN_MQTT_URL: mosquitto.url,
        CITYBRAIN_NATS_URL: natsUrl,
        CITYBRAIN_DATA_DIR: dataDir,
        CITYBRAIN_TOKEN_SECRET: 'r'.repeat(40),
        CITYBRAIN_ADMIN_PASSWORD: 'admin-password-rel',
      },
      timeoutMs: 30_000,
      onOutput: (chunk) => {
        childLog += chunk;
      },
    });
    return proc;
  }

  async function stopIngest(signal: NodeJS.Signals): Promise<void> {
    const proc = child;
    child = undefined;
    await stopChild(proc, signal, 10_000);
  }

  async function stored(deviceId: string): Promise<{ rows: number; distinct: number }> {
    const r = await counter.query(
      `select count(*)::int as rows, count(distinct observed_at)::int as distinct
         from sensing_observations where device_id = $1 and metric = $2`,
      [deviceId, METRIC],
    );
    return { rows: r.rows[0].rows, distinct: r.rows[0].distinct };
  }

  async function deadLetters(): Promise<number> {
    const r = await counter.query('select count(*)::int as n from sensing_dead_letters');
    return r.rows[0].n;
  }

  /** QoS 1 messages for `deviceId`, one distinct recent observation time each. */
  function observations(count: number, from: number, base: number): string[] {
    return Array.from({ length: count }, (_, i) =>
      JSON.stringify({
        observedAt: new Date(base + (from + i) * 7).toISOString(),
        [METRIC]: 30 + ((from + i) % 20),
      }),
    );
  }

  /** Publishes anonymously (Mosquitto does no device auth), QoS 1, `perTick` messages every `tickMs`. */
  const publish = (deviceId: string, bodies: string[], perTick: number, tickMs: number) =>
    publishObservations(mosquitto.url, 'rel-pub', deviceId, bodies, perTick, tickMs);

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-reliability-'));
    // Seed once in-process (migrations, demo city and its devices), then hand the database to the child.
    await createDemoDatabase({
      serverUrl,
      dbName,
      dataDir,
      adminPassword: 'admin-password-rel',
      tokenSecret: 'r'.repeat(40),
    });
    const secrets = JSON.parse(fs.readFileSync(demoSecretsFile(dataDir), 'utf8')) as { deviceId: string }[];
    devices = secrets.map((s) => s.deviceId).filter((id) => /^tf-\d+$/.test(id));
    expect(devices.length).toBeGreaterThan(2);
    counter = new pg.Client({ connectionString: dbUrl });
    await counter.connect();
    mosquitto = await startThrowawayMosquitto(undefined, 'max_queued_messages 1000000');
    child = await startIngest();
  }, 150_000);

  afterAll(async () => {
    await stopIngest('SIGTERM');
    await mosquitto?.dispose();
    await counter?.end();
    await deleteStreams(natsUrl, streamPrefix);
    await dropDatabase(serverUrl, dbName);
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('stores every QoS 1 observation exactly once when the ingest process is SIGKILLed mid-stream and restarted', async () => {
    const N = 3000;
    const device = devices[0]!;
    const bodies = observations(N, 0, Date.now() - 30 * 60_000);
    const dlqBefore = await deadLetters();
    // ~3 s of traffic; the ingest is killed once it has stored some, while the publisher goes on.
    const publishing = publish(device, bodies, 50, 50);
    const deadline = Date.now() + 20_000;
    let atKill = (await stored(device)).rows;
    while (atKill < 200) {
      if (Date.now() > deadline)
        throw new Error(`ingest stored only ${atKill} before the kill:\n${childLog}`);
      await sleep(20);
      atKill = (await stored(device)).rows;
    }
    await stopIngest('SIGKILL');
    await publishing;
    // Mid-stream: the kill came before everything was stored, and the broker kept the rest for rel-1.
    expect(atKill).toBeLessThan(N);
    const whileDown = (await stored(device)).rows;
    expect(whileDown).toBeLessThan(N);

    child = await startIngest();
    const until = Date.now() + 30_000;
    let now = await stored(device);
    while (now.rows < N && Date.now() < until) {
      await sleep(100);
      now = await stored(device);
    }
    // Redeliveries settle, then: exactly N rows, N distinct observation times, nothing dead-lettered.
    await sleep(1000);
    now = await stored(device);
    console.info(
      `kill test: stored ${atKill} before SIGKILL, ${whileDown} while down, ${now.rows} after restart`,
    );
    expect(now).toEqual({ rows: N, distinct: N });
    expect(await deadLetters()).toBe(dlqBefore);
    // Every one of the N was acknowledged to the publisher (publishObservations resolved).
    console.info(`external broker SIGKILL: ${N - now.distinct} acknowledged readings lost of ${N}`);
  }, 60_000);

  it('reconnects by itself when the broker is restarted, and stores what is published afterwards', async () => {
    const device = devices[1]!;
    const base = Date.now() - 20 * 60_000;
    // Running before the restart.
    await publish(device, observations(200, 0, base), 200, 0);
    let now = await stored(device);
    for (const until = Date.now() + 15_000; now.rows < 200 && Date.now() < until; ) {
      await sleep(50);
      now = await stored(device);
    }
    expect(now.rows).toBe(200);

    await mosquitto.stop();
    await sleep(1500); // the ingest notices and retries against a closed port
    await mosquitto.start();
    // The child is the same process: it was not restarted, it reconnected and re-subscribed.
    expect(child?.exitCode).toBeNull();
    // The broker kept no session (no persistence), so the ingest must re-subscribe before traffic counts;
    // publish in rounds until the first one lands, then the rest.
    let sent = 200;
    let landed = 0;
    for (let round = 0; round < 20 && landed === 0; round++) {
      await publish(device, observations(50, sent, base), 50, 0);
      sent += 50;
      await sleep(250);
      const rows = (await stored(device)).rows;
      if (rows > 200) landed = rows;
    }
    expect(landed, 'nothing published after the broker restart was stored').toBeGreaterThan(200);
    await publish(device, observations(1000, sent, base), 100, 10);
    sent += 1000;
    now = await stored(device);
    for (const until = Date.now() + 20_000; now.rows < landed + 1000 && Date.now() < until; ) {
      await sleep(100);
      now = await stored(device);
    }
    await sleep(500);
    now = await stored(device);
    console.info(`broker restart test: published ${sent}, stored ${now.rows}`);
    // Everything published after the ingest resubscribed is stored; only rounds sent before it
    // was back on the broker may be missing (nobody subscribed to receive them).
    expect(now.rows).toBeGreaterThanOrEqual(landed + 1000);
    expect(now.rows).toBeLessThanOrEqual(sent);
    expect(now.distinct).toBe(now.rows);
    expect(child?.exitCode).toBeNull();
  }, 60_000);

  it('exits within 10 s of SIGTERM while the broker is gone and the ingress is reconnecting', async () => {
    await mosquitto.stop();
    await sleep(2000); // the ingress has lost its broker and retries every second
    const proc = child!;
    child = undefined;
    const started = Date.now();
    await stopChild(proc, 'SIGTERM', 15_000);
    const took = Date.now() - started;
    console.info(`SIGTERM with the broker gone: exited in ${took} ms (code ${proc.exitCode})`);
    expect(proc.signalCode).toBeNull(); // by itself, not by stopChild's SIGKILL
    expect(took).toBeLessThan(10_000);
    await mosquitto.start();
  }, 30_000);
});

/** The poison payload: 5,000 levels of nested objects. */
const DEEP = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;

/**
 * The default one-machine mode's MQTT side: `citybrain serve` with the embedded Aedes broker (on
 * PostgreSQL here, so the test can count while the child runs). Aedes acknowledges a QoS 1 publish
 * before delivering it to any subscriber, so the ingest takes publishes in before their PUBACK.
 */
describe('embedded-broker ingest (child process, PostgreSQL, Aedes)', () => {
  const dbName = `cb_test_emb_${randomBytes(6).toString('hex')}`;
  const dbUrl = databaseUrl(serverUrl, dbName);
  let dataDir: string;
  let secrets: Map<string, string>;
  let devices: string[];
  let child: ChildProcess | undefined;
  let childLog = '';
  let counter: pg.Client;
  let mqttUrl: string;

  async function startServe(): Promise<void> {
    const port = await freePort();
    mqttUrl = `mqtt://127.0.0.1:${port}`;
    ({ proc: child } = await spawnServe({
      name: 'serve',
      args: [],
      env: {
        CITYBRAIN_DATABASE_URL: dbUrl,
        CITYBRAIN_DATA_DIR: dataDir,
        MQTT_PORT: String(port),
        CITYBRAIN_TOKEN_SECRET: 'e'.repeat(40),
        CITYBRAIN_ADMIN_PASSWORD: 'admin-password-emb',
      },
      timeoutMs: 60_000,
      onOutput: (chunk) => {
        childLog += chunk;
      },
    }));
  }

  const storedTimes = async (deviceId: string): Promise<Set<number>> => {
    const r = await counter.query(
      `select (extract(epoch from observed_at) * 1000)::bigint as t
         from sensing_observations where device_id = $1 and metric = $2`,
      [deviceId, METRIC],
    );
    return new Set(r.rows.map((row: { t: string }) => Number(row.t)));
  };
  const body = (t: number, i: number) =>
    JSON.stringify({ observedAt: new Date(t).toISOString(), [METRIC]: 30 + (i % 20) });

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-embedded-'));
    await createDemoDatabase({
      serverUrl,
      dbName,
      dataDir,
      adminPassword: 'admin-password-emb',
      tokenSecret: 'e'.repeat(40),
    });
    const list = JSON.parse(fs.readFileSync(demoSecretsFile(dataDir), 'utf8')) as {
      deviceId: string;
      secret: string;
    }[];
    secrets = new Map(list.map((s) => [s.deviceId, s.secret]));
    devices = list.map((s) => s.deviceId).filter((id) => /^tf-\d+$/.test(id));
    counter = new pg.Client({ connectionString: dbUrl });
    await counter.connect();
    await startServe();
  }, 150_000);

  afterAll(async () => {
    const proc = child;
    child = undefined;
    await stopChild(proc, 'SIGKILL', 1000);
    await counter?.end();
    await dropDatabase(serverUrl, dbName);
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('loses no acknowledged reading when SIGKILLed under a steady QoS 1 load', async () => {
    const device = devices[0]!;
    const N = 6000;
    const base = Date.now() - 40 * 60_000;
    const bodies = Array.from({ length: N }, (_, i) => body(base + i * 7, i));
    const publishing = publishCountingAcks(mqttUrl, device, secrets.get(device)!, bodies, 40, 20);
    const deadline = Date.now() + 30_000;
    while ((await storedTimes(device)).size < 500) {
      if (Date.now() > deadline) throw new Error(`too little stored before the kill:\n${childLog}`);
      await sleep(20);
    }
    const proc = child;
    child = undefined;
    await stopChild(proc, 'SIGKILL', 1000);
    const { acked, sent } = await publishing;
    expect(acked.size).toBeLessThan(N); // the kill landed mid-stream

    await startServe(); // the restarted process must not lose or need anything either
    const stored = await storedTimes(device);
    const lost = [...acked].filter((i) => !stored.has(base + i * 7));
    console.info(
      `embedded broker SIGKILL: ${lost.length} acknowledged readings lost of ${acked.size} (sent ${sent}, stored ${stored.size})`,
    );
    expect(lost).toEqual([]);
  }, 90_000);

  it('dead-letters a 5,000-deep payload once and acknowledges it, while a flood from other devices is stored', async () => {
    const poisoner = devices[1]!;
    const flooders = devices.slice(2, 6);
    const base = Date.now() - 35 * 60_000;
    const dlq = async () =>
      (
        await counter.query(
          `select reason, length(payload) as len, payload from sensing_dead_letters where device_id = $1`,
          [poisoner],
        )
      ).rows as { reason: string; len: number; payload: string }[];
    const poison = publishCountingAcks(mqttUrl, poisoner, secrets.get(poisoner)!, [DEEP], 1, 0);
    const floods = flooders.map((d) =>
      publishCountingAcks(
        mqttUrl,
        d,
        secrets.get(d)!,
        Array.from({ length: 500 }, (_, i) => body(base + i * 11, i)),
        50,
        10,
      ),
    );
    const [poisoned, ...flooded] = await Promise.all([poison, ...floods]);
    expect(poisoned.acked.size).toBe(1); // acknowledged, so the device does not send it again
    for (const [k, d] of flooders.entries()) {
      expect(flooded[k]!.acked.size).toBe(500);
      expect((await storedTimes(d)).size).toBe(500);
    }
    const letters = await dlq();
    expect(letters.map((l) => l.reason)).toEqual(['too_deep']);
    expect(letters[0]!.len).toBeLessThanOrEqual(4096);
    expect(letters[0]!.payload.startsWith('{"a":{"a":')).toBe(true);
    const web = [...childLog.matchAll(/web {8}(http:\/\/\S+?)\/\n/g)].at(-1)?.[1];
    const metrics = await fetch(`${web}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/citybrain_sensing_dead_letters_total\{reason="too_deep"\} 1/);
  }, 60_000);

  it('exits within 10 s of SIGTERM while a commit hangs on a locked table', async () => {
    const device = devices[6]!;
    const locker = new pg.Client({ connectionString: dbUrl });
    await locker.connect();
    try {
      await locker.query('begin');
      await locker.query('lock table sensing_observations in access exclusive mode');
      const publishing = publishCountingAcks(
        mqttUrl,
        device,
        secrets.get(device)!,
        [body(Date.now() - 60_000, 0)],
        1,
        0,
      );
      await sleep(1000);
      const proc = child!;
      child = undefined;
      const started = Date.now();
      await stopChild(proc, 'SIGTERM', 15_000);
      const took = Date.now() - started;
      console.info(
        childLog
          .split('\n')
          .filter((l) => /shutdown|did not finish|failed/.test(l))
          .join('\n'),
      );
      console.info(
        `SIGTERM with a hung commit: exited in ${took} ms (code ${proc.exitCode}, signal ${proc.signalCode})`,
      );
      expect(proc.signalCode).toBeNull(); // it exited by itself, not by the SIGKILL of stopChild
      expect(took).toBeLessThan(10_000);
      const { acked } = await publishing;
      expect(acked.size).toBe(0); // never stored, never acknowledged
    } finally {
      await locker.query('rollback').catch(() => {});
      await locker.end();
    }
  }, 60_000);
});

/**
 * The exact mode: `citybrain serve` with embedded PGlite and the embedded broker. Counted
 * after the fact (PGlite allows one process), from the data directory the child left behind.
 */
describe('embedded-broker ingest on PGlite (child process)', () => {
  let dataDir: string;
  let child: ChildProcess | undefined;
  let mqttUrl: string;
  let secrets: { deviceId: string; secret: string }[];

  async function startServe(): Promise<void> {
    const port = await freePort();
    mqttUrl = `mqtt://127.0.0.1:${port}`;
    ({ proc: child } = await spawnServe({
      name: 'serve',
      args: [],
      env: {
        CITYBRAIN_DATA_DIR: dataDir,
        MQTT_PORT: String(port),
        CITYBRAIN_TOKEN_SECRET: 'p'.repeat(40),
        CITYBRAIN_ADMIN_PASSWORD: 'admin-password-pgl',
      },
      timeoutMs: 90_000,
    }));
  }

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-embedded-pglite-'));
    const config = loadConfig(
      {},
      { dataDir, port: 0, adminPassword: 'admin-password-pgl', tokenSecret: 'p'.repeat(40) },
    );
    const app = await createApp({ config, logger: createLogger('silent') });
    try {
      await prepareCity(app, { demo: true });
    } finally {
      await app.close();
    }
    secrets = (
      JSON.parse(fs.readFileSync(demoSecretsFile(dataDir), 'utf8')) as { deviceId: string; secret: string }[]
    ).filter((s) => /^tf-\d+$/.test(s.deviceId));
  }, 180_000);

  afterAll(async () => {
    await stopChild(child, 'SIGKILL', 1000);
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('loses no acknowledged reading when SIGKILLed under a steady QoS 1 load', async () => {
    await startServe();
    const { deviceId, secret } = secrets[0]!;
    const N = 6000;
    const base = Date.now() - 40 * 60_000;
    const bodies = Array.from({ length: N }, (_, i) =>
      JSON.stringify({ observedAt: new Date(base + i * 7).toISOString(), [METRIC]: 30 + (i % 20) }),
    );
    const acked = new Set<number>();
    const publishing = publishCountingAcks(mqttUrl, deviceId, secret, bodies, 40, 20, acked);
    const deadline = Date.now() + 30_000;
    while (acked.size < 500 && Date.now() < deadline) await sleep(20);
    await stopChild(child, 'SIGKILL', 1000);
    child = undefined;
    const { sent } = await publishing;
    expect(acked.size).toBeGreaterThanOrEqual(500);
    expect(acked.size).toBeLessThan(N);

    await startServe(); // recovers the killed PGlite, then is stopped cleanly to count
    await stopChild(child, 'SIGTERM', 15_000);
    child = undefined;
    const database = await openDatabase({ dataDir });
    try {
      const r = await sql<{ t: string }>`
        select (extract(epoch from observed_at) * 1000)::bigint as t from sensing_observations
         where device_id = ${deviceId} and metric = ${METRIC}`.execute(database.db);
      const stored = new Set(r.rows.map((row) => Number(row.t)));
      const lost = [...acked].filter((i) => !stored.has(base + i * 7));
      console.info(
        `embedded broker + PGlite SIGKILL: ${lost.length} acknowledged readings lost of ${acked.size} (sent ${sent}, stored ${stored.size})`,
      );
      expect(lost).toEqual([]);
    } finally {
      await database.close();
    }
  }, 180_000);
});
