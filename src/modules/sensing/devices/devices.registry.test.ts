import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../../platform/access.ts';
import { ManualClock } from '../../../platform/clock.ts';
import type { Database } from '../../../platform/db/database.ts';
import { migrateToLatest } from '../../../platform/db/migrate.ts';
import { openTestDatabase, testBackends } from '../../../platform/db/testing.ts';
import { testPrincipal } from '../../../platform/http/testing.ts';
import { AuditLog, auditMigrations } from '../../audit/index.ts';
import { PUHE_STATION, testLocator } from '../sensing.fixture.ts';
import { sensingMigrations } from '../sensing.migrations.ts';
import { SensingService } from '../sensing.service.ts';

const CSV = `id,type,model,name,lon,lat,department,metrics,section,targetClass,waterBody
cf-jfb-001,CrowdFlowObserved,radar,"解放碑步行街, 北口",106.577,29.557,public-security,peopleCount|averageCrowdSpeed,,,
wq-ruxi-01,WaterQualityObserved,sonde,汝溪河水质站,107.8,30.6,eco-env,O2|NH4|pH,汝溪河梁平出境断面,II,river
ps-jfb-001,ParkingSpot,geomagnetic,解放碑停车位1,106.578,29.556,transport,,,,
`;

describe.each(testBackends)('device registry on %s', (kind) => {
  let database: Database;
  let sensing: SensingService;
  const clock = new ManualClock('2025-11-20T08:00:00+08:00');
  const audit = new AuditLog(clock);

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrateToLatest(database.db, [auditMigrations, sensingMigrations]);
    sensing = new SensingService({ db: database.db, audit, clock, locator: testLocator });
  });
  afterAll(() => database?.close());

  it('registers a station, stamps its jurisdiction, audits it, and returns a working secret', async () => {
    const { device, secret } = await sensing.devices.register(SYSTEM_PRINCIPAL, PUHE_STATION);
    expect(device).toMatchObject({
      jurisdictionPath: '50/500110/500110001',
      jurisdictionCode: '500110001',
      targetClass: 'III',
      status: 'offline',
      metrics: ['O2', 'NH4', 'pH', 'temperature'],
    });
    expect(device.secretHash).not.toContain(secret);
    expect(await sensing.devices.verifyDeviceCredential(device.id, secret)).toBe(true);
    expect(await sensing.devices.verifyDeviceCredential(device.id, `${secret}x`)).toBe(false);
    expect(await sensing.devices.verifyDeviceCredential('nobody', secret)).toBe(false);
    const rotated = await sensing.devices.rotateSecret(SYSTEM_PRINCIPAL, device.id);
    expect(await sensing.devices.verifyDeviceCredential(device.id, secret)).toBe(false);
    expect(await sensing.devices.verifyDeviceCredential(device.id, rotated)).toBe(true);
    const entries = await audit.list(database.db, SYSTEM_PRINCIPAL, { limit: 10, subjectId: device.id });
    expect(entries.map((e) => e.action).sort()).toEqual([
      'sensing.device.registered',
      'sensing.device.secret_rotated',
    ]);
  });

  it('refuses a point outside the city, a duplicate id, and attributes its type lacks', async () => {
    await expect(
      sensing.devices.register(SYSTEM_PRINCIPAL, { ...PUHE_STATION, id: 'x', lon: 116.4, lat: 39.9 }),
    ).rejects.toMatchObject({
      code: 'outside_city',
    });
    await expect(sensing.devices.register(SYSTEM_PRINCIPAL, PUHE_STATION)).rejects.toMatchObject({
      code: 'conflict',
    });
    await expect(
      sensing.devices.register(SYSTEM_PRINCIPAL, { ...PUHE_STATION, id: 'y', metrics: ['dissolvedOxygen'] }),
    ).rejects.toMatchObject({ code: 'invalid_data', message: expect.stringMatching(/dissolvedOxygen/) });
    await expect(
      sensing.devices.register(testPrincipal('50/500110', ['district_operator']), {
        ...PUHE_STATION,
        id: 'z',
      }),
    ).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('imports CSV in one transaction: a bad row imports nothing and is named', async () => {
    const bad = CSV.replace('106.578,29.556', '121.5,31.2');
    await expect(sensing.devices.import(SYSTEM_PRINCIPAL, 'csv', bad)).rejects.toMatchObject({
      code: 'outside_city',
      message: expect.stringMatching(/^row 4: /),
      details: expect.objectContaining({ row: 4 }),
    });
    const wrongType = CSV.replace('ParkingSpot', 'Lamppost');
    await expect(sensing.devices.import(SYSTEM_PRINCIPAL, 'csv', wrongType)).rejects.toMatchObject({
      code: 'invalid_data',
      message: expect.stringMatching(/^row 4: type/),
    });
    const dup = `${CSV}wq-puhe-zhaixi,WaterQualityObserved,s,dup,106.65,29.03,,,,,\n`;
    await expect(sensing.devices.import(SYSTEM_PRINCIPAL, 'csv', dup)).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/^row 5: /),
    });
    const count = await sql<{ n: number }>`select count(*)::int as n from sensing_devices`.execute(
      database.db,
    );
    expect(count.rows[0]!.n).toBe(1);

    const credentials = await sensing.devices.import(SYSTEM_PRINCIPAL, 'csv', CSV);
    expect(credentials.map((c) => c.deviceId)).toEqual(['cf-jfb-001', 'wq-ruxi-01', 'ps-jfb-001']);
    const jfb = await sensing.devices.get(SYSTEM_PRINCIPAL, 'cf-jfb-001');
    expect(jfb).toMatchObject({
      name: '解放碑步行街, 北口',
      jurisdictionCode: '500103001',
      metrics: ['peopleCount', 'averageCrowdSpeed'],
    });
    expect((await sensing.devices.get(SYSTEM_PRINCIPAL, 'ps-jfb-001')).metrics).toEqual(['status']);
    expect(await sensing.devices.verifyDeviceCredential('wq-ruxi-01', credentials[1]!.secret)).toBe(true);
  });

  it('imports GeoJSON points', async () => {
    const geojson = JSON.stringify({
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [106.57, 29.55] },
          properties: {
            id: 'tf-jfb-001',
            type: 'TrafficFlowObserved',
            name: '民族路检测器',
            metrics: 'intensity|averageVehicleSpeed',
          },
        },
      ],
    });
    const credentials = await sensing.devices.import(SYSTEM_PRINCIPAL, 'geojson', geojson);
    expect(credentials).toHaveLength(1);
    expect((await sensing.devices.get(SYSTEM_PRINCIPAL, 'tf-jfb-001')).metrics).toEqual([
      'intensity',
      'averageVehicleSpeed',
    ]);
  });

  it('scopes reads to the principal’s jurisdiction', async () => {
    const yuzhong = testPrincipal('50/500103', ['district_operator']);
    const ids = (await sensing.devices.list(yuzhong, { limit: 100 })).map((d) => d.id);
    expect(ids).toEqual(['cf-jfb-001', 'ps-jfb-001', 'tf-jfb-001']);
    await expect(sensing.devices.get(yuzhong, 'wq-puhe-zhaixi')).rejects.toMatchObject({ code: 'not_found' });
    const all = await sensing.devices.list(SYSTEM_PRINCIPAL, { area: '500110', limit: 100 });
    expect(all.map((d) => d.id)).toEqual(['wq-puhe-zhaixi']);
    const water = await sensing.devices.list(SYSTEM_PRINCIPAL, { type: 'WaterQualityObserved', limit: 100 });
    expect(water.map((d) => d.id)).toEqual(['wq-puhe-zhaixi', 'wq-ruxi-01']);
  });

  it('updates a device, re-locating it, and marks a fault', async () => {
    const moved = await sensing.devices.update(SYSTEM_PRINCIPAL, 'tf-jfb-001', {
      lon: 106.7,
      lat: 29.0,
      status: 'fault',
    });
    expect(moved).toMatchObject({ jurisdictionPath: '50/500110/500110001', status: 'fault' });
    await expect(
      sensing.devices.update(SYSTEM_PRINCIPAL, 'tf-jfb-001', { lon: 0, lat: 0 }),
    ).rejects.toMatchObject({
      code: 'outside_city',
    });
    await sensing.devices.remove(SYSTEM_PRINCIPAL, 'tf-jfb-001');
    await expect(sensing.devices.get(SYSTEM_PRINCIPAL, 'tf-jfb-001')).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});

describe.each(testBackends)('device writes naming places and departments on %s', (kind) => {
  let database: Database;
  let sensing: SensingService;
  const clock = new ManualClock('2025-11-20T08:00:00+08:00');
  // An admin whose jurisdiction is 渝中区 only.
  const yuzhongAdmin = testPrincipal('50/500103', ['admin']);
  const jfb = {
    id: 'cf-jfb-9',
    type: 'CrowdFlowObserved',
    name: '解放碑',
    lon: 106.577,
    lat: 29.557,
  } as const;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrateToLatest(database.db, [auditMigrations, sensingMigrations]);
    sensing = new SensingService({
      db: database.db,
      audit: new AuditLog(clock),
      clock,
      locator: testLocator,
    });
  });
  afterAll(() => database?.close());

  it('refuses a device or department outside the caller’s jurisdiction as not found', async () => {
    // 綦江区 lies outside 渝中区: registering or importing there is not_found, and nothing is stored.
    await expect(sensing.devices.register(yuzhongAdmin, PUHE_STATION)).rejects.toMatchObject({
      code: 'not_found',
      message: "jurisdiction '500110001' not found",
    });
    const csv = `id,type,name,lon,lat\n${jfb.id},CrowdFlowObserved,a,106.577,29.557\nq-1,CrowdFlowObserved,b,106.65,29.03\n`;
    await expect(sensing.devices.import(yuzhongAdmin, 'csv', csv)).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringMatching(/^row 3: /),
    });
    // A department of another district: not_found; its own district's or the city's: stored.
    await expect(
      sensing.devices.register(yuzhongAdmin, { ...jfb, departmentCode: '500110:public_security' }),
    ).rejects.toMatchObject({ code: 'not_found', message: "department '500110:public_security' not found" });
    const count = await sql<{ n: number }>`select count(*)::int as n from sensing_devices`.execute(
      database.db,
    );
    expect(count.rows[0]!.n).toBe(0);
    const made = await sensing.devices.register(yuzhongAdmin, {
      ...jfb,
      departmentCode: '500103:public_security',
    });
    expect(made.device).toMatchObject({
      jurisdictionCode: '500103001',
      departmentCode: '500103:public_security',
    });
    // Moving it, or handing it to another district's department, is refused; the city's is fine.
    await expect(
      sensing.devices.update(yuzhongAdmin, jfb.id, { lon: 106.65, lat: 29.03 }),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(
      sensing.devices.update(yuzhongAdmin, jfb.id, { departmentCode: '500110:public_security' }),
    ).rejects.toMatchObject({ code: 'not_found' });
    const moved = await sensing.devices.update(yuzhongAdmin, jfb.id, {
      departmentCode: '50:public_security',
    });
    expect(moved).toMatchObject({ departmentCode: '50:public_security', jurisdictionCode: '500103001' });
    // The whole-city admin may register in 綦江区.
    await expect(sensing.devices.register(SYSTEM_PRINCIPAL, PUHE_STATION)).resolves.toBeTruthy();
  });
});
