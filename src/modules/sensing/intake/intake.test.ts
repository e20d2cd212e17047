import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../../platform/access.ts';
import { ManualClock } from '../../../platform/clock.ts';
import type { Database } from '../../../platform/db/database.ts';
import { testBackends } from '../../../platform/db/testing.ts';
import { metricsRegistry } from '../../../platform/http/metrics.ts';
import { testPrincipal } from '../../../platform/http/testing.ts';
import type { DeviceInput } from '../devices/devices.schema.ts';
import { openTestSensing, PUHE_STATION } from '../sensing.fixture.ts';
import type { SensingService } from '../sensing.service.ts';

const COUNTER: DeviceInput = {
  id: 'cf-jfb-001',
  type: 'CrowdFlowObserved',
  name: '解放碑步行街北口',
  lon: 106.577,
  lat: 29.557,
  metrics: ['peopleCount', 'averageCrowdSpeed', 'congested'],
};

describe.each(testBackends)('observation intake on %s', (kind) => {
  let database: Database;
  let sensing: SensingService;
  const clock = new ManualClock('2025-11-20T12:00:00+08:00');

  beforeAll(async () => {
    ({ database, sensing } = await openTestSensing(kind, clock));
    await sensing.devices.register(SYSTEM_PRINCIPAL, PUHE_STATION);
    await sensing.devices.register(SYSTEM_PRINCIPAL, COUNTER);
  });
  afterAll(() => database?.close());

  it('dead-letters bad payloads with their reason, never throwing, and counts them', async () => {
    const before = await deadLetterCount('unknown_device');
    await sensing.ingestRaw('cf-jfb-001', '{"observedAt": "2025-11-20T12:00:00+08:00", "peopleCount": ');
    const r = await sensing.ingest([
      {
        deviceId: 'nobody',
        payload: { observedAt: '2025-11-20T12:00:00+08:00', peopleCount: 1 },
        receivedAt: clock.now(),
      },
      {
        deviceId: 'cf-jfb-001',
        payload: { observedAt: '2025-11-20T12:00:00+08:00', peopleCount: 'many' },
        receivedAt: clock.now(),
      },
      {
        deviceId: 'cf-jfb-001',
        payload: { observedAt: '2025-11-20T13:00:00+08:00', peopleCount: 5 },
        receivedAt: clock.now(),
      },
      { deviceId: 'cf-jfb-001', payload: { peopleCount: 5 }, receivedAt: clock.now() },
      {
        deviceId: 'cf-jfb-001',
        payload: { observedAt: '2025-11-20T12:00:00+08:00', peopleCount: 40 },
        receivedAt: clock.now(),
      },
    ]);
    expect(r).toMatchObject({ received: 5, deadLettered: 4, stored: 1, duplicates: 0 });
    const letters = await sensing.deadLetters(SYSTEM_PRINCIPAL, { limit: 10 });
    expect(letters.map((l) => l.reason)).toEqual([
      'missing_observed_at',
      'future_timestamp',
      'wrong_type',
      'unknown_device',
      'invalid_json',
    ]);
    expect(letters.at(-1)).toMatchObject({
      deviceId: 'cf-jfb-001',
      payload: expect.stringContaining('"peopleCount": '),
    });
    expect(letters[2]!.detail).toMatch(/peopleCount/);
    expect(await deadLetterCount('unknown_device')).toBe(before + 1);
    // A district sees its own devices' dead letters only; unknown devices only at city scope.
    const district = await sensing.deadLetters(testPrincipal('50/500103', ['admin']), { limit: 10 });
    expect(district.map((l) => l.reason)).toEqual([
      'missing_observed_at',
      'future_timestamp',
      'wrong_type',
      'invalid_json',
    ]);
    await expect(
      sensing.deadLetters(testPrincipal('50', ['city_operator']), { limit: 10 }),
    ).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('stores a JSON array as several observations, idempotently on redelivery', async () => {
    const payload = JSON.stringify(
      Array.from({ length: 6 }, (_, i) => ({
        observedAt: new Date(Date.parse('2025-11-20T10:00:00+08:00') + i * 600_000).toISOString(),
        peopleCount: 100 * (i + 1),
        averageCrowdSpeed: 1.2,
        congested: i >= 4,
      })),
    );
    expect(await sensing.ingestRaw('cf-jfb-001', payload)).toMatchObject({ stored: 18, duplicates: 0 });
    expect(await sensing.ingestRaw('cf-jfb-001', Buffer.from(payload))).toMatchObject({
      stored: 0,
      duplicates: 18,
    });
    const count = await sql<{
      n: number;
    }>`select count(*)::int as n from sensing_observations where device_id = 'cf-jfb-001'`.execute(
      database.db,
    );
    expect(count.rows[0]!.n).toBe(19);
  });

  it('keeps hourly rollups that match the raw data and serves latest values decoded', async () => {
    // Pending partial aggregates are folded into the rollups by the timer.
    await sensing.evaluateTimers();
    const q = {
      from: new Date('2025-11-20T10:00:00+08:00'),
      to: new Date('2025-11-20T14:00:00+08:00'),
      limit: 100,
    };
    const hourly = await sensing.queries.deviceSeries(SYSTEM_PRINCIPAL, 'cf-jfb-001', {
      ...q,
      metric: 'peopleCount',
      rollup: 'hour',
    });
    expect(hourly.map((p) => [p.at.toISOString(), p.value, p.min, p.max, p.count])).toEqual([
      ['2025-11-20T02:00:00.000Z', 350, 100, 600, 6],
      ['2025-11-20T04:00:00.000Z', 40, 40, 40, 1],
    ]);
    const raw = await sensing.queries.deviceSeries(SYSTEM_PRINCIPAL, 'cf-jfb-001', {
      ...q,
      metric: 'congested',
      rollup: 'raw',
    });
    expect(raw.map((p) => p.value)).toEqual([0, 0, 0, 0, 1, 1]);
    const latest = await sensing.queries.latest(SYSTEM_PRINCIPAL, { deviceIds: ['cf-jfb-001'] }, clock.now());
    expect(latest.map((l) => [l.metric, l.value]).sort()).toEqual([
      ['averageCrowdSpeed', 1.2],
      ['congested', true],
      ['peopleCount', 40],
    ]);
    const day = {
      from: new Date('2025-11-20T00:00:00+08:00'),
      to: new Date('2025-11-21T00:00:00+08:00'),
      limit: 10,
    };
    const area = await sensing.queries.areaSeries(SYSTEM_PRINCIPAL, '500103', {
      ...day,
      metric: 'peopleCount',
      rollup: 'day',
    });
    expect(area).toEqual([expect.objectContaining({ count: 7, devices: 1, max: 600, min: 40 })]);
    const outside = await sensing.queries.areaSeries(
      testPrincipal('50/500110', ['district_operator']),
      '500103',
      {
        ...day,
        metric: 'peopleCount',
        rollup: 'day',
      },
    );
    expect(outside).toEqual([]);
    await expect(
      sensing.queries.deviceSeries(testPrincipal('50/500110', ['district_operator']), 'cf-jfb-001', {
        ...q,
        rollup: 'raw',
      }),
    ).rejects.toMatchObject({ code: 'not_found' });
  });

  it('marks devices online when they report (written by the timer) and offline when silent', async () => {
    await sensing.evaluateTimers();
    expect((await sensing.devices.get(SYSTEM_PRINCIPAL, 'cf-jfb-001')).lastSeenAt).toEqual(clock.now());
    expect((await sensing.devices.get(SYSTEM_PRINCIPAL, 'cf-jfb-001')).status).toBe('online');
    clock.advance(31 * 60_000);
    const tick = await sensing.evaluateTimers();
    expect(tick.offline).toContain('cf-jfb-001');
    expect((await sensing.devices.get(SYSTEM_PRINCIPAL, 'cf-jfb-001')).status).toBe('offline');
  });

  it('partitions by day ahead of time and drops raw partitions past retention, keeping daily rollups', async () => {
    const parts = await partitions();
    expect(parts).toEqual(
      expect.arrayContaining(['sensing_observations_p20251120', 'sensing_observations_p20251122']),
    );
    const old = new Date(clock.now().getTime() - 20 * 86_400_000).toISOString();
    await sensing.ingest([
      { deviceId: 'cf-jfb-001', payload: { observedAt: old, peopleCount: 7 }, receivedAt: clock.now() },
    ]);
    const tooOld = new Date(clock.now().getTime() - 40 * 86_400_000).toISOString();
    const r = await sensing.ingest([
      { deviceId: 'cf-jfb-001', payload: { observedAt: tooOld, peopleCount: 7 }, receivedAt: clock.now() },
    ]);
    expect(r.deadLettered).toBe(1);
    // The timer turns the closed day's hourly rollups into its daily rollup.
    await sensing.evaluateTimers();
    clock.advance(15 * 86_400_000);
    const { droppedPartitions } = await sensing.applyRetention();
    expect(droppedPartitions).toEqual(['sensing_observations_p20251031']);
    expect(await partitions()).not.toContain('sensing_observations_p20251031');
    const daily = await sql<{
      n: number;
    }>`select count(*)::int as n from sensing_rollups_day where bucket < '2025-11-01'`.execute(database.db);
    expect(daily.rows[0]!.n).toBe(1);
  });

  async function partitions(): Promise<string[]> {
    const r = await sql<{
      name: string;
    }>`select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where i.inhparent = 'sensing_observations'::regclass`.execute(database.db);
    return r.rows.map((x) => x.name);
  }
});

async function deadLetterCount(reason: string): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric('citybrain_sensing_dead_letters_total')?.get();
  return metric?.values.find((v) => v.labels.reason === reason)?.value ?? 0;
}
