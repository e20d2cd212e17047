import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import { ManualClock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { openTestDatabase, testBackends } from '../../platform/db/testing.ts';
import { metricsRegistry } from '../../platform/http/metrics.ts';
import { testPrincipal } from '../../platform/http/testing.ts';
import { AuditLog, auditMigrations } from '../audit/index.ts';
import type { AlertEvent } from './alerts/alerts.schema.ts';
import { DEFAULT_RULES_DIR, loadRuleFiles } from './rules/rules.loader.ts';
import { hourlyO2, PUHE_STATION, testLocator } from './sensing.fixture.ts';
import { sensingMigrations } from './sensing.migrations.ts';
import { SensingService } from './sensing.service.ts';

const rules = loadRuleFiles(DEFAULT_RULES_DIR);
const O2_RULE = 'water.o2.daily-mean-below-target';
const DESCRIPTION = '蒲河寨溪大桥断面 溶解氧日均值连续3日低于III类标准(5 mg/L)';
const days = ['2025-11-17', '2025-11-18', '2025-11-19', '2025-11-20', '2025-11-21'];

describe.each(testBackends)('the Qijiang water story on %s', (kind) => {
  let database: Database;
  const clock = new ManualClock('2025-11-17T00:00:00+08:00');
  const events: AlertEvent[] = [];
  const audit = new AuditLog(clock);
  const service = () =>
    new SensingService({
      db: database.db,
      audit,
      clock,
      locator: testLocator,
      rules,
      alertPublisher: {
        publish: async (e) => {
          if (e.alert.ruleId === O2_RULE) events.push(e);
        },
      },
    });
  let first: SensingService;

  /** Sends one day's 24 hourly readings as the station would, one MQTT message per hour. */
  async function sendDay(s: SensingService, day: string, mean: number) {
    for (const payload of hourlyO2(day, mean)) {
      clock.set(new Date(Date.parse(payload.observedAt) + 60_000));
      await s.ingestRaw(PUHE_STATION.id, JSON.stringify(payload));
    }
  }

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrateToLatest(database.db, [auditMigrations, sensingMigrations]);
    first = service();
    await first.devices.register(SYSTEM_PRINCIPAL, PUHE_STATION);
  });
  afterAll(() => database?.close());

  it('keeps counting across a restart: days 1–2, restart, day 3 → exactly one alert naming the section and rule', async () => {
    await sendDay(first, days[0]!, 4.1);
    await sendDay(first, days[1]!, 4.3);
    await first.stop();
    expect(events).toEqual([]);

    const second = service();
    await second.start();
    await second.stop();
    await sendDay(second, days[2]!, 4.6);
    // Day 3 closes once its lateness (2 h) has passed and the station has been silent (10 min).
    clock.set('2025-11-20T02:00:00+08:00');
    // The station has also been silent for 2.5 h, so the no-data rule raises its own alert.
    const tick = await second.evaluateTimers();
    expect(tick.raised).toBe(2);

    const alerts = await second.alerts.list(SYSTEM_PRINCIPAL, { limit: 10, ruleId: O2_RULE });
    expect(alerts).toHaveLength(1);
    const [alert] = alerts;
    expect(alert).toMatchObject({
      type: 'Alert',
      status: 'open',
      category: 'environment',
      subCategory: 'waterPollution',
      severity: 'high',
      alertSource: 'wq-puhe-zhaixi',
      location: { lon: 106.65, lat: 29.03 },
      ruleId: 'water.o2.daily-mean-below-target',
      ruleVersion: 1,
      description: DESCRIPTION,
      jurisdictionPath: '50/500110/500110001',
      validFrom: new Date('2025-11-17T00:00:00+08:00').toISOString(),
      validTo: null,
    });
    expect(alert!.details).toMatchObject({ consecutive: 3, limit: 5, class: 'III', value: 4.6 });
    expect(events.map((e) => e.subject)).toEqual(['sensing.alert.raised']);
    const entries = await audit.list(database.db, SYSTEM_PRINCIPAL, {
      limit: 10,
      action: 'sensing.alert.raised',
    });
    expect(entries.filter((e) => e.details.ruleId === O2_RULE)).toHaveLength(1);
    first = second;
  });

  it('replaying the same observations stores nothing and raises nothing', async () => {
    const third = service();
    let duplicates = 0;
    for (const day of days.slice(0, 3)) {
      const batch = hourlyO2(day, 9).map((p, i) => ({
        deviceId: PUHE_STATION.id,
        // Same times as before: only the time identifies a reading, so these are redeliveries.
        payload: { ...p, O2: hourlyO2(day, [4.1, 4.3, 4.6][days.indexOf(day)]!)[i]!.O2 },
        receivedAt: clock.now(),
      }));
      const r = await third.ingest(batch);
      expect(r.stored).toBe(0);
      duplicates += r.duplicates;
    }
    expect(duplicates).toBe(72);
    await third.evaluateTimers();
    expect(await third.alerts.list(SYSTEM_PRINCIPAL, { limit: 10, ruleId: O2_RULE })).toHaveLength(1);
    expect(events).toHaveLength(1);
    first = third;
  });

  it('stays one alert while the section stays bad, and clears when a day recovers', async () => {
    await sendDay(first, days[3]!, 4.0);
    await sendDay(first, days[4]!, 6.5);
    clock.set('2025-11-22T03:00:00+08:00');
    await first.evaluateTimers();
    const alerts = await first.alerts.list(SYSTEM_PRINCIPAL, { limit: 10, ruleId: O2_RULE });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ status: 'cleared', clearReason: 'recovered', clearedBy: 'system' });
    expect(alerts[0]!.validTo).toBe(new Date('2025-11-22T00:00:00+08:00').toISOString());
    expect(events.map((e) => e.subject)).toEqual(['sensing.alert.raised', 'sensing.alert.cleared']);
  });

  it('keeps the daily rollup the rule used, in local days', async () => {
    const series = await first.queries.deviceSeries(SYSTEM_PRINCIPAL, PUHE_STATION.id, {
      from: new Date('2025-11-17T00:00:00+08:00'),
      to: new Date('2025-11-22T00:00:00+08:00'),
      metric: 'O2',
      rollup: 'day',
      limit: 100,
    });
    expect(series.map((p) => [p.at.toISOString(), Math.round(p.value * 100) / 100, p.count])).toEqual([
      ['2025-11-16T16:00:00.000Z', 4.1, 24],
      ['2025-11-17T16:00:00.000Z', 4.3, 24],
      ['2025-11-18T16:00:00.000Z', 4.6, 24],
      ['2025-11-19T16:00:00.000Z', 4, 24],
      ['2025-11-20T16:00:00.000Z', 6.5, 24],
    ]);
  });

  it('lets an operator acknowledge and clear an alert, in scope only, audited', async () => {
    await sendDay(first, '2025-11-22', 3);
    await sendDay(first, '2025-11-23', 3);
    await sendDay(first, '2025-11-24', 3);
    clock.set('2025-11-25T03:00:00+08:00');
    await first.evaluateTimers();
    const [open] = await first.alerts.list(SYSTEM_PRINCIPAL, { status: 'open', limit: 10, ruleId: O2_RULE });
    expect(open).toBeDefined();
    const outsider = testPrincipal('50/500103', ['district_operator']);
    await expect(first.alerts.acknowledge(outsider, open!.id)).rejects.toMatchObject({ code: 'not_found' });
    const qijiang = testPrincipal('50/500110', ['district_operator']);
    const acked = await first.alerts.acknowledge(qijiang, open!.id);
    expect(acked).toMatchObject({ status: 'acknowledged', acknowledgedBy: qijiang.id });
    await expect(first.alerts.acknowledge(qijiang, open!.id)).rejects.toMatchObject({
      code: 'invalid_transition',
    });
    const cleared = await first.alerts.clear(qijiang, open!.id);
    expect(cleared).toMatchObject({ status: 'cleared', clearReason: 'manual' });
    const entries = await audit.list(database.db, SYSTEM_PRINCIPAL, { limit: 10, subjectId: open!.id });
    expect(entries.map((e) => e.action).sort()).toEqual([
      'sensing.alert.acknowledged',
      'sensing.alert.cleared',
      'sensing.alert.raised',
    ]);
    expect((await audit.verify(database.db)).ok).toBe(true);
  });

  it('stores a reading too late for its window but leaves the rule alone', async () => {
    const lateBefore = await lateReadings();
    const alertsBefore = await first.alerts.list(SYSTEM_PRINCIPAL, { limit: 10, ruleId: O2_RULE });
    // 2025-11-18 closed days ago (end of day + 2 h lateness): the reading is valid data, not a rule input.
    const r = await first.ingestRaw(
      PUHE_STATION.id,
      JSON.stringify({ observedAt: '2025-11-18T12:10:00+08:00', O2: 1.0 }),
    );
    expect(r).toMatchObject({ stored: 1, deadLettered: 0 });
    // (The arrival does clear the station's no-data alert: it is alive.)
    expect([...r.raised, ...r.cleared].map((a) => a.ruleId)).toEqual(['device.no-data-30min']);
    expect(await lateReadings()).toBe(lateBefore + 1);
    expect(await first.alerts.list(SYSTEM_PRINCIPAL, { limit: 10, ruleId: O2_RULE })).toEqual(alertsBefore);
  });

  it('tells the same story through the batcher a transport would use, for the Ruxi section', async () => {
    await first.devices.register(SYSTEM_PRINCIPAL, {
      ...PUHE_STATION,
      id: 'wq-ruxi-liangping',
      name: '汝溪河梁平水质自动站',
      sectionName: '汝溪河梁平断面',
      lon: 107.8,
      lat: 30.6,
    });
    const batcher = first.batcher({ maxBatch: 50, maxDelayMs: 1 });
    const messages = ['2025-12-01', '2025-12-02', '2025-12-03'].flatMap((d) => hourlyO2(d, 4.2));
    clock.set('2025-12-04T03:00:00+08:00');
    await Promise.all(messages.map((m) => batcher.submit('wq-ruxi-liangping', JSON.stringify(m))));
    // Day 3 closes by the clock once the station has been silent for the idle time (10 min).
    await first.evaluateTimers();
    expect(
      await first.alerts.list(SYSTEM_PRINCIPAL, { limit: 10, ruleId: O2_RULE, subject: 'wq-ruxi-liangping' }),
    ).toEqual([]);
    clock.advance(10 * 60_000);
    await first.evaluateTimers();
    const alerts = await first.alerts.list(SYSTEM_PRINCIPAL, {
      limit: 10,
      ruleId: O2_RULE,
      subject: 'wq-ruxi-liangping',
    });
    expect(alerts.map((a) => [a.status, a.description, a.jurisdictionPath])).toEqual([
      ['open', '汝溪河梁平断面 溶解氧日均值连续3日低于III类标准(5 mg/L)', '50/500155/500155001'],
    ]);
  });
});

async function lateReadings(): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric('citybrain_sensing_rule_late_readings_total')?.get();
  return metric?.values[0]?.value ?? 0;
}
