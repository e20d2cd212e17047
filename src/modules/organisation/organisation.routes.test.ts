import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import { testBackends } from '../../platform/db/testing.ts';
import type { Api } from '../../platform/http/server.ts';
import { createTestApi, testPrincipal } from '../../platform/http/testing.ts';
import { type OrgFixture, openOrgFixture, TEST_NODES } from './organisation.fixtures.ts';
import { registerOrganisationRoutes } from './organisation.routes.ts';

const principals = {
  admin: SYSTEM_PRINCIPAL,
  city: testPrincipal('50', ['city_operator']),
  yuzhong: testPrincipal('50/500103', ['district_operator']),
  jiefangbei: testPrincipal('50/500103/500103003', ['street_operator']),
  qixinggang: testPrincipal('50/500103/500103001', ['street_operator']),
  officer: testPrincipal('50/500103/500103003', ['field_officer']),
};
type Who = keyof typeof principals;

describe.each(testBackends)('organisation routes on %s', (kind) => {
  let f: OrgFixture;
  let app: Api;
  let teamId: string;
  const call = (who: Who | null, method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: object) =>
    app.inject({ method, url, payload, headers: who ? { authorization: `Bearer ${who}` } : {} });

  beforeAll(async () => {
    f = await openOrgFixture(kind);
    await f.organisation.structure.generate(SYSTEM_PRINCIPAL, TEST_NODES, { demoTeams: true, seed: 3 });
    await f.organisation.responsibilities.loadFile(SYSTEM_PRINCIPAL);
    app = await createTestApi(principals);
    registerOrganisationRoutes(app, { organisation: f.organisation });
    await app.ready();
    teamId = (await call('jiefangbei', 'GET', '/api/v1/teams?kind=enforcement_squad')).json().items[0].id;
  });
  afterAll(async () => {
    await app?.close();
    await f?.database.close();
  });

  it('asks for credentials with the one error shape', async () => {
    const res = await call(null, 'GET', '/api/v1/department-types');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: { code: 'unauthenticated', message: expect.any(String) } });
  });

  it('serves department types, departments, centres and domains', async () => {
    expect((await call('officer', 'GET', '/api/v1/department-types')).json().items).toHaveLength(25);
    const departments = (
      await call('officer', 'GET', '/api/v1/departments?jurisdiction=500103&level=district')
    ).json();
    expect(departments.total).toBe(25);
    expect(departments.items.map((d: { name: string }) => d.name)).toContain('渝中区城市管理局');
    const centres = (await call('officer', 'GET', '/api/v1/centres?level=street')).json();
    expect(centres.total).toBe(4);
    const domains = (await call('officer', 'GET', '/api/v1/domains')).json().items;
    expect(domains).toHaveLength(12);
    expect(domains[0]).toMatchObject({ code: 'planning', zh: '规划管控', categories: expect.any(Number) });
  });

  it('scopes team reads: another street gets 404, the district sees it', async () => {
    const other = await call('qixinggang', 'GET', `/api/v1/teams/${teamId}`);
    expect(other.statusCode).toBe(404);
    expect(other.json().error).toMatchObject({ code: 'not_found', message: `team '${teamId}' not found` });
    expect((await call('yuzhong', 'GET', `/api/v1/teams/${teamId}`)).json().jurisdictionCode).toBe(
      '500103003',
    );
    const points = await call('jiefangbei', 'GET', '/api/v1/teams/points?onDuty=true');
    expect(points.statusCode).toBe(200);
    expect(points.json().paths).toEqual(['50/500103/500103003']);
    // Positions to 3 decimals (a whole-city view) round the 5-decimal ones.
    const coarse = (await call('jiefangbei', 'GET', '/api/v1/teams/points?onDuty=true&decimals=3')).json();
    expect(coarse.codes).toEqual(points.json().codes);
    expect(coarse.lon).toEqual(points.json().lon.map((x: number) => Math.round(x * 1e3) / 1e3));
    expect((await call('jiefangbei', 'GET', '/api/v1/teams/points?decimals=6')).statusCode).toBe(400);
    expect((await call('jiefangbei', 'GET', '/api/v1/teams/points?kind=wizard')).json().error.code).toBe(
      'invalid_request',
    );
    const list = (await call('jiefangbei', 'GET', '/api/v1/teams?onDuty=true&limit=5')).json();
    expect(list.limit).toBe(5);
    expect(
      list.items.every(
        (t: { onDuty: boolean; jurisdictionCode: string }) => t.onDuty && t.jurisdictionCode === '500103003',
      ),
    ).toBe(true);
  });

  it('scopes team writes and checks roles', async () => {
    expect((await call('qixinggang', 'PATCH', `/api/v1/teams/${teamId}`, { onDuty: false })).statusCode).toBe(
      404,
    );
    const denied = await call('officer', 'PATCH', `/api/v1/teams/${teamId}`, { onDuty: false });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe('forbidden');
    const ok = await call('jiefangbei', 'PATCH', `/api/v1/teams/${teamId}`, { onDuty: false, capacity: 5 });
    expect(ok.json()).toMatchObject({ onDuty: false, capacity: 5 });
    const moved = await call('officer', 'PUT', `/api/v1/teams/${teamId}/position`, {
      lon: 106.574,
      lat: 29.551,
    });
    expect(moved.json().position).toMatchObject({ lon: 106.574, lat: 29.551 });
  });

  it('validates team bodies and queries with 400 invalid_request', async () => {
    const empty = await call('jiefangbei', 'PATCH', `/api/v1/teams/${teamId}`, {});
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.code).toBe('invalid_request');
    const badSkill = await call('jiefangbei', 'POST', '/api/v1/teams', {
      code: 'a',
      name: 'a',
      kind: 'grid_worker',
      departmentCode: 'x',
      jurisdictionCode: '500103003',
      base: { lon: 1, lat: 1 },
      skills: ['flying'],
    });
    expect(badSkill.statusCode).toBe(400);
    expect((await call('admin', 'GET', '/api/v1/teams?kind=wizard')).statusCode).toBe(400);
    const created = await call('jiefangbei', 'POST', '/api/v1/teams', {
      code: 'jfb-1',
      name: '解放碑夜巡组',
      kind: 'grid_worker',
      departmentCode: '500103003:government',
      jurisdictionCode: '500103003',
      base: { lon: 106.577, lat: 29.557 },
      skills: ['inspection'],
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      onDuty: false,
      capacity: 1,
      jurisdictionPath: '50/500103/500103003',
    });
  });

  it('edits the responsibility list with versions, roles and invalid_data', async () => {
    const forbidden = await call('yuzhong', 'PUT', '/api/v1/responsibilities/barbecue_smoke', {
      cityPower: true,
    });
    expect(forbidden.statusCode).toBe(403);
    const bad = await call('city', 'PUT', '/api/v1/responsibilities/barbecue_smoke', {
      limits: { arriveMinutes: 5 },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error).toMatchObject({ code: 'invalid_data', details: { category: 'barbecue_smoke' } });
    const ok = await call('city', 'PUT', '/api/v1/responsibilities/barbecue_smoke', {
      limits: { resolveMinutes: 165 },
    });
    expect(ok.json()).toMatchObject({ revision: 2, limits: { resolveMinutes: 165 } });
    const withHistory = (
      await call('officer', 'GET', '/api/v1/responsibilities/barbecue_smoke?history=true')
    ).json();
    expect(withHistory.rule.revision).toBe(2);
    expect(withHistory.history.map((h: { revision: number }) => h.revision)).toEqual([1, 2]);
    expect(
      (await call('officer', 'GET', '/api/v1/responsibilities/barbecue_smoke')).json().history,
    ).toBeUndefined();
    const old = (
      await call('officer', 'GET', '/api/v1/responsibilities?revision=1&domain=enforcement')
    ).json();
    expect(old.revision).toMatchObject({ revision: 1, source: 'file', fileVersion: '2024.1' });
    expect(old.items.every((i: { domain: string }) => i.domain === 'enforcement')).toBe(true);
    expect((await call('officer', 'GET', '/api/v1/responsibilities?revision=9')).statusCode).toBe(404);
    expect((await call('officer', 'GET', '/api/v1/responsibility-revisions')).json().items).toHaveLength(2);
    expect((await call('officer', 'GET', '/api/v1/responsibilities/Bad-Code')).statusCode).toBe(400);
  });

  it('documents every route in OpenAPI under the organisation tag', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(doc.paths['/api/v1/teams/{id}'].patch.tags).toEqual(['organisation']);
    expect(doc.paths['/api/v1/responsibilities/{category}'].put).toBeDefined();
  });
});
