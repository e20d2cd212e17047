import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import { WorkingDayCalendar } from '../../platform/calendar/calendar.ts';
import { ManualClock } from '../../platform/clock.ts';
import { type Database, forTables } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { openTestDatabase, testBackends } from '../../platform/db/testing.ts';
import { testPrincipal } from '../../platform/http/testing.ts';
import { createLogger } from '../../platform/logger.ts';
import { AlgorithmRegistry, algorithmMigrations } from '../algorithms/index.ts';
import { AuditLog, auditMigrations } from '../audit/index.ts';
import { NotifyService, notifyMigrations } from '../notify/index.ts';
import { loadBundleFiles } from './services.bundle.ts';
import {
  citizen,
  GOOD_PHOTO_DATA_URL,
  liaison,
  memoryAccounts,
  memoryEvidence,
  NEWBORN_RECORDS,
  newbornForm,
  PNG_DATA_URL,
  TEST_SIGNING_SEED,
} from './services.fixtures.ts';
import { servicesMigrations } from './services.migrations.ts';
import { createServices, type IntegratedServices } from './services.module.ts';
import { PRECHECK_ALGORITHM } from './services.precheck-gate.ts';
import type { ApplicationDto } from './services.schema.ts';

/** The decision log's columns this test reads (the algorithms module's tables, read as an auditor would). */
interface DecisionLog {
  algorithm_decision: {
    id: string;
    algorithm_key: string;
    outcome: string;
    input_digest: string;
    inputs: unknown;
  };
  algorithm_decision_subject: { decision_id: string; subject_type: string; subject_id: string };
  algorithm_override: {
    decision_id: string;
    algorithm_key: string;
    by: string;
    reason: string;
    new_output: unknown;
  };
}

const FILING = path.resolve(import.meta.dirname, '../../../data/algorithms/services.v1.json');
const GOOD_CARD = '6217000010001234569';
const BAD_CARD = '6217000010001234568';

describe.each(testBackends)('material pre-check through the filing gate on %s', (kind) => {
  let database: Database;
  let services: IntegratedServices;
  let registry: AlgorithmRegistry;
  const clock = new ManualClock('2026-12-02T09:00:00+08:00');
  const mother = citizen('mother-1');
  const admin = testPrincipal('50', ['admin']);
  const algo = () => forTables<DecisionLog>(database.db);

  const file = async (photo: string, card: string): Promise<ApplicationDto> => {
    const draft = await services.core.apply(mother, {
      bundleId: 'newborn',
      form: newbornForm(clock.now()),
      consent: true,
    });
    const confirm = draft.materials.filter((m) => m.status === 'fetched').map((m) => m.code);
    return services.core.submit(mother, draft.id, {
      confirm,
      provided: { 'newborn-photo': photo, 'bank-account': card },
    });
  };
  const material = (app: ApplicationDto, code: string) => app.materials.find((m) => m.code === code);
  const approve = (app: ApplicationDto, item: string, reason?: string) =>
    services.desk.decide(liaison(app.steps.find((s) => s.item === item)?.department ?? ''), app.id, item, {
      decision: 'approve',
      ...(reason ? { reason } : {}),
    });

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrateToLatest(database.db, [
      auditMigrations,
      notifyMigrations,
      servicesMigrations,
      algorithmMigrations,
    ]);
    const audit = new AuditLog(clock);
    registry = new AlgorithmRegistry({ db: database.db, audit, clock, refreshMs: 100, flushMs: 20 });
    await registry.start();
    services = await createServices(
      {
        db: database.db,
        audit,
        clock,
        notifier: new NotifyService({ db: database.db, clock, logger: createLogger('error') }),
        evidence: memoryEvidence(NEWBORN_RECORDS),
        calendar: WorkingDayCalendar.load(),
        signingSeed: TEST_SIGNING_SEED,
        accounts: memoryAccounts(['mother-1']),
        algorithms: registry,
        logger: createLogger('error'),
      },
      loadBundleFiles(),
    );
  });
  afterAll(async () => {
    await registry?.stop();
    await database?.close();
  });

  it('falls back while the algorithm is not filed: nothing pre-checked, the desk is told why', async () => {
    const app = await file(PNG_DATA_URL, BAD_CARD);
    expect(app.status).toBe('in_progress');
    expect(material(app, 'bank-account')?.precheck).toMatchObject({
      status: 'not_prechecked',
      notCheckedReason: 'algorithm_not_in_use',
      reasons: [],
    });
    // Materials from departments' records are not the applicant's: not pre-checked.
    expect(material(app, 'mother-id-card')?.precheck).toBeUndefined();
    await registry.flush();
    const refused = await algo()
      .selectFrom('algorithm_decision')
      .selectAll()
      .where('id', '=', material(app, 'bank-account')?.precheck?.decisionId ?? '')
      .executeTakeFirstOrThrow();
    expect(refused).toMatchObject({ algorithm_key: PRECHECK_ALGORITHM, outcome: 'refused' });
    // A desk approving it records no override (there was no decision to disagree with).
    await approve(app, 'birth-certificate');
    const after = await services.core.read(database.db, app.id);
    await approve(after, 'maternity-benefits');
    await registry.flush();
    expect(await algo().selectFrom('algorithm_override').selectAll().execute()).toEqual([]);
  });

  it('once filed, logs one decision per filing with its input digest, and flags a tiny photo and a bad card', async () => {
    expect(await registry.loadRegisterFile(FILING, SYSTEM_PRINCIPAL)).toEqual({
      imported: [`${PRECHECK_ALGORITHM}@1.0.0`],
      skipped: [],
    });
    const app = await file(PNG_DATA_URL, BAD_CARD);
    const photo = material(app, 'newborn-photo')?.precheck;
    expect(photo).toMatchObject({
      status: 'needs_review',
      algorithm: `${PRECHECK_ALGORITHM}@1.0.0`,
      reasons: [
        { code: 'file_too_small', params: { min: 1000 } },
        { code: 'image_too_small', params: { width: 1, height: 1, minWidth: 358, minHeight: 441 } },
      ],
    });
    expect(material(app, 'bank-account')?.precheck).toMatchObject({
      status: 'needs_review',
      reasons: [{ code: 'card_luhn', params: { last4: '4568' } }],
      decisionId: photo?.decisionId,
    });
    await registry.flush();
    const row = await algo()
      .selectFrom('algorithm_decision')
      .selectAll()
      .where('id', '=', photo?.decisionId ?? '')
      .executeTakeFirstOrThrow();
    expect(row.outcome).toBe('decided');
    expect(row.input_digest).toMatch(/^[0-9a-f]{64}$/);
    // The log keeps the card's last four only, and of the photo its facts, never its bytes.
    const kept = JSON.stringify(row.inputs);
    expect(kept).not.toContain(BAD_CARD);
    expect(kept).toContain('4568');
    expect(kept).toContain('"width":1');
    const subject = await algo()
      .selectFrom('algorithm_decision_subject')
      .selectAll()
      .where('decision_id', '=', row.id)
      .executeTakeFirstOrThrow();
    expect(subject).toMatchObject({ subject_type: 'service_application', subject_id: app.id });

    // The desk sees it in its inbox; approving the flagged card is an override with the desk's reason.
    let next = await approve(app, 'birth-certificate');
    const inbox = await services.desk.inbox(liaison('50:human_resources_social_security'));
    const task = inbox.find((t) => t.applicationId === app.id && t.step.item === 'maternity-benefits');
    expect(task?.materials.find((m) => m.code === 'bank-account')?.precheck?.status).toBe('needs_review');
    next = await approve(next, 'maternity-benefits', '已电话核实卡号，尾号录入有误已更正');
    // A retried approval is a no-op: no second override.
    await approve(next, 'maternity-benefits', '已电话核实卡号，尾号录入有误已更正');
    await registry.flush();
    const overrides = await algo().selectFrom('algorithm_override').selectAll().execute();
    expect(overrides).toHaveLength(1);
    expect(overrides[0]).toMatchObject({
      decision_id: row.id,
      algorithm_key: PRECHECK_ALGORITHM,
      by: 'user:liaison-50:human_resources_social_security',
      reason: '已电话核实卡号，尾号录入有误已更正',
    });
    expect(overrides[0]?.new_output).toMatchObject({
      materials: { 'bank-account': 'pass' },
      decision: 'approve',
    });
  });

  it('a correction asked of a passed material is an override; the correction is pre-checked again', async () => {
    const app = await file(GOOD_PHOTO_DATA_URL, GOOD_CARD);
    const first = material(app, 'bank-account')?.precheck;
    expect(first).toMatchObject({ status: 'pass', reasons: [] });
    expect(material(app, 'newborn-photo')?.precheck).toMatchObject({ status: 'pass', reasons: [] });
    await approve(app, 'birth-certificate');
    await services.desk.decide(liaison('50:human_resources_social_security'), app.id, 'maternity-benefits', {
      decision: 'correction',
      reason: '收款账户须为母亲本人的账户',
      materials: ['bank-account'],
    });
    await registry.flush();
    const override = await algo()
      .selectFrom('algorithm_override')
      .selectAll()
      .where('decision_id', '=', first?.decisionId ?? '')
      .executeTakeFirstOrThrow();
    expect(override).toMatchObject({ reason: '收款账户须为母亲本人的账户' });
    expect(override.new_output).toMatchObject({ materials: { 'bank-account': 'needs_review' } });
    const corrected = await services.desk.correct(mother, app.id, {
      item: 'maternity-benefits',
      provided: { 'bank-account': BAD_CARD },
    });
    const again = material(corrected, 'bank-account')?.precheck;
    expect(again).toMatchObject({ status: 'needs_review', reasons: [{ code: 'card_luhn' }] });
    expect(again?.decisionId).not.toBe(first?.decisionId);
    // The photo was not given again: its verdict stays.
    expect(material(corrected, 'newborn-photo')?.precheck?.decisionId).toBe(first?.decisionId);
  });

  it('falls back at once when the algorithm is suspended', async () => {
    await registry.register.transition(admin, PRECHECK_ALGORITHM, '1.0.0', {
      to: 'suspended',
      reason: 'emergency brake in a test',
    });
    const app = await file(GOOD_PHOTO_DATA_URL, GOOD_CARD);
    expect(material(app, 'newborn-photo')?.precheck).toMatchObject({
      status: 'not_prechecked',
      notCheckedReason: 'algorithm_not_in_use',
    });
  });
});
