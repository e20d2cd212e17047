import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../platform/db/database.ts';
import { testBackends } from '../../platform/db/testing.ts';
import type { Api } from '../../platform/http/server.ts';
import { createTestApi, testPrincipal } from '../../platform/http/testing.ts';
import { manyStreets, openJurisdictions, syntheticCity } from './jurisdictions.fixture.ts';
import { registerJurisdictionRoutes } from './jurisdictions.routes.ts';

const principals = {
  admin: testPrincipal('50', ['admin']),
  operator: testPrincipal('50/500101', ['district_operator']),
};
const IMPORT =
  '/api/v1/jurisdictions/import?level=auto&codeProperty=code&parentProperty=parent&nameEnProperty=name_en';

describe.each(testBackends)('jurisdiction routes on %s', (kind) => {
  let database: Database;
  let app: Api;
  const get = (url: string) => app.inject({ method: 'GET', url });
  const post = (url: string, payload: unknown, as?: keyof typeof principals) =>
    app.inject({
      method: 'POST',
      url,
      payload: payload as object,
      headers: as ? { authorization: `Bearer ${as}` } : {},
    });

  beforeAll(async () => {
    const opened = await openJurisdictions(kind);
    database = opened.database;
    app = await createTestApi(principals);
    registerJurisdictionRoutes(app, { jurisdictions: opened.service });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  it('lets only admins import', async () => {
    expect((await post(IMPORT, syntheticCity())).json().error.code).toBe('unauthenticated');
    const refused = await post(IMPORT, syntheticCity(), 'operator');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('forbidden');
    const done = await post(IMPORT, syntheticCity(), 'admin');
    expect(done.statusCode).toBe(200);
    expect(done.json()).toEqual({
      count: 7,
      created: 7,
      updated: 0,
      byLevel: { city: 1, district: 2, street: 4 },
    });
  });

  it('answers an invalid file with 422 invalid_data naming the feature', async () => {
    const file = syntheticCity();
    (file.features[2] as { properties: Record<string, unknown> }).properties.parent = '49';
    const res = await post(IMPORT, file, 'admin');
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({
      code: 'invalid_data',
      message: 'feature 2 (code 500102): parent 49 is neither stored nor earlier in the file',
      details: { feature: 2, code: '500102', problem: 'parent 49 is neither stored nor earlier in the file' },
    });
    expect((await post('/api/v1/jurisdictions/import?level=town', file, 'admin')).json().error.code).toBe(
      'invalid_request',
    );
  });

  it('accepts bodies above the server-wide 1 MiB limit', async () => {
    const file = manyStreets(3, () => '大街道');
    (file.features[0] as { properties: Record<string, unknown> }).properties.note = 'x'.repeat(1_500_000);
    const res = await post('/api/v1/jurisdictions/import?level=street&parentProperty=parent', file, 'admin');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ created: 3 });
  });

  it('lists with the approximate flag, and children', async () => {
    const res = await get('/api/v1/jurisdictions?level=district');
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((i: { code: string }) => i.code)).toEqual(['500101', '500102']);
    expect(res.json().approximate).toBe(false);
    expect(res.json().items[0]).not.toHaveProperty('geometry');
    const children = (await get('/api/v1/jurisdictions/500101/children')).json();
    expect(children.items.map((i: { code: string }) => i.code)).toEqual(['500101001', '500101002']);
    expect((await get('/api/v1/jurisdictions?level=town')).json().error.code).toBe('invalid_request');
  });

  it('gets one node with geometry, 404 for unknown codes', async () => {
    const res = await get('/api/v1/jurisdictions/500101001');
    expect(res.json()).toMatchObject({ path: '50/500101/500101001', geometry: { type: 'MultiPolygon' } });
    for (const url of ['/api/v1/jurisdictions/999', '/api/v1/jurisdictions/999/children']) {
      const missing = await get(url);
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toEqual({
        error: {
          code: 'not_found',
          message: "jurisdiction '999' not found",
          details: { kind: 'jurisdiction', key: '999' },
        },
      });
    }
  });

  it('locates points, 400 for bad coordinates, 422 outside_city outside', async () => {
    const inside = await get('/api/v1/jurisdictions/locate?lon=106.3&lat=29.1');
    expect(inside.json()).toEqual({
      chain: [
        { code: '50', name: '测试市', level: 'city' },
        { code: '500102', name: '东区', level: 'district' },
        { code: '500102001', name: '东南街道', level: 'street' },
      ],
      approximate: false,
    });
    for (const query of ['lon=abc&lat=29', 'lon=106&lat=95', 'lon=181&lat=29', 'lat=29', 'lon=&lat=0']) {
      const res = await get(`/api/v1/jurisdictions/locate?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error.code).toBe('invalid_request');
    }
    const outside = await get('/api/v1/jurisdictions/locate?lon=106.3&lat=29.3');
    expect(outside.statusCode).toBe(422);
    expect(outside.json().error).toMatchObject({
      code: 'outside_city',
      message: '(106.3, 29.3) lies outside the city',
    });
  });

  it('serves map layers as GeoJSON and documents every route in OpenAPI', async () => {
    const res = await get('/api/v1/jurisdictions.geojson?level=street&parent=500101');
    expect(res.headers['content-type']).toMatch(/^application\/geo\+json/);
    expect(res.json().features.map((f: { properties: { code: string } }) => f.properties.code)).toEqual([
      '500101001',
      '500101002',
    ]);
    const paths = Object.keys((await get('/docs/json')).json().paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/jurisdictions',
        '/api/v1/jurisdictions/locate',
        '/api/v1/jurisdictions.geojson',
        '/api/v1/jurisdictions/{code}',
        '/api/v1/jurisdictions/{code}/children',
        '/api/v1/jurisdictions/import',
      ]),
    );
  });
});
