import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { openTestDatabase, testBackends } from '../../platform/db/testing.ts';
import type { Api } from '../../platform/http/server.ts';
import { createTestApi, testPrincipal } from '../../platform/http/testing.ts';
import { AuditLog, auditMigrations } from '../audit/index.ts';
import { DEFAULT_RULES_DIR, loadRuleFiles } from './rules/rules.loader.ts';
import { PUHE_STATION, testLocator } from './sensing.fixture.ts';
import { sensingMigrations } from './sensing.migrations.ts';
import { registerSensingRoutes } from './sensing.routes.ts';
import { SensingService } from './sensing.service.ts';

const principals = {
  admin: testPrincipal('', ['admin']),
  key: { ...testPrincipal('', ['admin']), kind: 'api_key' as const, id: 'key-1' },
  yuzhongKey: { ...testPrincipal('50/500103', ['admin']), kind: 'api_key' as const, id: 'key-2' },
  qijiang: testPrincipal('50/500110', ['district_operator']),
  yuzhong: testPrincipal('50/500103', ['district_operator']),
};
const auth = (name: keyof typeof principals) => ({ authorization: `Bearer ${name}` });
const now = () => new Date().toISOString();

describe.each(testBackends)('sensing HTTP routes on %s', (kind) => {
  let database: Database;
  let app: Api;
  let secret = '';

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrateToLatest(database.db, [auditMigrations, sensingMigrations]);
    const clock = new ManualClock(new Date());
    const sensing = new SensingService({
      db: database.db,
      audit: new AuditLog(clock),
      clock,
      locator: testLocator,
      rules: loadRuleFiles(DEFAULT_RULES_DIR),
    });
    app = await createTestApi(principals);
    registerSensingRoutes(app, { sensing });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  it('registers a device for admins only and shows the secret once', async () => {
    const refused = await app.inject({
      method: 'POST',
      url: '/api/v1/devices',
      headers: auth('qijiang'),
      payload: PUHE_STATION,
    });
    expect(refused.statusCode).toBe(403);
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/devices',
      headers: auth('admin'),
      payload: PUHE_STATION,
    });
    expect(res.statusCode).toBe(201);
    secret = res.json().secret;
    expect(res.json().device).toMatchObject({
      id: PUHE_STATION.id,
      jurisdictionCode: '500110001',
      status: 'offline',
    });
    const get = await app.inject({
      method: 'GET',
      url: `/api/v1/devices/${PUHE_STATION.id}`,
      headers: auth('qijiang'),
    });
    expect(get.statusCode).toBe(200);
    expect(JSON.stringify(get.json())).not.toContain(secret);
    const hidden = await app.inject({
      method: 'GET',
      url: `/api/v1/devices/${PUHE_STATION.id}`,
      headers: auth('yuzhong'),
    });
    expect(hidden.statusCode).toBe(404);
  });

  it('imports all or nothing, naming the bad row', async () => {
    const content =
      'id,type,name,lon,lat\ncf-1,CrowdFlowObserved,a,106.577,29.557\ncf-2,CrowdFlowObserved,b,0,0\n';
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/devices/import',
      headers: auth('admin'),
      payload: { format: 'csv', content },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error).toMatchObject({
      code: 'outside_city',
      message: expect.stringMatching(/^row 3:/),
    });
    const list = await app.inject({
      method: 'GET',
      url: '/api/v1/devices?type=CrowdFlowObserved',
      headers: auth('admin'),
    });
    expect(list.json().items).toEqual([]);
  });

  it('serves the map’s device points as columns, scoped and narrowed to an area', async () => {
    const points = async (query: string, who: keyof typeof principals = 'admin') =>
      (await app.inject({ method: 'GET', url: `/api/v1/devices/points${query}`, headers: auth(who) })).json();
    const all = await points('');
    const listed = (
      await app.inject({ method: 'GET', url: '/api/v1/devices?limit=5000', headers: auth('admin') })
    ).json().items as { id: string; type: string; status: string; location: { lon: number; lat: number } }[];
    expect(all.count).toBe(listed.length);
    expect(all.count).toBeGreaterThan(0);
    // The same devices, in the same order, as the list says: id, type, status, position.
    expect(
      all.ids.map((id: string, i: number) => ({
        id,
        type: all.types[all.type[i]],
        status: all.statuses[all.status[i]],
        lon: all.lon[i],
        lat: all.lat[i],
      })),
    ).toEqual(
      listed.map((d) => ({
        id: d.id,
        type: d.type,
        status: d.status,
        lon: Math.round(d.location.lon * 1e5) / 1e5,
        lat: Math.round(d.location.lat * 1e5) / 1e5,
      })),
    );
    // A district operator sees only their district; an area narrows; another district's area gives nothing.
    expect((await points('', 'qijiang')).ids).toEqual([PUHE_STATION.id]);
    expect((await points('?area=500110001')).ids).toEqual([PUHE_STATION.id]);
    expect((await points('?area=500103', 'qijiang')).count).toBe(0);
    const bad = await app.inject({
      method: 'GET',
      url: '/api/v1/devices/points?status=asleep',
      headers: auth('admin'),
    });
    expect([bad.statusCode, bad.json().error.code]).toEqual([400, 'invalid_request']);
    // A whole-city view asks for 3 decimals (about 100 m): the same devices, positions rounded.
    const coarse = await points('?decimals=3');
    expect(coarse.ids).toEqual(all.ids);
    expect(coarse.lon).toEqual(listed.map((d) => Math.round(d.location.lon * 1e3) / 1e3));
    expect(coarse.lat).toEqual(listed.map((d) => Math.round(d.location.lat * 1e3) / 1e3));
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/devices/points?decimals=2', headers: auth('admin') }))
        .statusCode,
    ).toBe(400);
  });

  it('takes observation batches from a device with its credentials', async () => {
    const body = [
      { observedAt: now(), O2: 6.1, NH4: 1.8 },
      { observedAt: now(), O2: 'x' },
    ];
    const headers = { 'x-device-id': PUHE_STATION.id, 'x-device-secret': secret };
    const res = await app.inject({ method: 'POST', url: '/api/v1/observations', headers, payload: body });
    expect(res.statusCode).toBe(202);
    // NH4 1.8 mg/L is worse than class III (1.0): the threshold rule raises an alert at once.
    expect(res.json()).toEqual({
      received: 2,
      deadLettered: 1,
      stored: 2,
      duplicates: 0,
      alertsRaised: 1,
      alertsCleared: 0,
    });
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/v1/observations',
      headers: { ...headers, 'x-device-secret': 'nope' },
      payload: body,
    });
    expect(wrong.statusCode).toBe(401);
    const other = await app.inject({
      method: 'POST',
      url: '/api/v1/observations',
      headers,
      payload: [{ deviceId: 'someone-else', observedAt: now(), O2: 1 }],
    });
    expect(other.statusCode).toBe(403);
  });

  it('takes batches from an admin API key, not from users or anonymous callers', async () => {
    const body = [{ deviceId: PUHE_STATION.id, observedAt: now(), O2: 6.3 }];
    const key = await app.inject({
      method: 'POST',
      url: '/api/v1/observations',
      headers: auth('key'),
      payload: body,
    });
    expect(key.statusCode).toBe(202);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/v1/observations',
          headers: auth('admin'),
          payload: body,
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (await app.inject({ method: 'POST', url: '/api/v1/observations', payload: body })).statusCode,
    ).toBe(401);
  });

  it('refuses an API key observations of a device outside its jurisdiction or unknown, as a read would (404, nothing stored)', async () => {
    const count = async () =>
      (
        await app.inject({
          method: 'GET',
          url: `/api/v1/devices/${PUHE_STATION.id}/observations?rollup=raw&metric=O2&from=${new Date(Date.now() - 3_600_000).toISOString()}&to=${new Date(Date.now() + 3_600_000).toISOString()}`,
          headers: auth('admin'),
        })
      ).json().items.length as number;
    const before = await count();
    for (const deviceId of [PUHE_STATION.id, 'no-such-device']) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/observations',
        headers: auth('yuzhongKey'),
        // The first item would be fine for a city key: the whole batch is refused.
        payload: [
          { deviceId: PUHE_STATION.id, observedAt: now(), O2: 6.2 },
          { deviceId, observedAt: now(), O2: 6.2 },
        ],
      });
      expect(res.statusCode).toBe(404);
      expect(res.json().error).toMatchObject({
        code: 'not_found',
        message: "item 0: no device 'PUHE'".replace('PUHE', PUHE_STATION.id),
      });
    }
    expect(await count()).toBe(before);
  });

  it('serves raw series, dead letters and rules', async () => {
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const series = await app.inject({
      method: 'GET',
      url: `/api/v1/devices/${PUHE_STATION.id}/observations?rollup=raw&metric=O2&from=${from}&to=${to}`,
      headers: auth('qijiang'),
    });
    expect(series.statusCode).toBe(200);
    expect(series.json().items.map((p: { value: number }) => p.value)).toEqual([6.1, 6.3]);
    const letters = await app.inject({ method: 'GET', url: '/api/v1/dead-letters', headers: auth('admin') });
    expect(letters.json().items).toEqual([
      expect.objectContaining({ reason: 'wrong_type', deviceId: PUHE_STATION.id }),
    ]);
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/dead-letters', headers: auth('qijiang') })).statusCode,
    ).toBe(403);
    const rules = await app.inject({ method: 'GET', url: '/api/v1/rules', headers: auth('yuzhong') });
    expect(rules.json().items.map((r: { id: string }) => r.id)).toContain('water.o2.daily-mean-below-target');
  });

  it('lists, acknowledges and clears alerts within scope', async () => {
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/alerts', headers: auth('yuzhong') })).json().items,
    ).toEqual([]);
    const list = await app.inject({
      method: 'GET',
      url: '/api/v1/alerts?status=open',
      headers: auth('qijiang'),
    });
    const [alert] = list.json().items;
    expect(alert).toMatchObject({
      ruleId: 'water.nh4.above-target',
      description: '蒲河寨溪大桥断面 氨氮 1.8 mg/L 超过III类标准(1 mg/L)',
    });
    const ack = await app.inject({
      method: 'POST',
      url: `/api/v1/alerts/${alert.id}/ack`,
      headers: auth('qijiang'),
    });
    expect(ack.json()).toMatchObject({ status: 'acknowledged' });
    const again = await app.inject({
      method: 'POST',
      url: `/api/v1/alerts/${alert.id}/ack`,
      headers: auth('qijiang'),
    });
    expect(again.statusCode).toBe(409);
    const outsider = await app.inject({
      method: 'POST',
      url: `/api/v1/alerts/${alert.id}/clear`,
      headers: auth('yuzhong'),
    });
    expect(outsider.statusCode).toBe(404);
    const clear = await app.inject({
      method: 'POST',
      url: `/api/v1/alerts/${alert.id}/clear`,
      headers: auth('qijiang'),
    });
    expect(clear.json()).toMatchObject({ status: 'cleared', clearReason: 'manual' });
  });

  it('documents every route in OpenAPI under the sensing tag', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    for (const path of [
      '/api/v1/devices',
      '/api/v1/observations',
      '/api/v1/alerts/{id}/ack',
      '/api/v1/dead-letters',
      '/api/v1/rules',
    ]) {
      expect(Object.values(doc.paths[path]).map((op) => (op as { tags: string[] }).tags)).toContainEqual([
        'sensing',
      ]);
    }
  });
});
