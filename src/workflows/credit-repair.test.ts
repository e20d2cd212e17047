import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog, auditMigrations } from '../modules/audit/index.ts';
import {
  buildTestEnforcement,
  FOOD_PLANT,
  insertScoredRecord,
  TEST_STREETS,
} from '../modules/enforcement/enforcement.fixture.ts';
import { type Enforcement, enforcementMigrations, makeUscc } from '../modules/enforcement/index.ts';
import { NotifyService, notifyMigrations } from '../modules/notify/index.ts';
import {
  createServices,
  type IntegratedServices,
  loadBundleFiles,
  servicesMigrations,
} from '../modules/services/index.ts';
import {
  citizen,
  liaison,
  memoryAccounts,
  memoryEvidence,
  PNG_DATA_URL,
  TEST_SIGNING_SEED,
} from '../modules/services/services.fixtures.ts';
import { SYSTEM_PRINCIPAL } from '../platform/access.ts';
import { WorkingDayCalendar } from '../platform/calendar/calendar.ts';
import { ManualClock } from '../platform/clock.ts';
import type { Database } from '../platform/db/database.ts';
import { migrateToLatest } from '../platform/db/migrate.ts';
import { openTestDatabase, testBackends } from '../platform/db/testing.ts';
import { testPrincipal } from '../platform/http/testing.ts';
import { createLogger } from '../platform/logger.ts';
import { creditRepairOnCompletion } from './credit-repair.ts';

const operator = testPrincipal('50/500155', ['district_operator']);
const rep = citizen('rep-1');

/** Enforcement and integrated services over one database, services told of completions by the workflow. */
describe.each(testBackends)('credit repair workflow on %s', (kind) => {
  let database: Database;
  let en: Enforcement;
  let services: IntegratedServices;
  // Wednesday 2 December 2026, 09:00 in Chongqing: a working day.
  const clock = new ManualClock('2026-12-02T09:00:00+08:00');

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrateToLatest(database.db, [
      auditMigrations,
      notifyMigrations,
      servicesMigrations,
      enforcementMigrations,
    ]);
    en = buildTestEnforcement(database.db, clock);
    await en.register.seed(SYSTEM_PRINCIPAL, { streets: TEST_STREETS, count: 10, extra: [FOOD_PLANT] });
    services = await createServices(
      {
        db: database.db,
        audit: new AuditLog(clock),
        clock,
        notifier: new NotifyService({ db: database.db, clock, logger: createLogger('error') }),
        evidence: memoryEvidence({}),
        calendar: WorkingDayCalendar.load(),
        signingSeed: TEST_SIGNING_SEED,
        accounts: memoryAccounts(['rep-1']),
        completed: creditRepairOnCompletion({ credit: en.credit }),
      },
      loadBundleFiles(),
    );
  });
  afterAll(() => database?.close());

  /** The representative applies for credit repair and every desk approves every step, wave by wave. */
  const applyAndComplete = async (enterpriseUscc: string) => {
    const draft = await services.core.apply(rep, {
      bundleId: 'credit-repair',
      form: { enterpriseUscc, legalRepIdNumber: '500103197607030019', penaltiesPaid: true },
      consent: true,
    });
    const needed = draft.materials.filter((m) => m.status === 'needed');
    let app = await services.core.submit(rep, draft.id, {
      confirm: draft.materials.filter((m) => m.status === 'fetched').map((m) => m.code),
      provided: Object.fromEntries(
        needed.map((m) => [m.code, m.format === 'text' ? `${m.titleZh}（测试）` : PNG_DATA_URL]),
      ),
    });
    for (let wave = 0; app.status === 'in_progress' && wave < 5; wave++)
      for (const step of app.steps.filter((s) => s.status === 'pending'))
        app = await services.desk.decide(liaison(step.department), app.id, step.item, {
          decision: 'approve',
        });
    return app;
  };

  it('a completed credit-repair application restores the credit its records took, in the same transaction', async () => {
    const at = clock.now();
    const first = await insertScoredRecord(database.db, FOOD_PLANT, 78, 72, at);
    await insertScoredRecord(database.db, FOOD_PLANT, 72, 66, at);
    expect(await en.register.get(operator, FOOD_PLANT.creditCode)).toMatchObject({
      creditScore: 66,
      riskClass: 'C',
    });
    const app = await applyAndComplete(FOOD_PLANT.creditCode);
    expect(app.status).toBe('completed');
    expect(await en.register.get(operator, FOOD_PLANT.creditCode)).toMatchObject({
      creditScore: 78,
      riskClass: 'B',
      creditRepair: { repairableRecords: 0 },
    });
    expect(await en.records.get(operator, first)).toMatchObject({ repairedBy: app.id });
    const audit = await sql<{
      action: string;
    }>`select action from audit_log where subject_id in (${app.id}, ${FOOD_PLANT.creditCode}) order by seq`.execute(
      database.db,
    );
    const actions = audit.rows.map((r) => r.action);
    // In the completing transaction, just before the last step's and the completion's entries (a
    // transaction takes the audit chain's head last: the enterprise's row is locked before it).
    const repaired = actions.indexOf('enforcement.credit.repaired');
    expect(actions.slice(repaired, repaired + 3)).toEqual([
      'enforcement.credit.repaired',
      'services.step.approved',
      'services.application.completed',
    ]);
  });

  it('an application naming an unknown enterprise still completes; nothing is repaired, the reason audited', async () => {
    const unknown = makeUscc('91', '500155', 'MA5NXPE2');
    const app = await applyAndComplete(unknown);
    expect(app.status).toBe('completed');
    const audit = await sql<{
      details: unknown;
    }>`select details from audit_log where subject_id = ${unknown} and action = 'enforcement.credit.not_repaired'`.execute(
      database.db,
    );
    const details = audit.rows.map((r) =>
      typeof r.details === 'string' ? JSON.parse(r.details) : r.details,
    );
    expect(details).toEqual([{ application: app.id, reason: 'unknown_enterprise', records: [] }]);
  });
});
