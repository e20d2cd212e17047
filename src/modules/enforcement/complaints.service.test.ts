import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import { ManualClock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { openTestDatabase, testBackends } from '../../platform/db/testing.ts';
import { testPrincipal } from '../../platform/http/testing.ts';
import { auditMigrations } from '../audit/index.ts';
import { buildTestEnforcement, FOOD_PLANT, rejects, TEST_STREETS } from './enforcement.fixture.ts';
import { enforcementMigrations } from './enforcement.migrations.ts';
import type { Enforcement } from './enforcement.module.ts';
import { makeUscc } from './uscc.ts';

const operator = testPrincipal('50/500155', ['district_operator']);
const yuzhong = testPrincipal('50/500103', ['district_operator']);
const auditor = testPrincipal('50', ['auditor']);
const officer = testPrincipal('50/500155', ['field_officer']);
const text = '一个月内第二次上门检查，影响生产。';

/** The complaints register about repeated inspections: intake, its assessment and refusals, and the KPI. */
describe.each(testBackends)('repeat-inspection complaints on %s', (kind) => {
  let database: Database;
  let en: Enforcement;
  const clock = new ManualClock('2026-07-10T10:00:00+08:00');
  let other = '';
  let yuzhongPlant = '';
  const complaints = async () =>
    Number(
      (await sql<{ n: string }>`select count(*) as n from en_complaint`.execute(database.db)).rows[0]?.n,
    );

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrateToLatest(database.db, [auditMigrations, enforcementMigrations]);
    en = buildTestEnforcement(database.db, clock);
    await en.register.seed(SYSTEM_PRINCIPAL, { streets: TEST_STREETS, count: 300, extra: [FOOD_PLANT] });
    const liangping = await en.register.list(operator, { districtCode: '500155', limit: 5, offset: 0 });
    other = (liangping.find((e) => e.creditCode !== FOOD_PLANT.creditCode) as { creditCode: string })
      .creditCode;
    yuzhongPlant = (await en.register.list(yuzhong, { districtCode: '500103', limit: 1, offset: 0 }))[0]
      ?.creditCode as string;
    // Two visits to the plant 16 days apart: the second within the 30-day quiet period, with a reason.
    await en.visits.schedule(operator, {
      enterpriseCode: FOOD_PLANT.creditCode,
      department: 'market_regulation',
      start: '2026-05-20',
      end: '2026-05-22',
    });
    await en.visits.schedule(operator, {
      enterpriseCode: FOOD_PLANT.creditCode,
      department: 'fire_rescue',
      start: '2026-06-05',
      end: '2026-06-06',
      reason: 'follow-up of a fire hazard report',
    });
  });
  afterAll(() => database?.close());

  it('substantiates a complaint when the enterprise had two visits within the quiet period ending at its date', async () => {
    const c = await en.complaints.record(operator, {
      enterpriseCode: FOOD_PLANT.creditCode,
      department: 'fire_rescue',
      receivedAt: '2026-06-15T10:00:00+08:00',
      source: 'hotline',
      text,
    });
    expect(c).toMatchObject({
      enterpriseCode: FOOD_PLANT.creditCode,
      districtCode: '500155',
      department: 'fire_rescue',
      receivedDate: '2026-06-15',
      source: 'hotline',
      substantiated: true,
      quietPeriodDays: 30,
      synthetic: false,
    });
    expect(c.visitIds).toHaveLength(2);
    const audited = await sql<{ n: string }>`select count(*) as n from audit_log
      where action = 'enforcement.complaint.recorded' and subject_id = ${c.id}`.execute(database.db);
    expect(Number(audited.rows[0]?.n)).toBe(1);
    // Sixteen days later only the second visit lies within the quiet period: not substantiated.
    const later = await en.complaints.record(operator, {
      enterpriseCode: FOOD_PLANT.creditCode,
      receivedAt: '2026-07-01T09:00:00+08:00',
      source: 'portal',
      text,
    });
    expect(later).toMatchObject({ substantiated: false, department: null });
    expect(later.visitIds).toHaveLength(1);
  });

  it('does not substantiate a complaint about an enterprise without repeated visits', async () => {
    const c = await en.complaints.record(operator, { enterpriseCode: other, source: 'open311', text });
    expect(c).toMatchObject({ substantiated: false, visitIds: [] });
  });

  it('refuses bad input with a machine-readable code and stores nothing', async () => {
    const before = await complaints();
    const unknown = makeUscc('91', '500155', 'MA5UYL99');
    await rejects(
      en.complaints.record(operator, { enterpriseCode: unknown, source: 'hotline', text }),
      'invalid_data',
      { field: 'enterpriseCode' },
    );
    const bad = `${FOOD_PLANT.creditCode.slice(0, 17)}${FOOD_PLANT.creditCode[17] === '0' ? '1' : '0'}`;
    await rejects(
      en.complaints.record(operator, { enterpriseCode: bad, source: 'hotline', text }),
      'invalid_credit_code',
      { reason: 'check_char' },
    );
    await rejects(
      en.complaints.record(operator, {
        enterpriseCode: FOOD_PLANT.creditCode,
        department: 'tax_bureau',
        source: 'hotline',
        text,
      }),
      'invalid_data',
      { field: 'department' },
    );
    await rejects(
      en.complaints.record(operator, {
        enterpriseCode: FOOD_PLANT.creditCode,
        receivedAt: '2026-07-11T10:00:00+08:00',
        source: 'hotline',
        text,
      }),
      'invalid_data',
      { field: 'receivedAt' },
    );
    // Outside the operator's jurisdiction, either way: 404 as the module's other reads.
    await rejects(
      en.complaints.record(yuzhong, { enterpriseCode: FOOD_PLANT.creditCode, source: 'hotline', text }),
      'not_found',
    );
    await rejects(
      en.complaints.record(operator, { enterpriseCode: yuzhongPlant, source: 'hotline', text }),
      'not_found',
    );
    await rejects(
      en.complaints.record(officer, { enterpriseCode: FOOD_PLANT.creditCode, source: 'hotline', text }),
      'forbidden',
    );
    expect(await complaints()).toBe(before);
  });

  it('counts complaints per district, department and in total, against the previous period of equal length', async () => {
    for (const receivedAt of [
      '2025-03-01T10:00:00+08:00',
      '2025-06-10T10:00:00+08:00',
      '2025-09-09T10:00:00+08:00',
    ])
      await en.complaints.record(operator, {
        enterpriseCode: FOOD_PLANT.creditCode,
        department: 'market_regulation',
        receivedAt,
        source: 'hotline',
        text,
      });
    const kpis = await en.kpis.kpis(auditor, { from: '2026-01-01', to: '2026-12-31' });
    const registered = await en.register.count();
    expect(kpis.total).toMatchObject({
      repeatComplaints: 3,
      substantiatedComplaints: 1,
      registeredEnterprises: registered,
      complaintsPerThousandEnterprises: Math.round((3000 / registered) * 1000) / 1000,
      previousFrom: '2025-01-01',
      previousTo: '2025-12-31',
      previousRepeatComplaints: 3,
      repeatComplaintsChange: 0,
    });
    expect(kpis.byDistrict.find((d) => d.districtCode === '500155')).toMatchObject({
      repeatComplaints: 3,
      substantiatedComplaints: 1,
    });
    expect(kpis.byDepartment.find((d) => d.department === 'fire_rescue')).toMatchObject({
      repeatComplaints: 1,
      substantiatedComplaints: 1,
    });
    // January–July 2026 (three) against the 212 days before (2025-06-10 and 2025-09-09): +50%.
    const seven = await en.kpis.kpis(auditor, { from: '2026-01-01', to: '2026-07-31' });
    expect(seven.total).toMatchObject({
      repeatComplaints: 3,
      previousFrom: '2025-06-03',
      previousTo: '2025-12-31',
      previousRepeatComplaints: 2,
      repeatComplaintsChange: 0.5,
    });
    // 2025 against 2024 (none): no ratio.
    const last = await en.kpis.kpis(auditor, { from: '2025-01-01', to: '2025-12-31' });
    expect(last.total).toMatchObject({
      repeatComplaints: 3,
      previousRepeatComplaints: 0,
      repeatComplaintsChange: null,
    });
    expect(last.byDepartment.find((d) => d.department === 'market_regulation')).toMatchObject({
      repeatComplaints: 3,
      substantiatedComplaints: 0,
    });
    // October 2025–June 2026 (one) against the 273 days before (three): −67%.
    const fall = await en.kpis.kpis(auditor, { from: '2025-10-01', to: '2026-06-30' });
    expect(fall.total).toMatchObject({
      repeatComplaints: 1,
      previousRepeatComplaints: 3,
      repeatComplaintsChange: -0.667,
    });
    // Scope: Yuzhong sees none of Liangping's complaints, in the KPI or the list.
    const yz = await en.kpis.kpis(yuzhong, { from: '2026-01-01', to: '2026-12-31' });
    expect(yz.total.repeatComplaints).toBe(0);
    expect(await en.complaints.list(yuzhong, { from: '2000-01-01', to: '2999-12-31', limit: 50 })).toEqual(
      [],
    );
    const mine = await en.complaints.list(operator, { from: '2026-01-01', to: '2026-12-31', limit: 50 });
    expect(mine.map((c) => c.receivedDate)).toEqual(['2026-07-10', '2026-07-01', '2026-06-15']);
  });
});
