import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import mariadb from 'mariadb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Principal, SYSTEM_PRINCIPAL } from '../../../platform/access.ts';
import { ManualClock } from '../../../platform/clock.ts';
import type { Database } from '../../../platform/db/database.ts';
import { migrateToLatest } from '../../../platform/db/migrate.ts';
import { openTestDatabase, testBackends } from '../../../platform/db/testing.ts';
import type { Api } from '../../../platform/http/server.ts';
import { createTestApi, testPrincipal } from '../../../platform/http/testing.ts';
import { AuditLog, auditMigrations } from '../../audit/index.ts';
import {
  type Connector,
  CsvConnector,
  codePrefix,
  dbRunner,
  ExcelConnector,
  type Filter,
  MariaDbConnector,
  nextCode,
  PlatformConnector,
  type PlatformQuery,
  PostgresConnector,
  RestConnector,
} from '../connectors/index.ts';
import { testDirectory } from '../datahub.fixtures.ts';
import { datahubMigrations } from '../datahub.migrations.ts';
import { createDatahub } from '../datahub.module.ts';
import type { ResourceDto } from '../datahub.schema.ts';
import { exchangeMigrations } from '../exchange/index.ts';
import { gatewayMigrations } from './gateway.migrations.ts';
import { registerGatewayRoutes } from './gateway.routes.ts';
import { ExchangeGateway } from './gateway.service.ts';

/** Inspection sites of the city management bureau, each at a place (a division code, as text). */
const SITES = [
  { site_id: 'S1', name: '渝中区城管执法大队', area_code: '500103', visits: 4 },
  { site_id: 'S2', name: '解放碑步行街', area_code: '500103003', visits: 9 },
  { site_id: 'S3', name: '七星岗菜市场', area_code: '500103001', visits: 2 },
  { site_id: 'S4', name: '綦江区城管执法大队', area_code: '500110', visits: 3 },
  { site_id: 'S5', name: '古南街道夜市', area_code: '500110001', visits: 5 },
  { site_id: 'S6', name: '市城管委机关', area_code: '50', visits: 1 },
  { site_id: 'S7', name: '大渡口区某工地', area_code: '500104001', visits: 7 },
];
const ALL = SITES.map((s) => s.site_id);
const MARIA = { host: '127.0.0.1', port: 3306, user: 'root', password: '', database: 'test' };

const field = (name: string, scope = false) => ({
  name,
  titleZh: name,
  class: 'public' as const,
  ...(scope ? { scope } : {}),
});
const resource = (id: string, sourceSystem: string, scoped = true): ResourceDto => ({
  id,
  kind: 'dataset',
  titleZh: id,
  descriptionZh: '测试',
  ownerDepartment: '50:urban_management',
  theme: 'GOVE',
  sourceSystem,
  updateFrequency: 'daily',
  legalBasis: '测试',
  sharing: 'unconditional',
  fields: [field('site_id'), field('name'), field('area_code', scoped), field('visits')],
  synthetic: true,
});
/** One resource per kind of connector over the same sites, and one without a scope field. */
const SOURCES = ['pg', 'csv', 'xlsx', 'maria', 'rest'] as const;
const RESOURCES = [
  ...SOURCES.map((s) => resource(`um-sites-${s}`, `sites-${s}`)),
  resource('um-sites-unscoped', 'sites-pg', false),
  {
    ...resource('cb-devices', 'citybrain'),
    ownerDepartment: '50:big_data',
    fields: [field('device_id'), field('jurisdiction_code', true)],
  },
];

const OPENAPI = {
  openapi: '3.1.0',
  info: { title: 'sites', version: '1' },
  paths: {
    '/sites': {
      get: {
        parameters: ['area_code_gte', 'area_code_lt', 'limit'].map((name) => ({ name, in: 'query' })),
        responses: {
          '200': {
            content: {
              'application/json': {
                schema: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      site_id: { type: 'string' },
                      name: { type: 'string' },
                      area_code: { type: 'string' },
                      visits: { type: 'integer' },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

/** A connector that records the filters it is asked with (what the gateway pushes down). */
function spy(connector: Connector, seen: Filter[][]): Connector {
  return {
    id: connector.id,
    kind: connector.kind,
    describe: () => connector.describe(),
    query: (r, filters, limit) => {
      seen.push(filters);
      return connector.query(r, filters, limit);
    },
    health: () => connector.health(),
    close: () => connector.close(),
  };
}

describe.each(testBackends)('jurisdiction scope of the exchange gateway on %s', (kind) => {
  let database: Database;
  let gateway: ExchangeGateway;
  let api: Api;
  let server: Server;
  const clock = new ManualClock('2026-12-07T08:00:00Z');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-scope-'));
  const mariaTable = `dh_test_sites_${randomBytes(4).toString('hex')}`;
  const seen: Record<string, Filter[][]> = {};
  const restQueries: string[] = [];
  const areasAsked: (string | undefined)[] = [];
  const authority = { ...testPrincipal('50', ['data_authority'], '50:big_data'), id: 'authority' };
  const principals: Record<string, Principal> = {};
  let keys = 0;

  const register = async (name: string, departmentCode: string) => {
    const created = await gateway.consumers.register(authority, { name, departmentCode });
    principals[name] = { ...testPrincipal('50', []), kind: 'api_key', id: created.id };
    return created;
  };
  const ask = async (who: string, resourceId: string, filters: Filter[] = []) => {
    const answer = await gateway.exchange(principals[who], {
      resourceId,
      purpose: 'city_management',
      filters,
      limit: 100,
    });
    if (answer.status !== 200) throw new Error(`expected data, got ${answer.status}`);
    return answer.body;
  };
  const ids = async (who: string, resourceId: string, filters: Filter[] = []) =>
    (await ask(who, resourceId, filters)).rows.map((r) => String(r.site_id ?? r.device_id)).sort();

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
    await datahub.list.install(SYSTEM_PRINCIPAL, []);
    gateway = new ExchangeGateway(
      { ...deps, keys: { issue: async () => ({ id: `k${++keys}`, secret: `s${keys}` }) } },
      datahub.catalogue,
      datahub.list,
    );
    const connect = async (source: string, connector: Connector, native: Record<string, string> = {}) => {
      seen[source] = [];
      await gateway.connectors.register(`sites-${source}`, spy(connector, seen[source]), native);
    };
    // PostgreSQL / PGlite: the test database itself.
    await sql`create table um_sites (site_id text primary key, name text, area_code text, visits integer)`.execute(
      database.db,
    );
    for (const s of SITES)
      await sql`insert into um_sites values (${s.site_id}, ${s.name}, ${s.area_code}, ${s.visits})`.execute(
        database.db,
      );
    await connect(
      'pg',
      new PostgresConnector({ id: 'sites-pg', runner: dbRunner(database.db), tables: ['um_sites'] }),
      {
        'um-sites-pg': 'um_sites',
        'um-sites-unscoped': 'um_sites',
      },
    );
    // CSV and Excel: the codes look like numbers, so the column is declared text.
    const header = 'site_id,name,area_code,visits';
    const csv = [header, ...SITES.map((s) => `${s.site_id},${s.name},${s.area_code},${s.visits}`)].join('\n');
    fs.writeFileSync(path.join(dir, 'sites.csv'), `${csv}\n`);
    await connect(
      'csv',
      new CsvConnector({
        id: 'sites-csv',
        files: { 'um-sites-csv': path.join(dir, 'sites.csv') },
        text: ['area_code'],
      }),
    );
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('sites');
    sheet.addRow(header.split(','));
    for (const s of SITES) sheet.addRow([s.site_id, s.name, Number(s.area_code), s.visits]);
    await workbook.xlsx.writeFile(path.join(dir, 'sites.xlsx'));
    await connect(
      'xlsx',
      new ExcelConnector({
        id: 'sites-xlsx',
        files: { sites: path.join(dir, 'sites.xlsx') },
        text: ['area_code'],
      }),
      { 'um-sites-xlsx': 'sites' },
    );
    // MariaDB (the real server).
    const admin = await mariadb.createConnection(MARIA);
    await admin.query(`create table ${mariaTable} (site_id varchar(8) primary key, name varchar(40),
      area_code varchar(12), visits int) character set utf8mb4`);
    for (const s of SITES)
      await admin.query(`insert into ${mariaTable} values (?, ?, ?, ?)`, [
        s.site_id,
        s.name,
        s.area_code,
        s.visits,
      ]);
    await admin.end();
    await connect('maria', new MariaDbConnector({ id: 'sites-maria', ...MARIA, tables: [mariaTable] }), {
      'um-sites-maria': mariaTable,
    });
    // REST: the service declares the bounds as `area_code_gte` / `area_code_lt` and evaluates them.
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      res.setHeader('content-type', 'application/json');
      if (url.pathname === '/openapi.json') return void res.end(JSON.stringify(OPENAPI));
      restQueries.push(url.search);
      const gte = url.searchParams.get('area_code_gte');
      const lt = url.searchParams.get('area_code_lt');
      const rows = SITES.filter((s) => (!gte || s.area_code >= gte) && (!lt || s.area_code < lt));
      res.end(JSON.stringify(rows));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await connect('rest', new RestConnector({ id: 'sites-rest', baseUrl: `http://127.0.0.1:${port}` }), {
      'um-sites-rest': 'sites',
    });
    // The platform's own data: the read model is asked for an area (and the areas below it).
    const devices = async (q: PlatformQuery) => {
      areasAsked.push(q.eq.jurisdictionCode);
      const area = q.eq.jurisdictionCode;
      return SITES.filter((s) => !area || s.area_code.startsWith(area)).map((s) => ({
        device_id: s.site_id,
        jurisdiction_code: s.area_code,
      }));
    };
    const none = async () => [];
    await gateway.connectors.register(
      'citybrain',
      new PlatformConnector({
        id: 'citybrain',
        read: { devices, readings: none, events: none, alerts: none, kpis: none },
      }),
    );
    await register('city', '50:water_resources');
    await register('yuzhong', '500103:water_resources');
    await register('jiefangbei', '500103003:urban_management');
    await register('qijiang', '500110:water_resources');
    api = await createTestApi({ ...principals, authority });
    registerGatewayRoutes(api, { gateway });
    await api.ready();
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await gateway?.close();
    await database?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    const admin = await mariadb.createConnection(MARIA);
    await admin.query(`drop table if exists ${mariaTable}`);
    await admin.end();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('registers district and street departments as consumers, with their jurisdiction', async () => {
    expect(await register('qinanStreet', '500103001:urban_management')).toMatchObject({
      departmentCode: '500103001:urban_management',
      jurisdictionCode: '500103001',
      level: 'street',
    });
    await expect(register('nowhere', '500199:urban_management')).rejects.toMatchObject({
      code: 'invalid_data',
    });
  });

  it.each(SOURCES)('a city consumer sees every row of the %s source, unfiltered', async (source) => {
    const before = seen[source]?.length ?? 0;
    expect(await ids('city', `um-sites-${source}`)).toEqual(ALL);
    expect(seen[source]?.[before]).toEqual([]);
  });

  it.each(SOURCES)(
    'a district consumer sees only its district’s rows of the %s source, pushed down as a range',
    async (source) => {
      const before = seen[source]?.length ?? 0;
      expect(await ids('yuzhong', `um-sites-${source}`)).toEqual(['S1', 'S2', 'S3']);
      expect(await ids('qijiang', `um-sites-${source}`)).toEqual(['S4', 'S5']);
      // The connector was asked with the range: the rows of other places were never read out of it.
      expect(seen[source]?.[before]).toEqual([
        { field: 'area_code', op: 'gte', value: '500103' },
        { field: 'area_code', op: 'lt', value: '500104' },
      ]);
    },
  );

  it.each(SOURCES)('a street consumer sees only its street’s rows of the %s source', async (source) => {
    expect(await ids('jiefangbei', `um-sites-${source}`)).toEqual(['S2']);
  });

  it('sends the range to the REST service as its declared parameters', async () => {
    restQueries.length = 0;
    await ids('yuzhong', 'um-sites-rest');
    expect(restQueries).toEqual(['?area_code_gte=500103&area_code_lt=500104&limit=101']);
  });

  it.each(['pg', 'maria', 'csv'] as const)(
    'a district consumer filtering on another district gets none of its rows (%s)',
    async (source) => {
      const other: Filter[] = [
        { field: 'area_code', op: 'in', values: ['500110', '500110001', '500103003'] },
      ];
      expect(await ids('yuzhong', `um-sites-${source}`, other)).toEqual(['S2']);
      expect(
        await ids('yuzhong', `um-sites-${source}`, [{ field: 'area_code', op: 'eq', value: '500110' }]),
      ).toEqual([]);
      expect(
        await ids('yuzhong', `um-sites-${source}`, [{ field: 'area_code', op: 'gte', value: '500104' }]),
      ).toEqual([]);
    },
  );

  it('serves a resource without a scope field to every consumer as before, and says so', async () => {
    const body = await ask('yuzhong', 'um-sites-unscoped');
    expect(body.rows.map((r) => r.site_id).sort()).toEqual(ALL);
    expect(body.decision.scope).toEqual({
      jurisdictionCode: '500103',
      level: 'district',
      applied: 'unscoped',
      field: null,
      filters: [],
    });
  });

  it('pushes the platform’s scope to its read model as an area', async () => {
    areasAsked.length = 0;
    expect(await ids('yuzhong', 'cb-devices')).toEqual(['S1', 'S2', 'S3']);
    expect(await ids('city', 'cb-devices')).toEqual(ALL);
    expect(areasAsked).toEqual(['500103', undefined]);
  });

  it('explains the scope in the answer and keeps it in the hash-chained log', async () => {
    const r = await api.inject({
      method: 'POST',
      url: '/api/v1/datahub/exchange',
      headers: { authorization: 'Bearer jiefangbei' },
      payload: { resourceId: 'um-sites-pg', purpose: 'scope_check' },
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().decision.scope).toEqual({
      jurisdictionCode: '500103003',
      level: 'street',
      applied: 'within',
      field: 'area_code',
      filters: [
        { field: 'area_code', op: 'gte', value: '500103003' },
        { field: 'area_code', op: 'lt', value: '500103004' },
      ],
    });
    const city = await ask('city', 'um-sites-pg');
    expect(city.decision.scope).toMatchObject({ applied: 'all', jurisdictionCode: '50', filters: [] });
    const logged = await sql<{ scope: string; row_count: number }>`
      select scope, row_count from dh_exchange_log where purpose = 'scope_check'`.execute(database.db);
    expect(logged.rows).toEqual([{ scope: 'within:500103003:area_code', row_count: 1 }]);
    const scopes = await sql<{ scope: string }>`select distinct scope from dh_exchange_log`.execute(
      database.db,
    );
    expect(scopes.rows.map((s) => s.scope)).toEqual(
      expect.arrayContaining([
        'all:50',
        'unscoped:500103',
        'within:500103:area_code',
        'within:500103:jurisdiction_code',
        'within:500110:area_code',
      ]),
    );
    expect(await gateway.verify()).toMatchObject({ ok: true });
  });
});

describe('the range of a jurisdiction’s codes', () => {
  it('is the code to the next code of its length, for digit codes that have one', () => {
    expect(nextCode('50')).toBe('51');
    expect(nextCode('500109')).toBe('500110');
    expect(nextCode('500103003')).toBe('500103004');
    expect(nextCode('0099')).toBe('0100');
    expect(nextCode('999')).toBeUndefined();
    expect(nextCode('50a')).toBeUndefined();
    expect(
      codePrefix(
        [
          { field: 'c', op: 'gte', value: '500103' },
          { field: 'c', op: 'lt', value: '500104' },
        ],
        'c',
      ),
    ).toBe('500103');
    expect(
      codePrefix(
        [
          { field: 'c', op: 'gte', value: '500103' },
          { field: 'c', op: 'lt', value: '500105' },
        ],
        'c',
      ),
    ).toBeUndefined();
  });
});
