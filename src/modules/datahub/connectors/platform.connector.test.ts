import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Principal, SYSTEM_PRINCIPAL } from '../../../platform/access.ts';
import { ManualClock } from '../../../platform/clock.ts';
import type { Database } from '../../../platform/db/database.ts';
import { migrateToLatest } from '../../../platform/db/migrate.ts';
import { openTestDatabase, testBackends } from '../../../platform/db/testing.ts';
import type { Api } from '../../../platform/http/server.ts';
import { createTestApi, testPrincipal } from '../../../platform/http/testing.ts';
import { AuditLog, auditMigrations } from '../../audit/index.ts';
import { platformResources } from '../catalogue.generate.ts';
import { testDirectory } from '../datahub.fixtures.ts';
import { datahubMigrations } from '../datahub.migrations.ts';
import { createDatahub } from '../datahub.module.ts';
import { exchangeMigrations } from '../exchange/index.ts';
import { gatewayMigrations } from '../gateway/gateway.migrations.ts';
import { registerGatewayRoutes } from '../gateway/gateway.routes.ts';
import { ExchangeGateway } from '../gateway/gateway.service.ts';
import { guard } from './breaker.ts';
import {
  PLATFORM_RESOURCES,
  PlatformConnector,
  type PlatformQuery,
  type PlatformReadModels,
} from './platform.connector.ts';

/** The event centre's events as its read model answers them (snake_case rows), and the queries it was asked. */
const EVENTS = [
  {
    event_id: 'E-1',
    category: 'water_pollution',
    status: 'dispatched',
    priority: 'high',
    jurisdiction_code: '500110',
    address: '重庆市綦江区古南街道滨河路12号',
    description: '河水发黑发臭，联系人张三 13812345678',
    created_at: new Date('2026-12-01T02:00:00Z'),
    closed_at: null,
  },
  {
    event_id: 'E-2',
    category: 'water_pollution',
    status: 'closed',
    priority: 'normal',
    jurisdiction_code: '500103',
    address: '重庆市渝中区解放碑',
    description: '13900001111',
    created_at: new Date('2026-12-03T02:00:00Z'),
    closed_at: new Date('2026-12-04T02:00:00Z'),
  },
  {
    event_id: 'E-3',
    category: 'road_damage',
    status: 'new',
    priority: 'normal',
    jurisdiction_code: '500110',
    address: null,
    description: '路面塌陷',
    created_at: new Date('2026-12-05T02:00:00Z'),
    closed_at: null,
  },
];

function stubReadModels(asked: { reader: string; q: PlatformQuery }[]): PlatformReadModels {
  const none = (reader: string) => async (q: PlatformQuery) => {
    asked.push({ reader, q });
    return [];
  };
  return {
    devices: none('devices'),
    readings: none('readings'),
    alerts: none('alerts'),
    kpis: async (q) => {
      asked.push({ reader: 'kpis', q });
      return [
        { kpi: 'events', value: 3, period: 'p', period_start: q.from ?? null, period_end: q.to ?? null },
      ];
    },
    // Like the event centre's list: category and status equal, created_at within [from, to].
    events: async (q) => {
      asked.push({ reader: 'events', q });
      return EVENTS.filter(
        (e) =>
          (!q.eq.category || e.category === q.eq.category) &&
          (!q.eq.status || e.status === q.eq.status) &&
          (!q.from || e.created_at.toISOString() >= q.from) &&
          (!q.to || e.created_at.toISOString() <= q.to),
      ).slice(0, q.limit);
    },
  };
}

describe('platform connector', () => {
  const asked: { reader: string; q: PlatformQuery }[] = [];
  const connector = new PlatformConnector({ id: 'citybrain', read: stubReadModels(asked) });

  it('describes exactly the fields the catalogue registers for the cb-* resources', async () => {
    const catalogue = platformResources('50:big_data');
    const described = await connector.describe();
    expect(described.map((r) => r.id)).toEqual(catalogue.map((r) => r.id));
    for (const r of catalogue) {
      expect(described.find((d) => d.id === r.id)?.fields.map((f) => f.name)).toEqual(
        r.fields.map((f) => f.name),
      );
      expect(r.sourceSystem).toBe('citybrain');
    }
  });

  it('pushes equality and the time window down to the read model and applies the rest itself', async () => {
    asked.length = 0;
    const r = await connector.query(
      'cb-events',
      [
        { field: 'category', op: 'eq', value: 'water_pollution' },
        { field: 'created_at', op: 'gte', value: '2026-12-02T00:00:00Z' },
        { field: 'jurisdiction_code', op: 'in', values: ['500103', '500110'] },
      ],
      10,
    );
    expect(asked).toEqual([
      {
        reader: 'events',
        q: { eq: { category: 'water_pollution' }, from: '2026-12-02T00:00:00.000Z', limit: 10_001 },
      },
    ]);
    expect(r).toMatchObject({ pushedDown: 2, truncated: false });
    expect(r.rows.map((x) => x.event_id)).toEqual(['E-2']);
    expect(r.rows[0]?.created_at).toBe('2026-12-03T02:00:00.000Z');
    // All filters pushed: only one row more than the limit is asked for.
    asked.length = 0;
    const one = await connector.query(
      'cb-events',
      [{ field: 'category', op: 'eq', value: 'water_pollution' }],
      1,
    );
    expect(asked[0]?.q.limit).toBe(2);
    expect(one).toMatchObject({ truncated: true, pushedDown: 1 });
    expect(one.rows).toHaveLength(1);
  });

  it('hands the KPI window to the read model', async () => {
    asked.length = 0;
    await connector.query(
      'cb-kpis',
      [
        { field: 'period_start', op: 'gte', value: '2026-11-01T00:00:00Z' },
        { field: 'period_end', op: 'lte', value: '2026-12-01T00:00:00Z' },
      ],
      10,
    );
    expect(asked[0]?.q).toMatchObject({ from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' });
  });

  it('refuses unknown resources and fields, naming them', async () => {
    await expect(connector.query('cb-nope', [], 1)).rejects.toMatchObject({ code: 'not_found' });
    await expect(
      connector.query('cb-devices', [{ field: 'secret_hash', op: 'eq', value: 'x' }], 1),
    ).rejects.toMatchObject({ code: 'invalid_request', details: { field: 'secret_hash' } });
    expect(PLATFORM_RESOURCES.flatMap((r) => r.fields.map((f) => f.name))).not.toContain('secret_hash');
  });
});

describe.each(testBackends)('the platform data through the exchange gateway on %s', (kind) => {
  let database: Database;
  let gateway: ExchangeGateway;
  let api: Api;
  const clock = new ManualClock('2026-12-07T08:00:00Z');
  const authority = { ...testPrincipal('50', ['data_authority'], '50:big_data'), id: 'authority' };
  const principals: Record<string, Principal> = { authority };
  let keys = 0;

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
    await datahub.catalogue.register(SYSTEM_PRINCIPAL, platformResources('50:big_data'));
    await datahub.list.install(SYSTEM_PRINCIPAL, []);
    gateway = new ExchangeGateway(
      {
        ...deps,
        keys: { issue: async () => ({ id: `k${++keys}`, secret: `secret-${keys}` }) },
        notifier: { send: async () => 0 },
      },
      datahub.catalogue,
      datahub.list,
    );
    await gateway.connectors.register(
      'citybrain',
      guard(new PlatformConnector({ id: 'citybrain', read: stubReadModels([]) }), clock),
    );
    api = await createTestApi(principals);
    registerGatewayRoutes(api, { gateway });
    await api.ready();
    const r = await api.inject({
      method: 'POST',
      url: '/api/v1/datahub/consumers',
      headers: { authorization: 'Bearer authority' },
      payload: { name: 'water app', departmentCode: '50:water_resources' },
    });
    expect(r.statusCode, r.body).toBe(201);
    principals.water = { ...testPrincipal('50', []), kind: 'api_key', id: r.json().id };
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await gateway?.close();
    await database?.close();
  });

  it("serves the platform's events filtered by category, the citizens' words masked", async () => {
    const r = await api.inject({
      method: 'POST',
      url: '/api/v1/datahub/exchange',
      headers: { authorization: 'Bearer water' },
      payload: {
        resourceId: 'cb-events',
        purpose: 'water_pollution_tracing',
        filters: [{ field: 'category', op: 'eq', value: 'water_pollution' }],
      },
    });
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    expect(body.rows.map((x: { event_id: string }) => x.event_id)).toEqual(['E-1', 'E-2']);
    expect(body.rows[0]).toMatchObject({
      category: 'water_pollution',
      jurisdiction_code: '500110',
      address: '重庆市綦江区古南街道滨河路12号',
      description: '***',
      created_at: '2026-12-01T02:00:00.000Z',
    });
    // A description that is just a phone number is masked as one.
    expect(body.rows[1].description).toBe('139****1111');
    expect(body.maskedFields).toEqual(['description']);
    expect(body.decision).toMatchObject({ decision: 'allow' });
  });

  it('answers 400 naming a field the platform resource lacks', async () => {
    const r = await api.inject({
      method: 'POST',
      url: '/api/v1/datahub/exchange',
      headers: { authorization: 'Bearer water' },
      payload: {
        resourceId: 'cb-events',
        purpose: 'x',
        filters: [{ field: 'reporter_phone', op: 'eq', value: '1' }],
      },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.details.field).toBe('reporter_phone');
  });
});
