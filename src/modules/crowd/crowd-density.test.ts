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
import { testLocator } from '../sensing/sensing.fixture.ts';
import { registerCrowdDensityRoutes } from './index.ts';

const principals = {
  admin: testPrincipal('', ['admin']),
  qijiang: testPrincipal('50/500110', ['district_operator']),
  yuzhong: testPrincipal('50/500103', ['district_operator']),
};
const auth = (name: keyof typeof principals) => ({ authorization: `Bearer ${name}` });

const COUNTERS: DeviceInput[] = [1, 2, 3].map((i) => ({
  id: `cf-${i}`,
  type: 'CrowdFlowObserved',
  name: `counter ${i}`,
  lon: 106.57 + i * 0.001,
  lat: 29.556,
  metrics: ['peopleCount', 'occupancy'],
}));

describe.each(testBackends)('crowd density on %s', (kind) => {
  let database: Database;
  let app: Api;
  let sensing: SensingService;
  const clock = new ManualClock('2025-11-20T12:00:00+08:00');

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
    for (const d of COUNTERS) await sensing.devices.register(SYSTEM_PRINCIPAL, d);
    app = await createTestApi(principals);
    registerCrowdDensityRoutes(app, { sensing });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  it('refuses anonymous callers', async () => {
    expect((await get('/api/v1/crowd/density')).statusCode).toBe(401);
  });

  it('gives each crowd counter its latest fresh people count as a weighted point', async () => {
    await send('cf-1', '2025-11-20T11:40:00+08:00', { peopleCount: 120, occupancy: 0.3 });
    await send('cf-1', '2025-11-20T11:55:00+08:00', { peopleCount: 180 });
    await send('cf-2', '2025-11-20T11:50:00+08:00', { peopleCount: 40 });
    // cf-3 reported three hours ago: too old for the default hour.
    await send('cf-3', '2025-11-20T09:00:00+08:00', { peopleCount: 500 });
    await sensing.evaluateTimers(clock.now());

    const body = (await get('/api/v1/crowd/density', 'yuzhong')).json();
    expect(body).toMatchObject({ devices: 3, reporting: 2, people: 220 });
    expect(body.items).toEqual([
      {
        deviceId: 'cf-1',
        lon: COUNTERS[0]!.lon,
        lat: 29.556,
        peopleCount: 180,
        occupancy: 0.3,
        at: '2025-11-20T03:55:00.000Z',
      },
      {
        deviceId: 'cf-2',
        lon: COUNTERS[1]!.lon,
        lat: 29.556,
        peopleCount: 40,
        occupancy: null,
        at: '2025-11-20T03:50:00.000Z',
      },
    ]);
    const wider = (await get('/api/v1/crowd/density?maxAgeMinutes=240', 'yuzhong')).json();
    expect(wider).toMatchObject({ reporting: 3, people: 720 });
    expect((await get('/api/v1/crowd/density', 'qijiang')).json()).toMatchObject({ devices: 0, items: [] });
    expect((await get('/api/v1/crowd/density?maxAgeMinutes=x', 'admin')).statusCode).toBe(400);
  });
});
