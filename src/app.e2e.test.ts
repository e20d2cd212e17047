import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { DATAHUB_USERS } from './demo/datahub-demo.ts';
import { DEMO_PASSWORD, prepareCity } from './demo/prepare.ts';
import { SYSTEM_PRINCIPAL } from './platform/access.ts';
import { openTestDatabase, testBackends } from './platform/db/testing.ts';
import { declaredRoutes } from './platform/http/access.ts';
import { createLogger } from './platform/logger.ts';

/** End to end through the public HTTP API of the real app, with the Chongqing demo city loaded. */
describe.each(testBackends)('citybrain app on %s', (kind) => {
  let app: App;
  let dataDir: string;
  const tokens: Record<string, string> = {};

  const call = async (method: 'GET' | 'POST' | 'PATCH', url: string, user?: string, payload?: unknown) => {
    const headers: Record<string, string> = user ? { authorization: `Bearer ${tokens[user]}` } : {};
    const res = await app.http.inject({
      method,
      url,
      headers,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    return { status: res.statusCode, body: res.json() };
  };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-'));
    const config = loadConfig(
      {},
      { dataDir, port: 0, adminPassword: 'admin-password-e2e', tokenSecret: 'e'.repeat(40) },
    );
    app = await createApp({ config, logger: createLogger('silent'), database: await openTestDatabase(kind) });
    const banner = await prepareCity(app, { demo: true });
    expect(banner.join('\n')).toContain('CITYBRAIN_ADMIN_PASSWORD');
    for (const [user, password] of [
      ['admin', 'admin-password-e2e'],
      ['district.yuzhong', DEMO_PASSWORD],
      ['street.jiefangbei', DEMO_PASSWORD],
      ['auditor', DEMO_PASSWORD],
    ]) {
      const res = await call('POST', '/api/v1/auth/login', undefined, { username: user, password });
      expect(res.status).toBe(200);
      tokens[user as string] = res.body.token;
    }
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('reports health with the database engine', async () => {
    const res = await call('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body.database).toMatchObject({ kind, ok: true });
  });

  it('serves an OpenAPI document whose every $ref resolves', async () => {
    const doc = (await call('GET', '/docs/json')).body;
    expect(Object.keys(doc.paths).length).toBeGreaterThan(30);
    const refs = new Set<string>();
    JSON.stringify(doc, (key, value) => {
      if (key === '$ref') refs.add(value);
      return value;
    });
    const resolve = (ref: string) =>
      ref
        .replace('#/', '')
        .split('/')
        .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], doc);
    expect([...refs].filter((ref) => resolve(ref) === undefined)).toEqual([]);
  });

  it('declares who may call every /api/ route, and shows it in the OpenAPI document', async () => {
    const api = declaredRoutes(app.http).filter((r) => r.url.startsWith('/api/'));
    expect(api.length).toBeGreaterThan(80);
    expect(api.filter((r) => r.access === undefined).map((r) => `${r.method} ${r.url}`)).toEqual([]);
    const doc = (await call('GET', '/docs/json')).body as {
      paths: Record<string, Record<string, { 'x-access'?: string; 'x-roles'?: string[] }>>;
    };
    const bare: string[] = [];
    for (const [p, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (p.startsWith('/api/') && !operation['x-access']) bare.push(`${method} ${p}`);
      }
    }
    expect(bare).toEqual([]);
    expect(doc.paths['/api/v1/kpis']?.get).toMatchObject({
      'x-access': 'roles',
      'x-roles': ['city_operator', 'district_operator', 'street_operator', 'auditor'],
    });
    expect(doc.paths['/api/v1/auth/login']?.post?.['x-access']).toBe('public');
  });

  it('has the demo city: 1 hub, 38 districts, 1,031 streets, marked approximate', async () => {
    const districts = await call('GET', '/api/v1/jurisdictions?level=district');
    expect(districts.body.items).toHaveLength(38);
    expect(districts.body.approximate).toBe(true);
    expect((await call('GET', '/api/v1/jurisdictions?level=street')).body.items).toHaveLength(1031);
    expect((await call('GET', '/api/v1/jurisdictions?level=city')).body.items).toHaveLength(1);
  });

  it('locates Jiefangbei to 重庆市 / 渝中区 / 解放碑街道 and refuses points outside the city', async () => {
    const res = await call('GET', '/api/v1/jurisdictions/locate?lon=106.577&lat=29.557');
    expect(res.body.chain.map((c: { name: string }) => c.name)).toEqual(['重庆市', '渝中区', '解放碑街道']);
    const outside = await call('GET', '/api/v1/jurisdictions/locate?lon=116.4&lat=39.9');
    expect(outside.status).toBe(422);
    expect(outside.body.error.code).toBe('outside_city');
  });

  it('scopes teams: a street sees its street, a district its streets, the city everything', async () => {
    const street = await call('GET', '/api/v1/teams?limit=500', 'street.jiefangbei');
    expect(street.body.items.length).toBeGreaterThan(0);
    for (const t of street.body.items) expect(t.jurisdictionPath).toBe('50/500103/500103003');
    const district = await call('GET', '/api/v1/teams?limit=500', 'district.yuzhong');
    const districtPaths = new Set(
      district.body.items.map((t: { jurisdictionPath: string }) => t.jurisdictionPath),
    );
    expect(districtPaths.size).toBeGreaterThan(2);
    for (const p of districtPaths) expect(p).toMatch(/^50\/500103(\/|$)/);
    const city = await call('GET', '/api/v1/teams?limit=1', 'admin');
    expect(city.body.total).toBeGreaterThan(district.body.total);
  });

  it('hides and protects another street’s records from a street operator', async () => {
    const other = await call('GET', '/api/v1/teams?limit=1&jurisdiction=500103001', 'admin');
    const team = other.body.items[0];
    expect(team.jurisdictionPath).toBe('50/500103/500103001');
    const read = await call('GET', `/api/v1/teams/${team.id}`, 'street.jiefangbei');
    expect(read.status).toBe(404);
    const change = await call('PATCH', `/api/v1/teams/${team.id}`, 'street.jiefangbei', { onDuty: false });
    expect(change.status).toBe(404);
    const after = await call('GET', `/api/v1/teams/${team.id}`, 'admin');
    expect(after.body.onDuty).toBe(team.onDuty);
    const district = await call('GET', `/api/v1/teams/${team.id}`, 'district.yuzhong');
    expect(district.status).toBe(200);
  });

  it('answers wrong credentials and missing tokens with 401 and a code', async () => {
    const wrong = await call('POST', '/api/v1/auth/login', undefined, {
      username: 'admin',
      password: 'nope-nope',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('unauthenticated');
    expect((await call('GET', '/api/v1/teams')).status).toBe(401);
  });

  it('imports nothing from a bad boundary file and keeps what was stored', async () => {
    const before = (await call('GET', '/api/v1/jurisdictions?level=street')).body.items.length;
    const square = (x: number) => [
      [
        [x, 29],
        [x + 0.01, 29],
        [x + 0.01, 29.01],
        [x, 29.01],
        [x, 29],
      ],
    ];
    const file = {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { code: '500103901', name: '新街道' },
          geometry: { type: 'Polygon', coordinates: square(106.5) },
        },
        {
          type: 'Feature',
          properties: { code: '500103902' },
          geometry: { type: 'Polygon', coordinates: square(106.6) },
        },
      ],
    };
    const res = await call('POST', '/api/v1/jurisdictions/import?level=street', 'admin', file);
    expect(res.status).toBe(422);
    expect(res.body.error.details).toMatchObject({ feature: 1, code: '500103902' });
    expect((await call('GET', '/api/v1/jurisdictions?level=street')).body.items).toHaveLength(before);
    expect(
      (await call('POST', '/api/v1/jurisdictions/import?level=street', 'district.yuzhong', file)).status,
    ).toBe(403);
  });

  it('files the platform’s algorithms as in use and publishes the register', async () => {
    const register = await call('GET', '/api/v1/public/algorithms?lang=en');
    expect(register.status).toBe(200);
    const text = JSON.stringify(register.body);
    expect(text).toContain('in_use');
    const page = await app.http.inject({ method: 'GET', url: '/algorithms' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<html lang="zh-CN"');
  });

  it("serves the platform's own events through the exchange gateway, filtered, under the negative list", async () => {
    const { event } = await app.services.centre.events.intake(SYSTEM_PRINCIPAL, 'system', {
      description: '较场口夜市烧烤油烟太大 13812345678',
      location: { lon: 106.574, lat: 29.551 },
      category: 'barbecue_smoke',
    });
    const login = await call('POST', '/api/v1/auth/login', undefined, {
      username: DATAHUB_USERS.authority,
      password: DEMO_PASSWORD,
    });
    tokens.authority = login.body.token;
    const consumer = await call('POST', '/api/v1/datahub/consumers', 'authority', {
      name: 'ecology e2e',
      departmentCode: '50:ecology_environment',
    });
    expect(consumer.status).toBe(201);
    const exchange = (fields?: string[]) =>
      app.http.inject({
        method: 'POST',
        url: '/api/v1/datahub/exchange',
        headers: { 'x-api-key': consumer.body.key },
        payload: {
          resourceId: 'cb-events',
          purpose: 'air_pollution_supervision',
          filters: [{ field: 'category', op: 'eq', value: 'barbecue_smoke' }],
          ...(fields ? { fields } : {}),
        },
      });
    // The demo list keeps the big data bureau's personal fields (the citizens' words) unshared.
    const denied = await exchange();
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.details.reason).toBe('negative_list');
    const res = await exchange(['event_id', 'category', 'status', 'jurisdiction_code', 'created_at']);
    expect(res.statusCode, res.body).toBe(200);
    const rows = res.json().rows as Record<string, unknown>[];
    expect(rows.every((r) => r.category === 'barbecue_smoke')).toBe(true);
    expect(rows.find((r) => r.event_id === event.id)).toEqual({
      event_id: event.id,
      category: 'barbecue_smoke',
      status: event.status,
      jurisdiction_code: event.jurisdictionCode,
      created_at: event.createdAt,
    });
    // The other platform resources are served from their read models too.
    const read = async (resourceId: string, filters: unknown[] = []) => {
      const r = await app.http.inject({
        method: 'POST',
        url: '/api/v1/datahub/exchange',
        headers: { 'x-api-key': consumer.body.key },
        payload: { resourceId, purpose: 'supervision', filters, limit: 20 },
      });
      expect(r.statusCode, r.body).toBe(200);
      return r.json().rows as Record<string, unknown>[];
    };
    const devices = await read('cb-devices');
    expect(devices.length).toBeGreaterThan(0);
    const kind = devices[0]?.kind;
    expect(
      (await read('cb-devices', [{ field: 'kind', op: 'eq', value: kind }])).every((d) => d.kind === kind),
    ).toBe(true);
    expect(Array.isArray(await read('cb-readings', [{ field: 'kind', op: 'eq', value: kind }]))).toBe(true);
    expect(Array.isArray(await read('cb-alerts'))).toBe(true);
    expect((await read('cb-kpis')).find((k) => k.kpi === 'events')?.value).toBeGreaterThan(0);
  });

  it('runs the demo preparation again without adding anything', async () => {
    const before = await call('GET', '/api/v1/audit/verify', 'auditor');
    await prepareCity(app, { demo: true });
    const after = await call('GET', '/api/v1/audit/verify', 'auditor');
    expect(after.body.checked).toBe(before.body.checked);
  });

  it('detects a tampered audit entry (last: it breaks the chain)', async () => {
    const intact = await call('GET', '/api/v1/audit/verify', 'auditor');
    expect(intact.body).toMatchObject({ ok: true });
    expect(intact.body.checked).toBeGreaterThan(5);
    expect((await call('GET', '/api/v1/audit/verify', 'street.jiefangbei')).status).toBe(403);
    const db = app.database.db;
    await sql`alter table audit_log disable trigger audit_log_append_only`.execute(db);
    await sql`update audit_log set actor_id = 'someone-else' where seq = 2`.execute(db);
    const broken = await call('GET', '/api/v1/audit/verify', 'auditor');
    expect(broken.body).toMatchObject({ ok: false, firstBroken: { seq: 2 } });
  });
});
