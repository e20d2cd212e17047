import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { partitionOf } from '../modules/sensing/index.ts';
import { SYSTEM_PRINCIPAL } from '../platform/access.ts';
import { openPostgres } from '../platform/db/database.ts';
import { createLogger } from '../platform/logger.ts';
import { sleep, startThrowawayMosquitto, type ThrowawayMosquitto } from '../platform/mqtt/testing.ts';
import {
  createDemoDatabase,
  databaseUrl,
  deleteStreams,
  dropDatabase,
  publishObservations,
  spawnServe,
  stopChild,
} from './child-process.testing.ts';

/**
 * `citybrain serve --role ingest` + two `--role rules` processes as child processes on PostgreSQL,
 * NATS JetStream (a private stream prefix) and a private Mosquitto: the seed's water story gives
 * exactly one alert; a rules process SIGKILLed mid-story and restarted changes nothing.
 */
const serverUrl = process.env.CITYBRAIN_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const natsUrl = process.env.CITYBRAIN_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const STATION = 'wq-puhe-zhaixi';
const O2_RULE = 'water.o2.daily-mean-below-target';
const DESCRIPTION = '蒲河寨溪大桥断面 溶解氧日均值连续3日低于III类标准(5 mg/L)';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const LOCAL = 8 * HOUR;
const P = 16;

/** The seed's water story: three local days of hourly O2 around 3.8 mg/L, and a reading that closes the third. */
function waterStory(now: number): string[] {
  const today = Math.floor((now + LOCAL) / DAY) * DAY - LOCAL;
  const story = [];
  for (let d = 4; d >= 2; d--) {
    for (let h = 0; h < 24; h++) {
      const t = today - d * DAY + h * HOUR + 30 * 60_000;
      story.push({ observedAt: new Date(t).toISOString(), O2: h % 2 ? 4.2 : 3.4 });
    }
  }
  story.push({ observedAt: new Date(today - DAY + 3.5 * HOUR).toISOString(), O2: 3.8 });
  return story.map((s) => JSON.stringify(s));
}

describe('rules processes sharing the partitions (child processes, PostgreSQL, NATS, Mosquitto)', () => {
  const tag = randomBytes(5).toString('hex');
  const dbName = `cb_test_rules_${tag}`;
  const prefix = `cbtest${tag}`;
  const dbUrl = databaseUrl(serverUrl, dbName);
  let dataDir: string;
  let mosquitto: ThrowawayMosquitto;
  let db: pg.Client;
  const children = new Map<string, ChildProcess>();
  /** Each child's HTTP base URL (only /health and /metrics answer). */
  const urls = new Map<string, string>();
  let log = '';

  /** Starts `citybrain serve --role <role> --ingest-id <id>` and waits for its banner. */
  async function start(role: 'ingest' | 'rules', id: string): Promise<void> {
    const { proc, url } = await spawnServe({
      name: id,
      args: ['--role', role, '--ingest-id', id, '--stream-prefix', prefix, '--partitions', String(P)],
      env: {
        CITYBRAIN_DATABASE_URL: dbUrl,
        CITYBRAIN_MQTT_URL: mosquitto.url,
        CITYBRAIN_NATS_URL: natsUrl,
        CITYBRAIN_DATA_DIR: dataDir,
        CITYBRAIN_TOKEN_SECRET: 'q'.repeat(40),
        CITYBRAIN_ADMIN_PASSWORD: 'admin-password-rules',
      },
      timeoutMs: 60_000,
      onOutput: (chunk) => {
        log += `[${id}] ${chunk}`;
      },
    });
    children.set(id, proc);
    urls.set(id, url!);
  }

  /** A child's /metrics as `name{labels}` → value. */
  async function metricsOf(id: string): Promise<Map<string, number>> {
    const text = await (await fetch(`${urls.get(id)}/metrics`)).text();
    const out = new Map<string, number>();
    for (const line of text.split('\n')) {
      if (!line || line.startsWith('#')) continue;
      const i = line.lastIndexOf(' ');
      out.set(line.slice(0, i), Number(line.slice(i + 1)));
    }
    return out;
  }
  const metric = (m: Map<string, number>, name: string) => m.get(name) ?? 0;

  async function stop(id: string, signal: NodeJS.Signals): Promise<void> {
    const proc = children.get(id);
    children.delete(id);
    await stopChild(proc, signal, 15_000);
  }

  async function query<T>(text: string, values: unknown[] = []): Promise<T[]> {
    return (await db.query(text, values)).rows as T[];
  }

  const alertsOf = (subject: string) =>
    query<{ description: string; status: string }>(
      'select description, status from sensing_alerts where rule_id = $1 and subject = $2',
      [O2_RULE, subject],
    );
  const owners = async () =>
    new Map(
      (
        await query<{ partition: number; owner: string }>(
          'select partition, owner from sensing_rules_progress',
        )
      ).map((r) => [r.partition, r.owner]),
    );

  /** Publishes anonymously (Mosquitto does no device auth), QoS 1, `perTick` messages every `tickMs`. */
  const publish = (deviceId: string, bodies: string[], perTick: number, tickMs: number) =>
    publishObservations(mosquitto.url, 'rules-pub', deviceId, bodies, perTick, tickMs);

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-rules-'));
    await createDemoDatabase({
      serverUrl,
      dbName,
      dataDir,
      adminPassword: 'admin-password-rules',
      tokenSecret: 'q'.repeat(40),
    });
    db = new pg.Client({ connectionString: dbUrl });
    await db.connect();
    mosquitto = await startThrowawayMosquitto(undefined, 'max_queued_messages 1000000');
    await start('ingest', 'ing-1');
    await Promise.all([start('rules', 'r1'), start('rules', 'r2')]);
  }, 240_000);

  afterAll(async () => {
    await Promise.all([...children.keys()].map((id) => stop(id, 'SIGTERM')));
    await mosquitto?.dispose();
    await db?.end();
    await deleteStreams(natsUrl, prefix);
    await dropDatabase(serverUrl, dbName);
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('one ingest and two rules processes: the water story gives exactly one alert naming the section and the rule', async () => {
    // The two rules processes split the 16 partitions 8/8.
    let split = await owners();
    for (const until = Date.now() + 15_000; Date.now() < until; await sleep(200)) {
      split = await owners();
      const counts = [...split.values()].reduce(
        (m, o) => m.set(o, (m.get(o) ?? 0) + 1),
        new Map<string, number>(),
      );
      if (counts.get('r1') === 8 && counts.get('r2') === 8) break;
    }
    const counts = [...split.values()].reduce(
      (m, o) => m.set(o, (m.get(o) ?? 0) + 1),
      new Map<string, number>(),
    );
    expect(Object.fromEntries(counts)).toEqual({ r1: 8, r2: 8 });

    const story = waterStory(Date.now());
    const started = Date.now();
    await publish(STATION, story, 73, 0);
    for (const until = Date.now() + 30_000; (await alertsOf(STATION)).length === 0 && Date.now() < until; )
      await sleep(50);
    const latency = Date.now() - started;
    await sleep(1500); // nothing more comes
    const alerts = await alertsOf(STATION);
    console.info(`rules e2e: 73 messages published → alert stored after ${latency} ms`);
    expect(alerts).toEqual([{ description: DESCRIPTION, status: 'open' }]);
    // The ingest stored the story and ran no rules; the owner of the station's partition did.
    const stored = await query<{ n: number }>(
      'select count(*)::int as n from sensing_observations where device_id = $1',
      [STATION],
    );
    expect(stored[0]!.n).toBe(story.length);
    const k = partitionOf(STATION, P);
    expect(['r1', 'r2']).toContain((await owners()).get(k));

    // Warm path, publish → alert stored across the three processes: pH 12 (threshold rule), then 7 to clear.
    const lat: number[] = [];
    const base = Date.now() - 60_000;
    for (let i = 0; i < 5; i++) {
      const t0 = Date.now();
      // Observation times only move forward (a threshold skips a reading older than the newest it judged).
      const body = JSON.stringify({ observedAt: new Date(base + i * 2000).toISOString(), pH: 12 });
      await publish(STATION, [body], 1, 0);
      const open = () =>
        query<{ n: number }>(
          "select count(*)::int as n from sensing_alerts where rule_id = 'water.ph.out-of-range' and status = 'open'",
        );
      for (const until = Date.now() + 10_000; (await open())[0]!.n === 0 && Date.now() < until; )
        await sleep(5);
      lat.push(Date.now() - t0);
      if ((await open())[0]!.n !== 1) {
        const dead = await query(
          'select reason, detail from sensing_dead_letters order by received_at desc limit 3',
        );
        const ph = await query(
          "select observed_at, value from sensing_observations where device_id = $1 and metric = 'pH'",
          [STATION],
        );
        const all = await query(
          "select status, description from sensing_alerts where rule_id = 'water.ph.out-of-range'",
        );
        throw new Error(
          `no pH alert: dead ${JSON.stringify(dead)} pH ${JSON.stringify(ph)} alerts ${JSON.stringify(all)}\n${log.slice(-3000)}`,
        );
      }
      await publish(
        STATION,
        [JSON.stringify({ observedAt: new Date(base + i * 2000 + 1000).toISOString(), pH: 7 })],
        1,
        0,
      );
      for (const until = Date.now() + 10_000; (await open())[0]!.n === 1 && Date.now() < until; )
        await sleep(5);
    }
    lat.sort((a, b) => a - b);
    console.info(
      `rules e2e: warm publish → alert stored (ingest → JetStream → rules), ms: ${lat.join(', ')}`,
    );
  }, 90_000);

  it('SIGKILL of the rules process owning a station mid-story, then its restart: still exactly one alert, states continue', async () => {
    const [row] = await query<{ id: string }>(
      `select id from sensing_devices where type = 'WaterQualityObserved' and target_class in ('II', 'III')
         and metrics ? 'O2' and id <> $1 order by id limit 1`,
      [STATION],
    );
    const station = row!.id;
    const k = partitionOf(station, P);
    const owner = (await owners()).get(k)!;
    const story = waterStory(Date.now());
    const readingsSeen = async () =>
      (
        await query<{ n: number }>(
          `select coalesce(sum(jsonb_array_length(payload->'d')), 0)::int as n from bus_outbox where subject = $1`,
          [`sensing.readings.p${k}`],
        )
      )[0]!.n;
    const before = await readingsSeen();
    const progress = async () =>
      Number(
        (
          await query<{ last_seq: string }>(
            'select last_seq from sensing_rules_progress where partition = $1',
            [k],
          )
        )[0]!.last_seq,
      );
    const progressBefore = await progress();

    // Three days hour by hour, ~4 s in all; the owner is killed once it has applied part of it.
    const publishing = publish(station, story, 3, 150);
    for (const until = Date.now() + 20_000; (await progress()) < progressBefore + 10 && Date.now() < until; )
      await sleep(20);
    expect(await progress()).toBeGreaterThanOrEqual(progressBefore + 10);
    await stop(owner, 'SIGKILL');
    const atKill = await progress();
    // The survivor takes the partition over (the dead process's locks went with its connection).
    const survivor = owner === 'r1' ? 'r2' : 'r1';
    for (const until = Date.now() + 10_000; (await owners()).get(k) !== survivor && Date.now() < until; )
      await sleep(50);
    expect((await owners()).get(k)).toBe(survivor);
    // The killed process comes back under the same id and rejoins while the story goes on.
    await start('rules', owner);
    await publishing;

    for (const until = Date.now() + 30_000; (await alertsOf(station)).length === 0 && Date.now() < until; )
      await sleep(100);
    await sleep(2000);
    const alerts = await alertsOf(station);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.status).toBe('open');
    // Every reading was handed over once (73 new readings) and every message of the partition applied.
    expect((await readingsSeen()) - before).toBe(story.length);
    const nc = await connect({ servers: natsUrl });
    try {
      const jsm = await jetstreamManager(nc);
      const last = await jsm.streams.getMessage(prefix.toUpperCase(), {
        last_by_subj: `${prefix}.sensing.readings.p${k}`,
      });
      expect(await progress()).toBe(last!.seq);
    } finally {
      await nc.close();
    }
    // The state went on from where the killed owner left it: 3 bad days in a row, and the fourth
    // day's window holds exactly the one closing reading (a reading applied twice would count 2).
    const [state] = await query<{ state: string; active: boolean }>(
      'select state, active from sensing_rule_state where rule_id = $1 and subject = $2',
      [O2_RULE, station],
    );
    const s = JSON.parse(state!.state) as { bad: number; w: Record<string, number[]> };
    expect(state!.active).toBe(true);
    expect(s.bad).toBe(3);
    expect(Object.values(s.w).map((acc) => acc[0])).toEqual([1]);
    console.info(
      `rules kill test: owner ${owner} killed at progress ${atKill} (from ${progressBefore}), survivor ${survivor}; final progress ${await progress()}`,
    );
    // The restarted process is a member again: the split is 8/8 once more.
    for (const until = Date.now() + 10_000; Date.now() < until; await sleep(200)) {
      const c = [...(await owners()).values()].filter((o) => o === owner).length;
      if (c === 8) break;
    }
    expect([...(await owners()).values()].filter((o) => o === owner)).toHaveLength(8);
  }, 90_000);

  it('rules processes show partitions, lag and outcomes on /metrics and /health; a device re-sectioned through the registry is seen at once', async () => {
    // Both members hold 8 partitions again (the previous test restarted one of them).
    for (const until = Date.now() + 10_000; Date.now() < until; await sleep(200)) {
      const c = [...(await owners()).values()];
      if (c.filter((o) => o === 'r1').length === 8 && c.filter((o) => o === 'r2').length === 8) break;
    }
    const k = partitionOf(STATION, P);
    const owner = (await owners()).get(k)!;
    const health = await Promise.all(
      ['r1', 'r2'].map(async (id) => {
        const res = await fetch(`${urls.get(id)}/health`);
        expect(res.status).toBe(200);
        return (await res.json()) as { status: string; rules: { memberId: string; partitions: number[] } };
      }),
    );
    expect(health.map((h) => h.rules.memberId)).toEqual(['r1', 'r2']);
    expect(health.map((h) => h.rules.partitions.length)).toEqual([8, 8]);
    expect([...health[0]!.rules.partitions, ...health[1]!.rules.partitions].sort((a, b) => a - b)).toEqual(
      Array.from({ length: P }, (_, i) => i),
    );
    expect(health.find((h) => h.rules.memberId === owner)!.rules.partitions).toContain(k);

    // Some readings: six hourly pH 7 readings of the station, one MQTT message each.
    const before = await metricsOf(owner);
    const base = Date.now() - 30_000;
    await publish(
      STATION,
      Array.from({ length: 6 }, (_, i) =>
        JSON.stringify({ observedAt: new Date(base + i * 1000).toISOString(), pH: 7 }),
      ),
      1,
      20,
    );
    let after = await metricsOf(owner);
    const lagOf = (m: Map<string, number>) =>
      m.get(`citybrain_sensing_rules_partition_lag_messages{partition="${k}"}`);
    // Applied, and the lag sampled on a later ownership round is back to 0.
    for (
      const until = Date.now() + 10_000;
      Date.now() < until &&
      !(
        metric(after, 'citybrain_sensing_rules_messages_total{outcome="applied"}') >
          metric(before, 'citybrain_sensing_rules_messages_total{outcome="applied"}') && lagOf(after) === 0
      );
      await sleep(200)
    )
      after = await metricsOf(owner);
    const applied =
      metric(after, 'citybrain_sensing_rules_messages_total{outcome="applied"}') -
      metric(before, 'citybrain_sensing_rules_messages_total{outcome="applied"}');
    expect(applied).toBeGreaterThanOrEqual(1);
    expect(applied).toBeLessThanOrEqual(6);
    expect(lagOf(after)).toBe(0);
    expect(after.get('citybrain_sensing_rules_partitions_owned')).toBe(8);
    const lagSeries = [...after.keys()].filter((n) =>
      n.startsWith('citybrain_sensing_rules_partition_lag_messages{'),
    );
    expect(lagSeries).toHaveLength(8);
    expect(metric(after, 'citybrain_sensing_rules_takeovers_total')).toBeGreaterThanOrEqual(8);
    expect(after.has('citybrain_sensing_rules_fenced_total')).toBe(true);
    console.info(
      `rules metrics (${owner}): applied +${applied} for 6 messages, skipped ${metric(after, 'citybrain_sensing_rules_messages_total{outcome="skipped"}')}, takeovers ${metric(after, 'citybrain_sensing_rules_takeovers_total')}, fenced ${metric(after, 'citybrain_sensing_rules_fenced_total')}, lag p${k} ${lagOf(after)}`,
    );

    // The registry moves the station to another section (as an admin's PATCH would, from an api process).
    const config = loadConfig(
      {},
      { dataDir, port: 0, adminPassword: 'admin-password-rules', tokenSecret: 'q'.repeat(40), natsUrl },
    );
    const api = await createApp({
      config,
      role: 'api',
      streamPrefix: prefix,
      logger: createLogger('silent'),
      database: await openPostgres(dbUrl),
    });
    try {
      const seen = async (id: string) =>
        metric(await metricsOf(id), 'citybrain_sensing_device_changes_applied_total');
      const [ownerSeen, ingestSeen] = [await seen(owner), await seen('ing-1')];
      const t0 = Date.now();
      await api.services.sensing.devices.update(SYSTEM_PRINCIPAL, STATION, {
        sectionName: '寨溪新断面',
        targetClass: 'II',
      });
      for (const until = Date.now() + 5000; (await seen(owner)) === ownerSeen && Date.now() < until; )
        await sleep(10);
      const heard = Date.now() - t0;
      expect(await seen(owner)).toBe(ownerSeen + 1);
      for (const until = Date.now() + 5000; (await seen('ing-1')) === ingestSeen && Date.now() < until; )
        await sleep(10);
      expect(await seen('ing-1')).toBe(ingestSeen + 1);
      console.info(`rules e2e: device update committed → owner's cache refreshed after ${heard} ms`);
      expect(heard).toBeLessThan(2000);

      // A breaching reading now: the alert names the new section.
      const t = Date.now() - 10_000;
      await publish(STATION, [JSON.stringify({ observedAt: new Date(t).toISOString(), pH: 12 })], 1, 0);
      const ph = () =>
        query<{ description: string; status: string }>(
          "select description, status from sensing_alerts where rule_id = 'water.ph.out-of-range' and subject = $1 and status = 'open'",
          [STATION],
        );
      for (const until = Date.now() + 10_000; (await ph()).length === 0 && Date.now() < until; )
        await sleep(20);
      expect(await ph()).toEqual([{ description: '寨溪新断面 pH 12 超出 6–9', status: 'open' }]);
      await publish(STATION, [JSON.stringify({ observedAt: new Date(t + 1000).toISOString(), pH: 7 })], 1, 0);
      for (const until = Date.now() + 10_000; (await ph()).length === 1 && Date.now() < until; )
        await sleep(20);
      expect(await ph()).toEqual([]);
    } finally {
      await api.close();
    }
  }, 90_000);
});
