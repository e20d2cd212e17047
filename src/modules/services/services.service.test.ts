import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkingDayCalendar } from '../../platform/calendar/calendar.ts';
import { ManualClock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { openTestDatabase, testBackends } from '../../platform/db/testing.ts';
import { AppError } from '../../platform/errors.ts';
import { createLogger } from '../../platform/logger.ts';
import { AuditLog, auditMigrations } from '../audit/index.ts';
import { NotifyService, notifyMigrations } from '../notify/index.ts';
import { loadBundleFiles } from './services.bundle.ts';
import {
  citizen,
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

const calendar = WorkingDayCalendar.load();
const HOUR = 3_600_000;

describe.each(testBackends)('integrated services on %s', (kind) => {
  let database: Database;
  let services: IntegratedServices;
  // Wednesday 2 December 2026, 09:00 in Chongqing.
  const clock = new ManualClock('2026-12-02T09:00:00+08:00');
  const evidence = memoryEvidence(NEWBORN_RECORDS);
  const mother = citizen('mother-1');
  const build = async () => {
    const notifier = new NotifyService({ db: database.db, clock, logger: createLogger('error') });
    return createServices(
      {
        db: database.db,
        audit: new AuditLog(clock),
        clock,
        notifier,
        evidence,
        calendar,
        signingSeed: TEST_SIGNING_SEED,
        accounts: memoryAccounts(['mother-1']),
      },
      loadBundleFiles(),
    );
  };
  const refusal = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (err) {
      if (err instanceof AppError) return { code: err.code, details: err.details as Record<string, unknown> };
      throw err;
    }
    throw new Error('expected a refusal');
  };

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrateToLatest(database.db, [auditMigrations, notifyMigrations, servicesMigrations]);
    services = await build();
  });
  afterAll(() => database?.close());

  it('tells an applicant who is not eligible why, before anything is filed', async () => {
    const form = { ...newbornForm(clock.now()), bornInCity: false, relation: 'aunt' };
    expect(services.core.eligibility('newborn', form)).toMatchObject({
      eligible: false,
      reasons: [{ rule: 'born-in-city' }, { rule: 'parent-applies' }],
    });
    expect(
      await refusal(services.core.apply(mother, { bundleId: 'newborn', form, consent: true })),
    ).toMatchObject({
      code: 'invalid_data',
      details: { reason: 'not_eligible' },
    });
  });

  it('runs a newborn application: 18 materials, 2 from the parent, parallel steps, one version', async () => {
    const draft = await services.core.apply(mother, {
      bundleId: 'newborn',
      form: newbornForm(clock.now()),
      consent: true,
    });
    expect(draft.status).toBe('draft');
    expect(draft.consentAt).not.toBeNull();
    expect(draft.summary).toMatchObject({
      items: 6,
      departments: 7,
      materialsRequired: 18,
      materialsFromCitizen: 2,
      materialsFromSharedData: 12,
      materialsFromItems: 4,
    });
    const fetched = draft.materials.filter((m) => m.status === 'fetched');
    expect(fetched.every((m) => m.exchangeId && m.value)).toBe(true);
    // Residence: the property register holds it, so the rental registrations are not needed.
    expect(draft.materials.find((m) => m.code === 'residence-proof')).toMatchObject({
      origin: 'shared_data',
      resourceId: 'demo-pnr-property',
    });

    // Nothing filed until the applicant confirms and gives the rest; a bad material names itself and the rule.
    const bad = await refusal(
      services.core.submit(mother, draft.id, {
        confirm: fetched.map((m) => m.code),
        provided: { 'newborn-photo': 'not a file', 'bank-account': '6222 0000 0000 1234' },
      }),
    );
    expect(bad).toMatchObject({ code: 'invalid_data', details: { materials: [{ code: 'newborn-photo' }] } });
    expect(
      await refusal(services.core.submit(citizen('someone-else'), draft.id, { confirm: [], provided: {} })),
    ).toMatchObject({ code: 'not_found' });

    const filed = await services.core.submit(mother, draft.id, {
      confirm: fetched.map((m) => m.code),
      provided: { 'newborn-photo': PNG_DATA_URL, 'bank-account': '6222 0000 0000 1234' },
    });
    expect(filed.status).toBe('in_progress');
    const pending = () =>
      services.core
        .get(mother, draft.id)
        .then((a) => a.steps.filter((s) => s.status === 'pending').map((s) => s.item));
    expect(await pending()).toEqual(['birth-certificate']);
    const first = filed.steps.find((s) => s.item === 'birth-certificate');
    // One working day: Thursday 3 December, 09:00.
    expect(first?.dueAt).toBe(new Date('2026-12-03T09:00:00+08:00').toISOString());

    // The wrong department is refused with its code; the desk shows the right one its task.
    expect(
      await refusal(
        services.desk.decide(liaison('50:public_security'), draft.id, 'birth-certificate', {
          decision: 'approve',
        }),
      ),
    ).toMatchObject({ code: 'forbidden', details: { reason: 'wrong_department', department: '50:health' } });
    const inbox = await services.desk.inbox(liaison('50:health'));
    const task = inbox.find((t) => t.applicationId === draft.id);
    expect(task?.step.item).toBe('birth-certificate');
    expect(task?.materials.map((m) => m.code)).toEqual(
      expect.arrayContaining(['mother-id-card', 'marriage-certificate', 'delivery-record']),
    );

    clock.advance(HOUR / 4);
    await services.desk.decide(liaison('50:health'), draft.id, 'birth-certificate', { decision: 'approve' });
    expect((await pending()).sort()).toEqual([
      'household-registration',
      'maternity-benefits',
      'vaccination-certificate',
    ]);
    // Decided twice: the same decision is a no-op, another is refused.
    const again = await services.desk.decide(liaison('50:health'), draft.id, 'birth-certificate', {
      decision: 'approve',
    });
    expect(again.steps.filter((s) => s.status === 'pending')).toHaveLength(3);
    expect(
      await refusal(
        services.desk.decide(liaison('50:health'), draft.id, 'birth-certificate', {
          decision: 'reject',
          reason: 'x',
        }),
      ),
    ).toMatchObject({ code: 'conflict', details: { reason: 'already_decided' } });
    expect(
      await refusal(
        services.desk.decide(liaison('50:human_resources_social_security'), draft.id, 'medical-insurance', {
          decision: 'approve',
        }),
      ),
    ).toMatchObject({ code: 'conflict', details: { status: 'waiting' } });

    // Parallel steps decided at once: none lost.
    clock.advance(HOUR / 4);
    await Promise.all([
      services.desk.decide(liaison('50:health'), draft.id, 'vaccination-certificate', {
        decision: 'approve',
      }),
      services.desk.decide(liaison('50:public_security'), draft.id, 'household-registration', {
        decision: 'approve',
      }),
      services.desk.decide(liaison('50:human_resources_social_security'), draft.id, 'maternity-benefits', {
        decision: 'correction',
        reason: '请提供本人名下银行卡',
      }),
    ]);
    let app = await services.core.get(mother, draft.id);
    expect(app.status).toBe('correction');
    expect(await pending()).toEqual(['medical-insurance']);
    app = await services.desk.correct(mother, draft.id, {
      item: 'maternity-benefits',
      provided: { 'bank-account': '6222 0000 0000 5678' },
    });
    expect(app.status).toBe('in_progress');
    expect(app.steps.find((s) => s.item === 'maternity-benefits')).toMatchObject({
      status: 'pending',
      round: 2,
    });
    const hrss = liaison('50:human_resources_social_security');
    clock.advance(HOUR / 4);
    await services.desk.decide(hrss, draft.id, 'maternity-benefits', { decision: 'approve' });
    await services.desk.decide(hrss, draft.id, 'medical-insurance', { decision: 'approve' });
    clock.advance(HOUR / 4);
    app = await services.desk.decide(hrss, draft.id, 'social-security-card', { decision: 'approve' });
    expect(app.status).toBe('completed');
    expect(app.summary.leadTimeMinutes).toBe(60);
    expect(app.materials.filter((m) => m.origin === 'item').every((m) => m.status === 'produced')).toBe(true);
    const notices = await services.core.notices(mother);
    expect(notices.map((n) => n.title)).toEqual(expect.arrayContaining(['新生儿出生一件事：全部办结']));
    // Each notice is also a code with its parameters, for the client to render in the reader's language.
    const done = notices.find((n) => n.code === 'services.completed')!;
    expect(done.params).toMatchObject({ bundle: 'newborn', bundleZh: '新生儿出生一件事', certificates: 6 });
    expect(String(done.params?.bundleEn)).toMatch(/newborn/i);
    expect(notices.find((n) => n.code === 'services.accepted')).toBeDefined();
    expect(notices.filter((n) => n.code === 'services.stepApproved').length).toBeGreaterThan(0);
    expect(notices.every((n) => n.code?.startsWith('services.'))).toBe(true);
  });

  it('fires reminders and escalations from the table, also after a restart, each once', async () => {
    const draft = await services.core.apply(mother, {
      bundleId: 'newborn',
      form: newbornForm(clock.now()),
      consent: true,
    });
    await services.core.submit(mother, draft.id, {
      confirm: draft.materials.filter((m) => m.status === 'fetched').map((m) => m.code),
      provided: { 'newborn-photo': PNG_DATA_URL, 'bank-account': '6222' },
    });
    await services.timers.tick();
    // "Restart": a new module over the same database; the clock passes the due time while it was down.
    services = await build();
    clock.advance(3 * 24 * HOUR);
    const fired = await services.timers.tick();
    expect(fired.reminded).toBeGreaterThanOrEqual(1);
    expect(fired.escalated).toBeGreaterThanOrEqual(1);
    const step = (await services.core.get(mother, draft.id)).steps.find(
      (s) => s.item === 'birth-certificate',
    );
    expect(step?.remindedAt).not.toBeNull();
    expect(step?.escalatedAt).not.toBeNull();
    expect(await services.timers.tick()).toEqual({ reminded: 0, escalated: 0, void: 0 });
    // The escalated step is still decided by its department.
    const app = await services.desk.decide(liaison('50:health'), draft.id, 'birth-certificate', {
      decision: 'reject',
      reason: '出生信息不符',
    });
    expect(app.status).toBe('rejected');
    expect(app.steps.filter((s) => s.status === 'cancelled')).toHaveLength(5);
  });

  it('keeps running applications on their version; a changed file under an old version is refused', async () => {
    const draft = await services.core.apply(mother, {
      bundleId: 'newborn',
      form: newbornForm(clock.now()),
      consent: false,
    });
    // Without consent nothing is read: every material not produced by an item is asked for.
    expect(draft.summary.materialsFromSharedData).toBe(0);
    expect(draft.summary.materialsFromCitizen).toBe(14);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-sv-'));
    const v1 = JSON.parse(
      fs.readFileSync(path.resolve(import.meta.dirname, '../../../data/services/newborn.v1.json'), 'utf8'),
    );
    fs.writeFileSync(
      path.join(dir, 'newborn.v2.json'),
      JSON.stringify({ ...v1, version: 2, titleZh: '新生儿出生一件事（二版）' }),
    );
    const notifier = new NotifyService({ db: database.db, clock, logger: createLogger('error') });
    const deps = {
      db: database.db,
      audit: new AuditLog(clock),
      clock,
      notifier,
      evidence,
      calendar,
      signingSeed: TEST_SIGNING_SEED,
      accounts: memoryAccounts([]),
    };
    const next = await createServices(deps, loadBundleFiles(dir));
    expect(next.core.listBundles().map((b) => `${b.id}@${b.version}`)).toEqual(['newborn@2']);
    expect((await next.core.get(mother, draft.id)).version).toBe(1);
    const fresh = await next.core.apply(mother, {
      bundleId: 'newborn',
      form: newbornForm(clock.now()),
      consent: true,
    });
    expect(fresh.version).toBe(2);
    fs.writeFileSync(
      path.join(dir, 'newborn.v2.json'),
      JSON.stringify({ ...v1, version: 2, titleZh: '改过' }),
    );
    await expect(createServices(deps, loadBundleFiles(dir))).rejects.toThrow(/newborn\.v2\.json: version: /);
    fs.rmSync(dir, { recursive: true });
  });
});
