import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import { ManualClock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { openTestDatabase, testBackends } from '../../platform/db/testing.ts';
import type { Api } from '../../platform/http/server.ts';
import { createTestApi, testPrincipal } from '../../platform/http/testing.ts';
import { AuditLog, auditMigrations } from '../audit/index.ts';
import { type DeviceInput, SensingService, sensingMigrations } from '../sensing/index.ts';
import { PUHE_STATION, testLocator } from '../sensing/sensing.fixture.ts';
import { registerWaterClassRoutes } from './index.ts';

const principals = {
  admin: testPrincipal('', ['admin']),
  qijiang: testPrincipal('50/500110', ['district_operator']),
  yuzhong: testPrincipal('50/500103', ['district_operator']),
};
const auth = (name: keyof typeof principals) => ({ authorization: `Bearer ${name}` });

/** A second Qijiang station on the same section (two stations, one section). */
const PUHE_2: DeviceInput = { ...PUHE_STATION, id: 'wq-puhe-2', name: '蒲河寨溪大桥2号站', lon: 106.66 };
/** A lake station in Yuzhong, class II target: total phosphorus uses the lake column. */
const LAKE: DeviceInput = {
  id: 'wq-lake',
  type: 'WaterQualityObserved',
  name: '湖库站',
  lon: 106.57,
  lat: 29.55,
  metrics: ['O2', 'PO4'],
  sectionName: '湖库断面',
  targetClass: 'II',
  waterBody: 'lake',
};
/** A station that has never reported. */
const SILENT: DeviceInput = { ...LAKE, id: 'wq-silent', name: '无数据站', sectionName: '无数据断面' };
describe.each(testBackends)('water class on %s', (kind) => {
  let database: Database;
  let app: Api;
  let sensing: SensingService;
  const clock = new ManualClock('2025-11-20T09:00:00+08:00');

  const send = async (id: string, observedAt: string, payload: Record<string, number>) => {
    const r = await sensing.ingestRaw(id, JSON.stringify({ observedAt, ...payload }));
    expect(r.deadLettered).toBe(0);
  };
  const get = async (url: string, who?: keyof typeof principals) =>
    app.inject({ method: 'GET', url, headers: who ? auth(who) : {} });

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrateToLatest(database.db, [auditMigrations, sensingMigrations]);
    sensing = new SensingService({
      db: database.db,
      audit: new AuditLog(clock),
      clock,
      locator: testLocator,
    });
    for (const d of [PUHE_STATION, PUHE_2, LAKE, SILENT]) await sensing.devices.register(SYSTEM_PRINCIPAL, d);
    app = await createTestApi(principals);
    registerWaterClassRoutes(app, {
      readings: sensing.queries,
      now: () => sensing.now(),
      dayOffsetMinutes: sensing.options.dayOffsetMinutes,
    });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  it('classifies each section by the worst parameter of its latest daily means', async () => {
    // Yesterday: good water at Puhe (class II by DO 6.5).
    await send(PUHE_STATION.id, '2025-11-19T10:00:00+08:00', { O2: 6.5, NH4: 0.3, pH: 7.2 });
    // Today: the two Puhe stations' DO means are 5.2 and 4.6 → section mean of all readings:
    // (5.4 + 5.0 + 4.6) / 3 = 5.0 → III (≥ 5); NH4 0.8 → III too, so both decide.
    await send(PUHE_STATION.id, '2025-11-20T01:00:00+08:00', { O2: 5.4, NH4: 0.8 });
    await send(PUHE_STATION.id, '2025-11-20T02:00:00+08:00', { O2: 5.0, NH4: 0.8 });
    await send(PUHE_2.id, '2025-11-20T01:00:00+08:00', { O2: 4.6 });
    // Lake: DO 8 is class I, but TP 0.04 is class III for lakes (it would be II for a river).
    await send(LAKE.id, '2025-11-20T03:00:00+08:00', { O2: 8, PO4: 0.04 });
    await sensing.evaluateTimers(clock.now());

    const res = await get('/api/v1/water/sections', 'admin');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    const by = Object.fromEntries(body.items.map((s: { section: string }) => [s.section, s]));
    expect(by.蒲河寨溪大桥断面).toMatchObject({
      class: 'III',
      targetClass: 'III',
      meetsTarget: true,
      day: '2025-11-20',
      readings: { O2: 5, NH4: 0.8 },
      jurisdictionCode: '500110001',
    });
    expect(by.蒲河寨溪大桥断面.deciding.map((d: { parameter: string }) => d.parameter).sort()).toEqual([
      'DO',
      'NH3-N',
    ]);
    expect(by.蒲河寨溪大桥断面.stations.map((s: { deviceId: string }) => s.deviceId)).toEqual([
      PUHE_2.id,
      PUHE_STATION.id,
    ]);
    expect(by.湖库断面).toMatchObject({
      class: 'III',
      waterBody: 'lake',
      meetsTarget: false,
      deciding: [{ metric: 'PO4', parameter: 'TP', value: 0.04, class: 'III' }],
    });
    expect(by.无数据断面).toMatchObject({ class: null, meetsTarget: null, day: null, deciding: [] });
    expect(body.counts).toEqual({ I: 0, II: 0, III: 2, IV: 0, V: 0, 劣V: 0, none: 1 });
    expect([body.meetingTarget, body.missingTarget]).toEqual([1, 1]);
  });

  it('follows new low-DO readings: the class drops the same day', async () => {
    clock.set('2025-11-20T12:00:00+08:00');
    for (const h of ['10', '11']) await send(PUHE_2.id, `2025-11-20T${h}:00:00+08:00`, { O2: 1.0 });
    await sensing.evaluateTimers(clock.now());
    const body = (await get('/api/v1/water/sections?area=500110', 'qijiang')).json();
    expect(body.items).toHaveLength(1);
    // (5.4 + 5.0 + 4.6 + 1 + 1) / 5 = 3.4 → IV, worse than the target III.
    expect(body.items[0]).toMatchObject({ class: 'IV', meetsTarget: false, readings: { O2: 3.4 } });
  });

  it('scopes sections to the caller, counts stale stations as no data, refuses bad input and anonymous callers', async () => {
    const yuzhong = (await get('/api/v1/water/sections', 'yuzhong')).json();
    expect(yuzhong.items.map((s: { section: string }) => s.section).sort()).toEqual([
      '无数据断面',
      '湖库断面',
    ]);
    clock.set('2025-11-29T12:00:00+08:00');
    const stale = (await get('/api/v1/water/sections', 'admin')).json();
    expect(stale.counts.none).toBe(3);
    const longer = (await get('/api/v1/water/sections?lookbackDays=30', 'admin')).json();
    expect(longer.counts.none).toBe(1);
    clock.set('2025-11-20T12:00:00+08:00');

    const bad = await get('/api/v1/water/sections?lookbackDays=0', 'admin');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBeTypeOf('string');
    expect((await get('/api/v1/water/sections')).statusCode).toBe(401);
  });
});
