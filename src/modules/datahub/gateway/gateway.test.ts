import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Principal, SYSTEM_PRINCIPAL } from '../../../platform/access.ts';
import { ManualClock } from '../../../platform/clock.ts';
import type { Database } from '../../../platform/db/database.ts';
import { migrateToLatest } from '../../../platform/db/migrate.ts';
import { openTestDatabase, testBackends } from '../../../platform/db/testing.ts';
import type { Api } from '../../../platform/http/server.ts';
import { createTestApi, testPrincipal } from '../../../platform/http/testing.ts';
import { AuditLog, auditMigrations } from '../../audit/index.ts';
import { CsvConnector, dbRunner, guard, PostgresConnector, pgPoolRunner } from '../connectors/index.ts';
import { testDirectory } from '../datahub.fixtures.ts';
import { datahubMigrations } from '../datahub.migrations.ts';
import { createDatahub } from '../datahub.module.ts';
import type { ListEntry, ResourceDto } from '../datahub.schema.ts';
import { exchangeMigrations } from '../exchange/index.ts';
import { ConsumerService } from './gateway.consumers.ts';
import { gatewayMigrations } from './gateway.migrations.ts';
import { registerGatewayRoutes } from './gateway.routes.ts';
import { ExchangeGateway } from './gateway.service.ts';

const f = (name: string, cls: ResourceDto['fields'][number]['class'] = 'public') => ({
  name,
  titleZh: name,
  class: cls,
});
const resource = (
  id: string,
  owner: string,
  sourceSystem: string,
  fields: ResourceDto['fields'],
): ResourceDto => ({
  id,
  kind: 'dataset',
  titleZh: id,
  descriptionZh: '测试',
  ownerDepartment: owner,
  theme: 'ENVI',
  sourceSystem,
  updateFrequency: 'daily',
  legalBasis: '测试',
  sharing: 'unconditional',
  fields,
  synthetic: true,
});
const RESOURCES = [
  resource('ee-permits', '50:ecology_environment', 'ecology-csv', [
    f('permit_no'),
    f('enterprise'),
    f('river'),
    f('contact_phone', 'personal'),
    f('inspector_note', 'restricted'),
  ]),
  resource('ps-persons', '50:public_security', 'ps-db', [f('name', 'personal'), f('id_number', 'personal')]),
  resource('hc-cases', '50:health', 'health-db', [f('district'), f('cases')]),
  resource('tr-flows', '50:transport', 'transport-db', [f('road'), f('flow')]),
];
const ENTRIES: ListEntry[] = [
  {
    id: 'NL-PS-1',
    kind: 'not_shared',
    basis: '《中华人民共和国个人信息保护法》第三十四条',
    description: '',
    scope: { ownerDepartment: '50:public_security', resourceId: 'ps-persons' },
    maskClasses: [],
  },
  {
    id: 'NL-HC-1',
    kind: 'conditional',
    basis: '《中华人民共和国数据安全法》第三十八条',
    description: '',
    scope: { ownerDepartment: '50:health', resourceId: 'hc-cases' },
    conditions: { ownerApproval: true },
    maskClasses: [],
  },
];
const CSV =
  'permit_no,enterprise,river,contact_phone,inspector_note\nP-1,寨溪镇污水处理厂,蒲河,13812345678,secret\nP-2,某厂,綦河,13900001111,x\n';

const authority = { ...testPrincipal('50', ['data_authority'], '50:big_data'), id: 'authority' };
const waterLiaison = testPrincipal('50', ['department_liaison'], '50:water_resources');
const healthLiaison = testPrincipal('50', ['department_liaison'], '50:health');
const auditor = testPrincipal('50', ['auditor']);

describe.each(testBackends)('exchange gateway on %s', (kind) => {
  let database: Database;
  let gateway: ExchangeGateway;
  let api: Api;
  const clock = new ManualClock('2026-12-07T08:00:00Z');
  const sent: { to: string; title: string }[] = [];
  const principals: Record<string, Principal> = { authority, waterLiaison, healthLiaison, auditor };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-gw-'));
  let keys = 0;
  const keyOf = (id: string): Principal => ({ ...testPrincipal('50', []), kind: 'api_key', id });
  const call = (who: string | undefined, body: unknown) =>
    api.inject({
      method: 'POST',
      url: '/api/v1/datahub/exchange',
      headers: who ? { authorization: `Bearer ${who}` } : {},
      payload: body as object,
    });
  const consumer = async (name: string, departmentCode: string) => {
    const r = await api.inject({
      method: 'POST',
      url: '/api/v1/datahub/consumers',
      headers: { authorization: 'Bearer authority' },
      payload: { name, departmentCode },
    });
    expect(r.statusCode, r.body).toBe(201);
    principals[name] = keyOf(r.json().id);
    return r.json();
  };

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrateToLatest(database.db, [
      auditMigrations,
      datahubMigrations,
      exchangeMigrations,
      gatewayMigrations,
    ]);
    const deps = { db: database.db, audit: new AuditLog(clock), clock, departments: testDirectory };
    const datahub = createDatahub(deps);
    await datahub.catalogue.register(SYSTEM_PRINCIPAL, RESOURCES);
    await datahub.list.install(SYSTEM_PRINCIPAL, ENTRIES);
    gateway = new ExchangeGateway(
      {
        ...deps,
        keys: { issue: async () => ({ id: `k${++keys}`, secret: `secret-${keys}` }) },
        notifier: { send: async (_trx, to, m) => sent.push({ to: to[0]?.id ?? '', title: m.title }) },
      },
      datahub.catalogue,
      datahub.list,
    );
    fs.writeFileSync(path.join(dir, 'permits.csv'), CSV);
    await gateway.connectors.register(
      'ecology-csv',
      new CsvConnector({ id: 'ecology-csv', files: { 'ee-permits': path.join(dir, 'permits.csv') } }),
    );
    await sql`create table hc_cases (district text, cases integer)`.execute(database.db);
    await sql`insert into hc_cases values ('綦江区', 3), ('渝中区', 5)`.execute(database.db);
    const own = new PostgresConnector({
      id: 'health-db',
      runner: dbRunner(database.db),
      tables: ['hc_cases'],
    });
    await gateway.connectors.register('health-db', guard(own, clock), { 'hc-cases': 'hc_cases' });
    const down = pgPoolRunner('postgres://leakyuser:leakypassword@127.0.0.1:1/nowhere', {
      connectTimeoutMs: 500,
    });
    await gateway.connectors.register(
      'transport-db',
      guard(new PostgresConnector({ id: 'transport-db', runner: down }), clock),
    );
    api = await createTestApi(principals);
    registerGatewayRoutes(api, { gateway });
    await api.ready();
    await consumer('water', '50:water_resources');
    await consumer('tourism', '50:culture_tourism');
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await gateway?.close();
    await database?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('registers consumers only for the data authority, with a key shown once', async () => {
    const r = await api.inject({
      method: 'POST',
      url: '/api/v1/datahub/consumers',
      headers: { authorization: 'Bearer waterLiaison' },
      payload: { name: 'x', departmentCode: '50:water_resources' },
    });
    expect(r.statusCode).toBe(403);
    expect((await consumer('extra', '50:transport')).key).toMatch(/^secret-/);
  });

  it('ensures the platform’s own consumer once (data authority only) and serves it in-process like any other', async () => {
    const body = { name: 'platform tracing', departmentCode: '50:water_resources' };
    await expect(gateway.consumers.ensure(waterLiaison, body)).rejects.toMatchObject({ code: 'forbidden' });
    const first = await gateway.consumers.ensure(authority, body);
    expect(await gateway.consumers.ensure(SYSTEM_PRINCIPAL, body)).toEqual(first);
    const answer = await gateway.exchange(ConsumerService.asPrincipal(first), {
      resourceId: 'ee-permits',
      purpose: 'source_tracing:plan:p-1',
      filters: [{ field: 'enterprise', op: 'in', values: ['寨溪镇污水处理厂'] }],
      limit: 10,
    });
    expect(answer).toMatchObject({
      status: 200,
      body: { rows: [{ permit_no: 'P-1', contact_phone: '138****5678' }] },
    });
    const logged = await sql<{ consumer_app: string; decision: string }>`
      select consumer_app, decision from dh_exchange_log where purpose = 'source_tracing:plan:p-1'`.execute(
      database.db,
    );
    expect(logged.rows).toEqual([{ consumer_app: first.id, decision: 'allow' }]);
  });

  it('answers 401 without a consumer key, and for a user without one', async () => {
    expect((await call(undefined, { resourceId: 'ee-permits', purpose: 'x' })).statusCode).toBe(401);
    expect((await call('waterLiaison', { resourceId: 'ee-permits', purpose: 'x' })).statusCode).toBe(401);
  });

  it('serves an allowed exchange with the personal field masked and the restricted one dropped', async () => {
    const r = await call('water', {
      resourceId: 'ee-permits',
      purpose: 'water_pollution_tracing',
      filters: [{ field: 'river', op: 'eq', value: '蒲河' }],
    });
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    expect(body.rows).toEqual([
      { permit_no: 'P-1', enterprise: '寨溪镇污水处理厂', river: '蒲河', contact_phone: '138****5678' },
    ]);
    expect(body).toMatchObject({ maskedFields: ['contact_phone'], droppedFields: ['inspector_note'] });
    expect(body.decision).toMatchObject({ decision: 'allow', listVersion: 1 });
    expect(Number(body.exchangeId)).toBeGreaterThan(0);
  });

  it('denies 403 citing the negative-list entry and its basis', async () => {
    const r = await call('tourism', { resourceId: 'ps-persons', purpose: 'tourism_stats' });
    expect(r.statusCode).toBe(403);
    expect(r.json().error).toMatchObject({
      code: 'forbidden',
      details: { reason: 'negative_list', entries: [{ id: 'NL-PS-1', basis: ENTRIES[0]?.basis }] },
    });
  });

  it('answers 404 for an unknown resource and 400 naming the field of a malformed filter', async () => {
    expect((await call('water', { resourceId: 'nope', purpose: 'x' })).statusCode).toBe(404);
    const unknown = await call('water', {
      resourceId: 'ee-permits',
      purpose: 'x',
      filters: [{ field: 'colour', op: 'eq', value: 'red' }],
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.details.field).toBe('colour');
    const typed = await call('water', {
      resourceId: 'ee-permits',
      purpose: 'x',
      filters: [{ field: 'river', op: 'gt', value: 5 }],
    });
    expect(typed.statusCode).toBe(400);
    expect(typed.json().error.details.field).toBe('river');
  });

  it('answers 503 naming the source when it is down, leaking no credentials', async () => {
    const r = await call('water', { resourceId: 'tr-flows', purpose: 'traffic' });
    expect(r.statusCode).toBe(503);
    expect(r.json().error).toMatchObject({ code: 'source_unavailable', details: { source: 'transport-db' } });
    expect(r.body).not.toMatch(/leaky|password|127\.0\.0\.1|ECONNREFUSED|at /);
  });

  it('answers 429 with Retry-After over quota', async () => {
    gateway.quota.setLimit(principals.extra?.id ?? '', { perSecond: 1, burst: 1 });
    expect((await call('extra', { resourceId: 'ee-permits', purpose: 'x' })).statusCode).toBe(200);
    const r = await call('extra', { resourceId: 'ee-permits', purpose: 'x' });
    expect(r.statusCode).toBe(429);
    expect(r.json().error.code).toBe('over_quota');
    expect(r.headers['retry-after']).toBe('1');
  });

  it('turns a conditional request into an application the owner department approves, then serves it', async () => {
    const first = await call('water', { resourceId: 'hc-cases', purpose: 'flood_health_risk' });
    expect(first.statusCode, first.body).toBe(202);
    const application = first.json().application;
    expect(application).toMatchObject({
      status: 'pending',
      ownerDepartment: '50:health',
      entries: ['NL-HC-1'],
    });
    expect(Date.parse(application.dueAt) - clock.now().getTime()).toBe(48 * 3_600_000);
    expect(sent.at(-1)).toMatchObject({ to: 'department:50:health' });
    const decide = (who: string) =>
      api.inject({
        method: 'POST',
        url: `/api/v1/datahub/applications/${application.id}/approve`,
        headers: { authorization: `Bearer ${who}` },
      });
    expect((await decide('waterLiaison')).statusCode).toBe(403);
    const approved = await decide('healthLiaison');
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json().status).toBe('approved');
    expect(sent.at(-1)).toMatchObject({ to: `consumer:${principals.water?.id}` });
    const served = await call('water', {
      resourceId: 'hc-cases',
      purpose: 'flood_health_risk',
      applicationId: application.id,
    });
    expect(served.statusCode, served.body).toBe(200);
    expect(served.json().rows).toHaveLength(2);
    const other = await call('tourism', {
      resourceId: 'hc-cases',
      purpose: 'x',
      applicationId: application.id,
    });
    expect(other.statusCode).toBe(202); // someone else's approval does not count
  });

  it('verifies the exchange log: every exchange, allowed, denied or failed, is one chained record', async () => {
    const r = await api.inject({
      url: '/api/v1/datahub/exchange-log/verify',
      headers: { authorization: 'Bearer auditor' },
    });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ ok: true });
    expect(r.json().checked).toBeGreaterThanOrEqual(8);
    const denied = await api.inject({
      url: '/api/v1/datahub/exchange-log/verify',
      headers: { authorization: 'Bearer waterLiaison' },
    });
    expect(denied.statusCode).toBe(403);
  });
});
