import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Principal, SYSTEM_PRINCIPAL } from '../../../platform/access.ts';
import { ManualClock } from '../../../platform/clock.ts';
import type { Database } from '../../../platform/db/database.ts';
import { migrateToLatest } from '../../../platform/db/migrate.ts';
import { openTestDatabase, testBackends } from '../../../platform/db/testing.ts';
import { testPrincipal } from '../../../platform/http/testing.ts';
import { AuditLog, auditMigrations } from '../../audit/index.ts';
import { testDirectory } from '../datahub.fixtures.ts';
import { datahubMigrations } from '../datahub.migrations.ts';
import { createDatahub } from '../datahub.module.ts';
import type { ListEntry, ResourceDto } from '../datahub.schema.ts';
import { exchangeMigrations } from '../exchange/index.ts';
import type { GatewayDeps } from './gateway.deps.ts';
import { gatewayMigrations } from './gateway.migrations.ts';
import { ExchangeGateway } from './gateway.service.ts';

const HOUR = 3_600_000;
const RESOURCE: ResourceDto = {
  id: 'hc-cases',
  kind: 'dataset',
  titleZh: '病例',
  descriptionZh: '测试',
  ownerDepartment: '50:health',
  theme: 'HEAL',
  sourceSystem: 'health-db',
  updateFrequency: 'daily',
  legalBasis: '测试',
  sharing: 'conditional',
  fields: [{ name: 'district', titleZh: 'district', class: 'public' }],
  synthetic: true,
};
const ENTRY: ListEntry = {
  id: 'NL-HC-1',
  kind: 'conditional',
  basis: '《中华人民共和国数据安全法》第三十八条',
  description: '',
  scope: { ownerDepartment: '50:health', resourceId: 'hc-cases' },
  conditions: { ownerApproval: true },
  maskClasses: [],
};
const healthLiaison = testPrincipal('50', ['department_liaison'], '50:health');

describe.each(testBackends)('conditional-access applications time limits on %s', (kind) => {
  let database: Database;
  const clock = new ManualClock('2026-12-07T08:00:00Z');
  const sent: { to: string[]; title: string; subjectId: string }[] = [];
  let deps: GatewayDeps;
  let gateway: ExchangeGateway;
  let consumer: Principal;

  /** A gateway as a fresh process builds it: nothing but the table knows the applications. */
  const fresh = () => {
    const datahub = createDatahub(deps);
    return new ExchangeGateway(deps, datahub.catalogue, datahub.list);
  };
  const file = async () => {
    const answer = await gateway.exchange(consumer, {
      resourceId: 'hc-cases',
      purpose: 'p',
      filters: [],
      limit: 10,
    });
    expect(answer.status).toBe(202);
    return (answer.body as { application: { id: string; dueAt: string } }).application;
  };
  const one = async (id: string) => (await gateway.applications.pending()).find((a) => a.id === id);
  const actions = async (id: string) =>
    (
      await sql<{
        action: string;
      }>`select action from audit_log where subject_id = ${id} order by seq`.execute(database.db)
    ).rows.map((r) => r.action);

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrateToLatest(database.db, [
      auditMigrations,
      datahubMigrations,
      exchangeMigrations,
      gatewayMigrations,
    ]);
    deps = {
      db: database.db,
      audit: new AuditLog(clock),
      clock,
      departments: testDirectory,
      keys: { issue: async () => ({ id: 'k1', secret: 'secret-1' }) },
      notifier: {
        send: async (_trx, to, m) =>
          sent.push({ to: to.map((r) => r.id), title: m.title, subjectId: m.subjectId }),
      },
    };
    const datahub = createDatahub(deps);
    await datahub.catalogue.register(SYSTEM_PRINCIPAL, [RESOURCE]);
    await datahub.list.install(SYSTEM_PRINCIPAL, [ENTRY]);
    gateway = new ExchangeGateway(deps, datahub.catalogue, datahub.list);
    const authority = testPrincipal('50', ['data_authority'], '50:big_data');
    const created = await gateway.consumers.register(authority, {
      name: 'water',
      departmentCode: '50:water_resources',
    });
    consumer = { ...testPrincipal('50', []), kind: 'api_key', id: created.id };
  }, 60_000);
  afterAll(async () => {
    await gateway?.close();
    await database?.close();
  });

  it('tells the owner department and the requester when an application is filed', async () => {
    const a = await file();
    expect(sent.at(-1)).toMatchObject({
      to: ['department:50:health', `consumer:${consumer.id}`],
      subjectId: a.id,
    });
    await gateway.applications.decide(healthLiaison, a.id, false);
  });

  it('reminds at 75 %, escalates after the due time, and an approval still works and closes it', async () => {
    const a = await file();
    clock.advance(35 * HOUR);
    expect(await gateway.applicationTimers.tick()).toEqual({ reminded: 0, escalated: 0 });
    clock.advance(1 * HOUR); // 36 h of 48 h
    expect(await gateway.applicationTimers.tick()).toEqual({ reminded: 1, escalated: 0 });
    expect(sent.at(-1)).toMatchObject({ to: ['department:50:health'], subjectId: a.id });
    expect(await gateway.applicationTimers.tick()).toEqual({ reminded: 0, escalated: 0 }); // once only
    expect(await one(a.id)).toMatchObject({ status: 'pending', remindedAt: clock.now().toISOString() });

    clock.set(a.dueAt);
    // A process started after the filing (a restart) sweeps from the table.
    const restarted = fresh();
    expect(await restarted.applicationTimers.tick()).toEqual({ reminded: 0, escalated: 1 });
    expect(sent.at(-1)).toMatchObject({
      to: ['role:data_authority', 'department:50:health'],
      subjectId: a.id,
    });
    expect(await one(a.id)).toMatchObject({ status: 'escalated', escalatedAt: a.dueAt });
    expect(await restarted.applicationTimers.tick()).toEqual({ reminded: 0, escalated: 0 }); // once only

    clock.advance(2 * HOUR);
    const approved = await gateway.applications.decide(healthLiaison, a.id, true);
    expect(approved).toMatchObject({ status: 'approved', escalatedAt: a.dueAt, decidedBy: healthLiaison.id });
    expect(sent.at(-1)).toMatchObject({ to: [`consumer:${consumer.id}`, 'role:data_authority'] });
    expect(await one(a.id)).toBeUndefined();
    expect(await actions(a.id)).toEqual([
      'datahub.application.filed',
      'datahub.application.reminded',
      'datahub.application.escalated',
      'datahub.application.approved',
    ]);
    // The approval lets the requester read the resource.
    const requester = await gateway.consumers.authenticate(consumer);
    expect(await gateway.applications.approves(a.id, requester, 'hc-cases')).toBe(true);
  });

  it('never reminds or escalates a decided application', async () => {
    const a = await file();
    await gateway.applications.decide(healthLiaison, a.id, false);
    clock.advance(100 * HOUR);
    expect(await gateway.applicationTimers.tick()).toEqual({ reminded: 0, escalated: 0 });
    expect(await actions(a.id)).toEqual(['datahub.application.filed', 'datahub.application.rejected']);
  });
});
