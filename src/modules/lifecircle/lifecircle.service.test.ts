import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import { ManualClock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { openTestDatabase, testBackends } from '../../platform/db/testing.ts';
import type { Api } from '../../platform/http/server.ts';
import { createTestApi, testPrincipal } from '../../platform/http/testing.ts';
import { AuditLog, auditMigrations } from '../audit/index.ts';
import { FIXTURE_ROADS, FIXTURE_STREETS } from './lifecircle.fixture.ts';
import { lifecircleMigrations } from './lifecircle.migrations.ts';
import { registerLifeCircleRoutes } from './lifecircle.routes.ts';
import { LifeCircleService } from './lifecircle.service.ts';

/** Storage (facility import, the demo flag) and the routes, on each database engine, over the two-street fixture. */
describe.each(testBackends)('life circle on %s', (kind) => {
  const clock = new ManualClock('2026-12-07T09:00:00+08:00');
  let database: Database;
  let lifecircle: LifeCircleService;
  let api: Api;
  const admin = testPrincipal('50', ['admin']);
  const street = testPrincipal('50/500103/500103002', ['street_operator']);
  const get = async (url: string, token = 'street') =>
    api.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
  const post = async (body: unknown, token = 'admin') =>
    api.inject({
      method: 'POST',
      url: '/api/v1/lifecircle/facilities',
      payload: body as object,
      headers: { authorization: `Bearer ${token}` },
    });

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrateToLatest(database.db, [auditMigrations, lifecircleMigrations]);
    lifecircle = new LifeCircleService({
      db: database.db,
      audit: new AuditLog(clock),
      clock,
      streets: async () => FIXTURE_STREETS,
      roads: async () => FIXTURE_ROADS,
    });
    api = await createTestApi({ admin, street });
    registerLifeCircleRoutes(api, { lifecircle });
    await api.ready();
  });
  afterAll(async () => {
    await api?.close();
    await database?.close();
  });

  it('refuses a file with a row without coordinates or an unknown category, naming it; nothing stored', async () => {
    const csv = 'id,name,category,lon,lat\ne1,老年食堂,elderly_care,106.5,29.5\ne2,无坐标,park,,\n';
    const r = await post({ format: 'csv', content: csv });
    expect(r.statusCode).toBe(422);
    expect(r.json().error).toMatchObject({
      code: 'invalid_data',
      details: { row: 2, id: 'e2', reason: 'missing_coordinates' },
    });
    const j = await post({
      format: 'json',
      content: JSON.stringify([{ id: 'x', name: 'x', category: '赌场', lon: 106.5, lat: 29.5 }]),
    });
    expect(j.statusCode).toBe(422);
    expect(j.json().error.details).toMatchObject({ row: 1, reason: 'unknown_category' });
    expect((await post({ format: 'csv', content: csv }, 'street')).statusCode).toBe(403);
    expect(await lifecircle.facilities()).toEqual([]);
  });

  it('imports facilities and reports coverage per street, scoped to the caller', async () => {
    const r = await post({
      format: 'csv',
      content: 'id,name,category,lon,lat\ne1,老年食堂,养老服务,106.5,29.5\np1,公园,park,106.523,29.5\n',
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ imported: 2, byCategory: { elderly_care: 1, park: 1 } });
    const again = await post({
      format: 'json',
      content: JSON.stringify({
        facilities: [
          { id: 'e1', name: '老年食堂（迁址）', category: 'elderly_care', lon: 106.501, lat: 29.5 },
        ],
      }),
    });
    expect(again.statusCode).toBe(200);
    expect((await lifecircle.facilities()).map((f) => f.name).sort()).toEqual(['公园', '老年食堂（迁址）']);
    const all = (await lifecircle.report(SYSTEM_PRINCIPAL, {})).streets;
    expect(all.map((s) => s.code)).toEqual(['500103001', '500103002']);
    expect(all[0]!.share.elderly_care).toBeGreaterThan(0.3);
    expect(all[1]!.share.park).toBeGreaterThan(0.3);
    const mine = await get('/api/v1/lifecircle/coverage');
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.json().streets.map((s: { code: string }) => s.code)).toEqual(['500103002']);
    expect(mine.json().data).toMatchObject({ facilities: { imported: 2, synthetic: 0 } });
    expect(mine.json().data.population).toContain('synthetic');
    expect((await get('/api/v1/lifecircle/streets/500103001')).statusCode).toBe(404);
    const one = await get('/api/v1/lifecircle/streets/500103002');
    expect(one.json().street).toEqual(mine.json().streets[0]);
  });

  it('answers the gap list and the best sites for one more elderly canteen; bad queries are 400', async () => {
    const gaps = (await get('/api/v1/lifecircle/gaps?limit=3', 'admin')).json();
    expect(gaps.items).toHaveLength(3);
    expect(gaps.items[0].uncovered).toBeGreaterThanOrEqual(gaps.items[1].uncovered);
    const best = await get('/api/v1/lifecircle/best-sites?category=elderly_care&limit=3', 'admin');
    expect(best.statusCode, best.body).toBe(200);
    expect(['甲街道', '乙镇']).toContain(best.json().items[0].streetName);
    expect(best.json().items[0].gain).toBeGreaterThan(0);
    expect((await get('/api/v1/lifecircle/best-sites?category=casino', 'admin')).json().error.code).toBe(
      'invalid_request',
    );
    expect((await get('/api/v1/lifecircle/gaps?limit=0', 'admin')).statusCode).toBe(400);
    for (const url of [
      '/api/v1/lifecircle/coverage?area=%00x',
      '/api/v1/lifecircle/best-sites?candidates=abc',
      '/api/v1/lifecircle/best-sites?limit=1000',
      '/api/v1/lifecircle/gaps?category=education&area=a%2Fb',
      '/api/v1/lifecircle/streets/%E2%80%AE..',
    ]) {
      const r = await get(url, 'admin');
      expect(r.statusCode, url).toBe(400);
      expect(r.json().error.code, url).toMatch(/^invalid_/);
    }
    expect((await get('/api/v1/lifecircle/best-sites?area=999999', 'admin')).statusCode).toBe(404);
    expect((await api.inject({ method: 'GET', url: '/api/v1/lifecircle/coverage' })).statusCode).toBe(401);
  });

  it('adds the synthetic demo facilities, labelled, when the demo is on', async () => {
    await lifecircle.enableDemo();
    const r = await lifecircle.report(SYSTEM_PRINCIPAL, {});
    expect(r.data.facilities.synthetic).toBeGreaterThan(20);
    expect(r.data.facilities.imported).toBe(2);
  });
});
