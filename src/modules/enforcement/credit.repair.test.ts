import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import { ManualClock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { openTestDatabase, testBackends } from '../../platform/db/testing.ts';
import { testPrincipal } from '../../platform/http/testing.ts';
import { auditMigrations } from '../audit/index.ts';
import type { CreditRepairResult } from './credit.repair.ts';
import { buildTestEnforcement, FOOD_PLANT, insertScoredRecord, TEST_STREETS } from './enforcement.fixture.ts';
import { enforcementMigrations } from './enforcement.migrations.ts';
import type { Enforcement } from './enforcement.module.ts';
import { makeUscc } from './uscc.ts';

const operator = testPrincipal('50/500155', ['district_operator']);
/** A second plant of the fixture, near the top of the scale (for the cap). */
const TOP = {
  ...FOOD_PLANT,
  creditCode: makeUscc('91', '500155', 'MA5UYL02'),
  name: '梁平优等食品厂（合成）',
};

describe.each(testBackends)('credit repair on %s', (kind) => {
  let database: Database;
  let en: Enforcement;
  const clock = new ManualClock('2026-06-01T09:00:00+08:00');

  const record = async (code: string, before: number, after: number) => {
    const id = await insertScoredRecord(
      database.db,
      { creditCode: code, jurisdictionPath: FOOD_PLANT.jurisdictionPath },
      before,
      after,
      clock.now(),
    );
    clock.advance(60_000);
    return id;
  };
  const repair = (creditCode: string, applicationId: string): Promise<CreditRepairResult> =>
    database.db
      .transaction()
      .execute((trx) =>
        en.credit.repairCredit(trx, operator, { creditCode, applicationId, at: clock.now() }),
      );
  const audited = async (subject: string) =>
    (
      await sql<{
        action: string;
        details: Record<string, unknown>;
      }>`select action, details from audit_log where subject_id = ${subject} and action like 'enforcement.credit.%' order by seq`.execute(
        database.db,
      )
    ).rows.map((r) => ({
      action: r.action,
      details: typeof r.details === 'string' ? JSON.parse(r.details) : r.details,
    }));

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrateToLatest(database.db, [auditMigrations, enforcementMigrations]);
    en = buildTestEnforcement(database.db, clock);
    await en.register.seed(SYSTEM_PRINCIPAL, {
      streets: TEST_STREETS,
      count: 20,
      extra: [FOOD_PLANT, { ...TOP, creditScore: 100, riskClass: 'A' }],
    });
  });
  afterAll(() => database?.close());

  it('restores the points the unrepaired penalising records took, recomputes the class and marks the records', async () => {
    const first = await record(FOOD_PLANT.creditCode, 78, 72);
    const second = await record(FOOD_PLANT.creditCode, 72, 66);
    const clean = await record(FOOD_PLANT.creditCode, 66, 68);
    expect(await en.records.get(operator, first)).toMatchObject({
      repairedBy: null,
      repairedAt: null,
      creditRepair: { bundleId: 'credit-repair', available: true },
    });
    expect((await en.records.get(operator, clean)).creditRepair.available).toBe(false);
    expect((await en.register.get(operator, FOOD_PLANT.creditCode)).creditRepair).toEqual({
      bundleId: 'credit-repair',
      repairableRecords: 2,
      lastRepairedAt: null,
    });
    const r = await repair(FOOD_PLANT.creditCode, 'app-1');
    expect(r).toMatchObject({
      repaired: true,
      reason: 'repaired',
      scoreBefore: 68,
      scoreAfter: 80,
      riskClassBefore: 'C',
      riskClassAfter: 'B',
    });
    expect(r.records.sort()).toEqual([first, second].sort());
    const plant = await en.register.get(operator, FOOD_PLANT.creditCode);
    expect(plant).toMatchObject({ creditScore: 80, riskClass: 'B' });
    expect(plant.creditRepair).toMatchObject({
      repairableRecords: 0,
      lastRepairedAt: clock.now().toISOString(),
    });
    expect(await en.records.get(operator, first)).toMatchObject({
      repairedBy: 'app-1',
      repairedAt: clock.now().toISOString(),
      creditRepair: { available: false },
    });
    expect((await en.records.get(operator, clean)).repairedBy).toBeNull();
    expect(await audited(FOOD_PLANT.creditCode)).toEqual([
      {
        action: 'enforcement.credit.repaired',
        details: expect.objectContaining({
          application: 'app-1',
          scoreBefore: 68,
          scoreAfter: 80,
          pointsLifted: 12,
        }),
      },
    ]);
    const kpis = await en.kpis.kpis(operator, { from: '2026-05-01', to: '2026-06-30' });
    expect(kpis.total.creditRepairs).toBe(2);
    expect(kpis.byDistrict.find((d) => d.districtCode === '500155')?.creditRepairs).toBe(2);
    expect((await en.kpis.kpis(operator, { from: '2026-07-01', to: '2026-07-31' })).total.creditRepairs).toBe(
      0,
    );
  });

  it('is idempotent: the same application again changes nothing; another with nothing left changes nothing', async () => {
    const again = await repair(FOOD_PLANT.creditCode, 'app-1');
    expect(again).toMatchObject({
      repaired: false,
      reason: 'already_repaired',
      scoreBefore: 80,
      scoreAfter: 80,
    });
    expect(again.records).toHaveLength(2);
    expect(await repair(FOOD_PLANT.creditCode, 'app-2')).toMatchObject({
      repaired: false,
      reason: 'nothing_to_repair',
      records: [],
    });
    expect(await en.register.get(operator, FOOD_PLANT.creditCode)).toMatchObject({ creditScore: 80 });
    expect((await audited(FOOD_PLANT.creditCode)).map((a) => [a.action, a.details.reason ?? null])).toEqual([
      ['enforcement.credit.repaired', null],
      ['enforcement.credit.not_repaired', 'already_repaired'],
      ['enforcement.credit.not_repaired', 'nothing_to_repair'],
    ]);
  });

  it('caps the score at 100', async () => {
    await record(TOP.creditCode, 100, 94);
    await record(TOP.creditCode, 94, 96);
    await record(TOP.creditCode, 96, 98);
    expect(await repair(TOP.creditCode, 'app-3')).toMatchObject({
      repaired: true,
      scoreBefore: 98,
      scoreAfter: 100,
      riskClassAfter: 'A',
    });
    expect(await en.register.get(operator, TOP.creditCode)).toMatchObject({ creditScore: 100 });
  });

  it('an unknown enterprise or an invalid code changes nothing and is audited with the reason', async () => {
    const unknown = makeUscc('91', '500155', 'MA5NXPE1');
    expect(await repair(unknown, 'app-4')).toMatchObject({
      repaired: false,
      reason: 'unknown_enterprise',
      scoreBefore: null,
    });
    expect(await repair('91500103MA60DEMO1X', 'app-5')).toMatchObject({
      repaired: false,
      reason: 'invalid_credit_code',
    });
    expect(await audited(unknown)).toEqual([
      {
        action: 'enforcement.credit.not_repaired',
        details: { application: 'app-4', reason: 'unknown_enterprise', records: [] },
      },
    ]);
  });
});
