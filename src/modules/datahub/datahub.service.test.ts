import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import { ManualClock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { openTestDatabase, testBackends } from '../../platform/db/testing.ts';
import type { Api } from '../../platform/http/server.ts';
import { createTestApi, testPrincipal } from '../../platform/http/testing.ts';
import { AuditLog, auditMigrations } from '../audit/index.ts';
import { testDirectory } from './datahub.fixtures.ts';
import { datahubMigrations } from './datahub.migrations.ts';
import { createDatahub, type Datahub } from './datahub.module.ts';
import { registerDatahubRoutes } from './datahub.routes.ts';
import type { ListEntry } from './datahub.schema.ts';

const alice = { ...testPrincipal('50', ['data_authority'], '50:big_data'), id: 'alice' };
const bob = { ...testPrincipal('50', ['data_authority'], '50:big_data'), id: 'bob' };
const water = testPrincipal('50', ['department_liaison'], '50:water_resources');
const tourism = testPrincipal('50', ['department_liaison'], '50:culture_tourism');
const auth = (name: string) => ({ authorization: `Bearer ${name}` });

const entry: ListEntry = {
  id: 'NL-X-1',
  kind: 'not_shared',
  basis: '《中华人民共和国居民身份证法》第十九条',
  description: 'ID numbers of public security are not shared',
  scope: { ownerDepartment: '50:public_security', fieldClass: 'personal' },
  maskClasses: [],
};

describe.each(testBackends)('datahub on %s', (kind) => {
  let database: Database;
  let datahub: Datahub;
  let api: Api;
  const clock = new ManualClock('2026-12-07T08:00:00Z');
  const audit = new AuditLog(clock);
  let seeded: { resources: number; entries: number; ms: number };

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrateToLatest(database.db, [auditMigrations, datahubMigrations]);
    datahub = createDatahub({ db: database.db, audit, clock, departments: testDirectory });
    seeded = await datahub.seedDemo(SYSTEM_PRINCIPAL, { count: 2000 });
    api = await createTestApi({ alice, bob, water, tourism });
    registerDatahubRoutes(api, { datahub });
    await api.ready();
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await database?.close();
  });

  it('registers the synthetic catalogue and the platform’s own data in batches', () => {
    expect(seeded.resources).toBe(2005);
    expect(seeded.entries).toBeGreaterThan(30);
  });

  it('searches by Chinese keyword, department and theme, paged with a total', async () => {
    const res = await api.inject({
      url: '/api/v1/datahub/resources?q=排污许可&limit=5',
      headers: auth('water'),
    });
    expect(res.statusCode).toBe(200);
    const page = res.json();
    expect(page.total).toBeGreaterThan(5);
    expect(page.items).toHaveLength(5);
    for (const r of page.items) expect(r.titleZh).toContain('排污许可');
    const byDept = await datahub.catalogue.search(water, {
      department: '50:transport',
      theme: 'TRAN',
      limit: 3,
      offset: 3,
    });
    expect(byDept.items.every((r) => r.ownerDepartment === '50:transport' && r.theme === 'TRAN')).toBe(true);
    expect(byDept.total).toBeGreaterThan(6);
    const none = await datahub.catalogue.search(water, { q: '排污许可', theme: 'TRAN', limit: 5, offset: 0 });
    expect(none.total).toBe(0);
  });

  it('documents its routes in the OpenAPI document', async () => {
    const doc = (await api.inject({ url: '/docs/json' })).json();
    for (const path of [
      '/api/v1/datahub/resources',
      '/api/v1/datahub/resources/{id}',
      '/api/v1/datahub/catalogue.jsonld',
      '/api/v1/datahub/negative-list',
      '/api/v1/datahub/negative-list/proposals',
      '/api/v1/datahub/negative-list/proposals/{id}/approve',
      '/api/v1/datahub/negative-list/proposals/{id}/reject',
      '/api/v1/datahub/decisions',
    ])
      expect(doc.paths[path], path).toBeDefined();
    const decision = doc.paths['/api/v1/datahub/decisions'].post;
    expect(decision.responses['200'].content['application/json'].schema.properties.decision.enum).toEqual([
      'allow',
      'deny',
      'needs_approval',
    ]);
  });

  it('registers resources over HTTP for the data authority only, refusing unknown owners', async () => {
    const resource = {
      id: 'ee-permits-live',
      kind: 'interface',
      titleZh: '排污许可证核验接口',
      descriptionZh: '按统一社会信用代码核验排污许可证',
      ownerDepartment: '50:ecology_environment',
      theme: 'ENVI',
      sourceSystem: '生态环境大数据平台',
      updateFrequency: 'realtime',
      legalBasis: '《排污许可管理条例》',
      sharing: 'unconditional',
      fields: [{ name: 'credit_code', titleZh: '统一社会信用代码', class: 'public' }],
      synthetic: false,
    };
    const post = (who: string, resources: unknown[]) =>
      api.inject({
        method: 'POST',
        url: '/api/v1/datahub/resources',
        headers: auth(who),
        payload: { resources },
      });
    expect((await post('water', [resource])).statusCode).toBe(403);
    const unknown = await post('alice', [{ ...resource, ownerDepartment: '50:nowhere' }]);
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().error.details).toEqual({ departments: ['50:nowhere'] });
    const bad = await post('alice', [
      { ...resource, fields: [{ name: 'x y', titleZh: 'x', class: 'secret' }] },
    ]);
    expect(bad.statusCode).toBe(400);
    expect((await post('alice', [resource])).json()).toEqual({ registered: 1 });
    const found = await datahub.catalogue.search(water, { q: '排污许可证核验', limit: 5, offset: 0 });
    expect(found.items.map((r) => r.id)).toContain('ee-permits-live');
  });

  it('answers 404 for an unknown resource', async () => {
    const res = await api.inject({ url: '/api/v1/datahub/resources/nope', headers: auth('water') });
    expect(res.statusCode).toBe(404);
  });

  it('exports the catalogue as DCAT-AP 3 JSON-LD', async () => {
    const res = await api.inject({ url: '/api/v1/datahub/catalogue.jsonld', headers: auth('water') });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/ld\+json/);
    const doc = res.json();
    expect(doc['@context'].dcat).toBe('http://www.w3.org/ns/dcat#');
    expect(doc['@context'].dct).toBe('http://purl.org/dc/terms/');
    const [catalog, ...agents] = doc['@graph'];
    expect(catalog['@type']).toBe('dcat:Catalog');
    expect(catalog['dct:title']['@language']).toBe('zh');
    expect(catalog['dct:description']['@language']).toBe('zh');
    expect(agents.map((a: { '@id': string }) => a['@id'])).toContain(catalog['dct:publisher']['@id']);
    const all = [...catalog['dcat:dataset'], ...catalog['dcat:service']];
    expect(all).toHaveLength((await datahub.catalogue.search(water, { limit: 1, offset: 0 })).total);
    expect(catalog['dcat:service'].every((s: { '@type': string }) => s['@type'] === 'dcat:DataService')).toBe(
      true,
    );
    const ds = catalog['dcat:dataset'][0];
    expect(ds['@type']).toBe('dcat:Dataset');
    expect(ds['dct:title']).toEqual({ '@value': expect.any(String), '@language': 'zh' });
    expect(ds['dcat:theme']['@id']).toMatch(
      /^http:\/\/publications\.europa\.eu\/resource\/authority\/data-theme\/[A-Z]{4}$/,
    );
    expect(ds['dct:accessRights']['@id']).toMatch(/access-right\/(PUBLIC|RESTRICTED|NON_PUBLIC)$/);
    const agentIds = new Set(agents.map((a: { '@id': string }) => a['@id']));
    for (const r of all) expect(agentIds.has(r['dct:publisher']['@id'])).toBe(true);
    expect(agents.every((a: { '@type': string }) => a['@type'] === 'foaf:Agent')).toBe(true);
  });

  it('changes the list with four eyes: the proposer cannot approve, another data authority can', async () => {
    const before = (
      await api.inject({ url: '/api/v1/datahub/negative-list', headers: auth('water') })
    ).json();
    expect(before.version).toBe(1);
    const denied = await api.inject({
      method: 'POST',
      url: '/api/v1/datahub/negative-list/proposals',
      headers: auth('water'),
      payload: { baseVersion: 1, upsert: [entry] },
    });
    expect(denied.statusCode).toBe(403);
    const proposed = await api.inject({
      method: 'POST',
      url: '/api/v1/datahub/negative-list/proposals',
      headers: auth('alice'),
      payload: { baseVersion: 1, upsert: [entry], note: 'ID numbers' },
    });
    expect(proposed.statusCode).toBe(201);
    const id = proposed.json().id;
    const self = await api.inject({
      method: 'POST',
      url: `/api/v1/datahub/negative-list/proposals/${id}/approve`,
      headers: auth('alice'),
    });
    expect(self.statusCode).toBe(403);
    expect(self.json().error.details).toEqual({ reason: 'four_eyes' });
    const ok = await api.inject({
      method: 'POST',
      url: `/api/v1/datahub/negative-list/proposals/${id}/approve`,
      headers: auth('bob'),
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'approved', decidedBy: 'bob', resultVersion: 2 });
    const after = await datahub.list.current(water);
    expect(after.version).toBe(2);
    expect(after.entries.find((e) => e.id === 'NL-X-1')).toEqual(entry);
    const again = await api.inject({
      method: 'POST',
      url: `/api/v1/datahub/negative-list/proposals/${id}/approve`,
      headers: auth('bob'),
    });
    expect(again.statusCode).toBe(409);
    const stale = await api.inject({
      method: 'POST',
      url: '/api/v1/datahub/negative-list/proposals',
      headers: auth('alice'),
      payload: { baseVersion: 1, remove: ['NL-X-1'] },
    });
    expect(stale.statusCode).toBe(409);
    const actions = (await audit.list(database.db, SYSTEM_PRINCIPAL, { limit: 100, subjectId: id })).map(
      (a) => a.action,
    );
    expect(actions.sort()).toEqual([
      'datahub.list.approval_refused',
      'datahub.list.approved',
      'datahub.list.proposed',
    ]);
  });

  it('lets only one of two proposals on the same version through; the other is superseded', async () => {
    const { version } = await datahub.list.current(alice);
    const change = (id: string) => ({
      ...entry,
      id,
      scope: { ownerDepartment: '50:health', fieldClass: 'restricted' as const },
    });
    const a = await datahub.list.propose(alice, {
      baseVersion: version,
      upsert: [change('NL-R-1')],
      remove: [],
      note: '',
    });
    const b = await datahub.list.propose(alice, {
      baseVersion: version,
      upsert: [change('NL-R-2')],
      remove: [],
      note: '',
    });
    const outcomes = await Promise.allSettled([
      datahub.list.approve(bob, a.id),
      datahub.list.approve(bob, b.id),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(outcomes.find((o) => o.status === 'rejected')).toMatchObject({ reason: { code: 'conflict' } });
    expect((await datahub.list.current(alice)).version).toBe(version + 1);
    expect((await datahub.list.proposals(alice, 'superseded')).map((p) => p.id)).toHaveLength(1);
    const withdrawn = await datahub.list.propose(alice, {
      baseVersion: version + 1,
      upsert: [],
      remove: ['NL-X-1'],
      note: '',
    });
    const res = await api.inject({
      method: 'POST',
      url: `/api/v1/datahub/negative-list/proposals/${withdrawn.id}/reject`,
      headers: auth('alice'),
    });
    expect(res.json()).toMatchObject({ status: 'rejected', decidedBy: 'alice', resultVersion: null });
    expect((await datahub.list.current(alice)).version).toBe(version + 1);
  });

  it('explains decisions: denied with the entry and basis, allowed with masked fields, version included', async () => {
    const ps = await datahub.catalogue.search(tourism, {
      q: '身份证号',
      department: '50:public_security',
      limit: 1,
      offset: 0,
    });
    const personal = ps.items[0];
    expect(personal).toBeDefined();
    const denied = await api.inject({
      method: 'POST',
      url: '/api/v1/datahub/decisions',
      headers: auth('tourism'),
      payload: { resourceId: personal?.id, purpose: 'public_service' },
    });
    expect(denied.statusCode).toBe(200);
    const d = denied.json();
    expect(d.decision).toBe('deny');
    expect(d.listVersion).toBe(3);
    expect(d.entries).toContainEqual({ id: 'NL-X-1', kind: 'not_shared', basis: entry.basis });
    const platform = await api.inject({
      method: 'POST',
      url: '/api/v1/datahub/decisions',
      headers: auth('water'),
      payload: { resourceId: 'cb-events', purpose: 'supervision' },
    });
    expect(platform.json()).toMatchObject({
      decision: 'allow',
      maskedFields: [{ name: 'description', class: 'personal' }],
    });
    const other = await api.inject({
      method: 'POST',
      url: '/api/v1/datahub/decisions',
      headers: auth('water'),
      payload: { resourceId: 'cb-events', purpose: 'supervision', requesterDepartment: '50:transport' },
    });
    expect(other.statusCode).toBe(403);
    const badField = await api.inject({
      method: 'POST',
      url: '/api/v1/datahub/decisions',
      headers: auth('water'),
      payload: { resourceId: 'cb-events', purpose: 'supervision', fields: ['nope'] },
    });
    expect(badField.statusCode).toBe(400);
  });
});
