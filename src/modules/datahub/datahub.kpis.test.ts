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
import type { ExchangeRecord } from './exchange/exchange.hash.ts';
import { ExchangeLog } from './exchange/exchange.log.ts';
import { exchangeMigrations } from './exchange/exchange.migrations.ts';
import { gatewayMigrations } from './gateway/gateway.migrations.ts';
import { GatewayRepository } from './gateway/gateway.repository.ts';

const alice = { ...testPrincipal('50', ['data_authority'], '50:big_data'), id: 'alice' };
const bob = { ...testPrincipal('50', ['data_authority'], '50:big_data'), id: 'bob' };
const auditor = testPrincipal('50', ['auditor']);
const city = testPrincipal('50', ['city_operator']);
const street = testPrincipal('50/500103/500103001', ['street_operator']);
const liaison = testPrincipal('50', ['department_liaison'], '50:water_resources');
const auth = (name: string) => ({ authorization: `Bearer ${name}` });

const W = '50:water_resources';
const E = '50:ecology_environment';
const P = '50:public_security';
const T = '50:culture_tourism';
const H = '50:health';

const entry = (id: string, kind: ListEntry['kind'], basis: string): ListEntry => ({
  id,
  kind,
  basis,
  description: '',
  scope: { ownerDepartment: P, fieldClass: 'personal' },
  maskClasses: [],
});

function rec(
  at: string,
  consumerDept: string,
  ownerDept: string,
  decision: string,
  entries: string[] = [],
  policyVersion = '1',
): ExchangeRecord {
  return {
    at: new Date(at),
    consumerApp: `app-${consumerDept}`,
    consumerDept,
    ownerDept,
    resourceId: `res-${ownerDept}`,
    purpose: 'kpi-test',
    decision,
    policyVersion,
    entries,
    maskedFields: [],
    rowCount: decision === 'allow' ? 3 : 0,
    scope: 'all:50',
  };
}

describe.each(testBackends)('datahub KPIs on %s', (kind) => {
  let database: Database;
  let datahub: Datahub;
  let api: Api;
  const clock = new ManualClock('2026-12-07T08:00:00Z');
  const audit = new AuditLog(clock);
  const window = { from: '2026-12-05T00:00:00Z', to: '2026-12-07T00:00:00Z' };

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrateToLatest(database.db, [
      auditMigrations,
      datahubMigrations,
      exchangeMigrations,
      gatewayMigrations,
    ]);
    datahub = createDatahub({ db: database.db, audit, clock, departments: testDirectory });
    // Version 1, then version 2 changes NL-A's basis and adds NL-B.
    await datahub.list.install(SYSTEM_PRINCIPAL, [
      entry('NL-A', 'not_shared', 'basis A v1'),
      entry('NL-C', 'conditional', 'basis C'),
    ]);
    const proposal = await datahub.list.propose(alice, {
      baseVersion: 1,
      upsert: [entry('NL-A', 'not_shared', 'basis A v2'), entry('NL-B', 'not_shared', 'basis B')],
      remove: [],
      note: '',
    });
    await datahub.list.approve(bob, proposal.id);

    await new ExchangeLog(database.db).append([
      rec('2026-12-01T00:00:00Z', W, E, 'allow'), // before the window
      rec('2026-12-05T15:30:00Z', W, E, 'allow'), // 23:30 city time: day 12-05
      rec('2026-12-05T16:30:00Z', W, E, 'allow'), // 00:30 city time: day 12-06
      rec('2026-12-06T02:00:00Z', W, E, 'allow'),
      rec('2026-12-06T03:00:00Z', T, P, 'deny', ['NL-A', 'NL-GONE'], '1'),
      rec('2026-12-06T04:00:00Z', T, P, 'deny', ['NL-A', 'NL-B'], '2'),
      rec('2026-12-06T05:00:00Z', E, E, 'allow'), // a department's own data
      rec('2026-12-06T06:00:00Z', W, H, 'needs_approval', ['NL-C'], '2'),
      rec('2026-12-06T07:00:00Z', W, E, 'failed:source_unavailable'),
      rec('2026-12-07T01:00:00Z', T, P, 'deny', ['NL-B'], '2'), // after the window
    ]);

    const repo = new GatewayRepository();
    const app = async (id: string, requestedAt: string, dueAt: string, decided?: [string, string]) => {
      await repo.insertApplication(database.db, {
        id,
        consumerId: 'app-w',
        consumerDepartment: W,
        ownerDepartment: H,
        resourceId: 'res-h',
        purpose: 'kpi-test',
        entries: ['NL-C'],
        status: 'pending',
        requestedAt,
        dueAt,
        decidedBy: null,
        decidedAt: null,
        validUntil: null,
        remindedAt: null,
        escalatedAt: null,
      });
      if (decided)
        await repo.decide(database.db, id, {
          status: decided[0],
          by: 'liaison',
          at: new Date(decided[1]),
          validUntil: null,
        });
    };
    await app('a1', '2026-12-06T06:00:00Z', '2026-12-08T06:00:00Z'); // waiting
    await app('a2', '2026-12-04T00:00:00Z', '2026-12-06T00:00:00Z'); // waiting, overdue
    await app('a7', '2026-12-03T00:00:00Z', '2026-12-05T00:00:00Z'); // waiting, overdue, escalated
    await repo.markEscalated(database.db, 'a7', new Date('2026-12-05T00:00:00Z'));
    await app('a3', '2026-12-05T10:00:00Z', '2026-12-07T10:00:00Z', ['approved', '2026-12-05T12:00:00Z']); // 120 min
    await app('a4', '2026-12-05T10:00:00Z', '2026-12-07T10:00:00Z', ['rejected', '2026-12-06T10:00:00Z']); // 1440 min
    await app('a5', '2026-12-06T00:00:00Z', '2026-12-08T00:00:00Z', ['approved', '2026-12-06T00:30:00Z']); // 30 min
    await app('a6', '2026-12-01T00:00:00Z', '2026-12-03T00:00:00Z', ['approved', '2026-12-01T00:05:00Z']); // before

    api = await createTestApi({ alice, auditor, city, street, liaison });
    registerDatahubRoutes(api, { datahub });
    await api.ready();
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await database?.close();
  });

  it('counts exchanges per city day and department pair, denials by entry with their basis, approvals and the collaboration rate', async () => {
    const k = await datahub.kpis.kpis(auditor, window);
    expect(k.from).toBe('2026-12-05T00:00:00.000Z');
    expect(k.to).toBe('2026-12-07T00:00:00.000Z');
    expect(k.exchanges).toEqual({ exchanges: 8, served: 4, denied: 2, needsApproval: 1, failed: 1 });
    expect(k.byDay).toEqual([
      { day: '2026-12-05', exchanges: 1, served: 1, denied: 0 },
      { day: '2026-12-06', exchanges: 7, served: 3, denied: 2 },
    ]);
    expect(k.pairs).toEqual([
      { consumerDepartment: W, ownerDepartment: E, exchanges: 4, served: 3, denied: 0 },
      { consumerDepartment: T, ownerDepartment: P, exchanges: 2, served: 0, denied: 2 },
      { consumerDepartment: E, ownerDepartment: E, exchanges: 1, served: 1, denied: 0 },
      { consumerDepartment: W, ownerDepartment: H, exchanges: 1, served: 0, denied: 0 },
    ]);
    // NL-A's basis is the one of the newest version that counted it; an entry no version holds has none.
    expect(k.denials).toEqual([
      { entry: 'NL-A', kind: 'not_shared', basis: 'basis A v2', count: 2 },
      { entry: 'NL-B', kind: 'not_shared', basis: 'basis B', count: 1 },
      { entry: 'NL-GONE', kind: null, basis: null, count: 1 },
    ]);
    expect(k.approvals).toEqual({
      waiting: 3,
      overdue: 2,
      decided: 3,
      approved: 2,
      rejected: 1,
      medianMinutes: 120,
    });
    // 3 served exchanges across a department boundary (the own read and the refusals do not count) of 8.
    expect(k.collaboration).toEqual({ crossServed: 3, exchanges: 8, rate: 0.375 });
    expect(k.departments).toHaveLength(24);
    expect(k.departments.find((d) => d.code === W)?.name).toBe('重庆市水利局');
  });

  it('defaults to the 30 days up to now and answers an empty window with null rates', async () => {
    const all = await datahub.kpis.kpis(auditor, {});
    expect(all.to).toBe('2026-12-07T08:00:00.000Z');
    expect(all.from).toBe('2026-11-07T08:00:00.000Z');
    expect(all.exchanges.exchanges).toBe(10);
    expect(all.approvals.decided).toBe(4);
    expect(all.approvals.medianMinutes).toBe(75); // 5, 30, 120, 1440 → (30 + 120) / 2
    const none = await datahub.kpis.kpis(auditor, {
      from: '2026-11-01T00:00:00Z',
      to: '2026-11-02T00:00:00Z',
    });
    expect(none.exchanges.exchanges).toBe(0);
    expect(none.byDay).toEqual([]);
    expect(none.pairs).toEqual([]);
    expect(none.denials).toEqual([]);
    expect(none.collaboration).toEqual({ crossServed: 0, exchanges: 0, rate: null });
    expect(none.approvals).toMatchObject({ waiting: 3, overdue: 2, decided: 0, medianMinutes: null });
  });

  it('serves GET /api/v1/datahub/kpis to the data authority, auditors and city operators only', async () => {
    const q = `?from=${window.from}&to=${window.to}`;
    for (const who of ['alice', 'auditor', 'city']) {
      const res = await api.inject({ url: `/api/v1/datahub/kpis${q}`, headers: auth(who) });
      expect(res.statusCode, who).toBe(200);
      expect(res.json().collaboration.rate).toBe(0.375);
    }
    for (const who of ['street', 'liaison']) {
      const res = await api.inject({ url: `/api/v1/datahub/kpis${q}`, headers: auth(who) });
      expect(res.statusCode, who).toBe(403);
    }
    const bad = await api.inject({
      url: `/api/v1/datahub/kpis?from=${window.to}&to=${window.from}`,
      headers: auth('auditor'),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toEqual({ field: 'from' });
  });
});
