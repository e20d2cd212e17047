import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkingDayCalendar } from '../../platform/calendar/calendar.ts';
import { ManualClock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { openTestDatabase, testBackends } from '../../platform/db/testing.ts';
import type { Api } from '../../platform/http/server.ts';
import { createTestApi, testPrincipal } from '../../platform/http/testing.ts';
import { createLogger } from '../../platform/logger.ts';
import { AuditLog, auditMigrations } from '../audit/index.ts';
import { NotifyService, notifyMigrations } from '../notify/index.ts';
import { type LoadedBundle, loadBundleFiles, parseBundle } from './services.bundle.ts';
import { CONSENT_TEXT, CONSENT_TEXT_EN } from './services.definition.ts';
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
import { createServices } from './services.module.ts';
import { registerServicesRoutes } from './services.routes.ts';

describe.each(testBackends)('services routes on %s', (kind) => {
  let database: Database;
  let api: Api;
  const clock = new ManualClock('2026-12-02T09:00:00+08:00');
  const call = async (method: 'GET' | 'POST', url: string, who?: string, payload?: unknown) => {
    const r = await api.inject({
      method,
      url,
      headers: who ? { authorization: `Bearer ${who}` } : {},
      ...(payload === undefined ? {} : { payload: payload as string }),
    });
    return { status: r.statusCode, body: r.json() };
  };

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrateToLatest(database.db, [auditMigrations, notifyMigrations, servicesMigrations]);
    const services = await createServices(
      {
        db: database.db,
        audit: new AuditLog(clock),
        clock,
        notifier: new NotifyService({ db: database.db, clock, logger: createLogger('error') }),
        evidence: memoryEvidence(NEWBORN_RECORDS),
        calendar: WorkingDayCalendar.load(),
        signingSeed: TEST_SIGNING_SEED,
        accounts: memoryAccounts(['mother-2']),
      },
      withNewbornV2(loadBundleFiles()),
    );
    api = await createTestApi({
      mother: citizen('mother-2'),
      health: liaison('50:health'),
      police: liaison('50:public_security'),
      operator: testPrincipal('50', ['city_operator']),
    });
    registerServicesRoutes(api, { services });
    await api.ready();
  });
  afterAll(async () => {
    await api?.close();
    await database?.close();
  });

  it('lists bundles publicly and wants an authenticated applicant', async () => {
    const bundles = await call('GET', '/api/v1/services/bundles');
    expect(bundles.status).toBe(200);
    expect(bundles.body.items.map((b: { id: string }) => b.id)).toEqual([
      'business-startup',
      'credit-repair',
      'newborn',
    ]);
    const anonymous = await call('POST', '/api/v1/services/applications', undefined, {
      bundleId: 'newborn',
      form: newbornForm(clock.now()),
      consent: true,
    });
    expect(anonymous).toMatchObject({ status: 401, body: { error: { code: 'unauthenticated' } } });
  });

  it("serves a bundle's whole definition publicly, the current version or an earlier one; 404 with a code", async () => {
    const def = await call('GET', '/api/v1/services/bundles/newborn');
    expect(def.status).toBe(200);
    expect(def.body).toMatchObject({ id: 'newborn', version: 2, current: true });
    expect(def.body.items).toHaveLength(6);
    expect(def.body.items[0]).toMatchObject({
      code: 'birth-certificate',
      department: '50:health',
      timeLimitDays: 2,
      after: [],
    });
    expect(def.body.steps).toEqual([
      ['birth-certificate'],
      ['vaccination-certificate', 'household-registration', 'maternity-benefits'],
      ['medical-insurance'],
      ['social-security-card'],
    ]);
    expect(def.body.materials).toHaveLength(18);
    const bySource = (kind: string) =>
      def.body.materials.filter((m: { sources: { kind: string }[] }) => m.sources[0]?.kind === kind).length;
    expect([bySource('catalogue'), bySource('item'), bySource('applicant')]).toEqual([12, 4, 2]);
    expect(def.body.materials.find((m: { code: string }) => m.code === 'residence-proof').sources).toEqual([
      expect.objectContaining({ kind: 'catalogue', owner: '50:planning_natural_resources' }),
      expect.objectContaining({ kind: 'catalogue' }),
      { kind: 'applicant', format: 'file' },
    ]);
    expect(def.body.form.map((f: { name: string }) => f.name)).toContain('birthDate');
    expect(def.body.eligibility.find((r: { id: string }) => r.id === 'within-a-year')).toMatchObject({
      op: 'withinDays',
      value: 365,
      ruleZh: '出生日期 在最近 365 天内',
      ruleEn: 'birthDate is within the last 365 days',
      reasonEn: 'the bundle is for children born within the last year',
    });
    expect(def.body.consent).toMatchObject({ textZh: CONSENT_TEXT, textEn: CONSENT_TEXT_EN });
    expect(def.body.consent.departments).toContain('50:planning_natural_resources');
    expect(def.body.departments.length).toBe(7);

    // An application started on v1 still reads v1; the current version asked by number is the same.
    const v1 = await call('GET', '/api/v1/services/bundles/newborn?version=1');
    expect(v1.body).toMatchObject({ version: 1, current: false, titleZh: '新生儿出生一件事' });
    expect(v1.body.items[0].timeLimitDays).toBe(1);
    expect((await call('GET', '/api/v1/services/bundles/newborn?version=2')).body.current).toBe(true);

    expect(await call('GET', '/api/v1/services/bundles/nothing')).toMatchObject({
      status: 404,
      body: { error: { code: 'not_found', details: { kind: 'bundle', key: 'nothing' } } },
    });
    expect(await call('GET', '/api/v1/services/bundles/newborn?version=9')).toMatchObject({
      status: 404,
      body: { error: { code: 'not_found', details: { kind: 'bundle', key: 'newborn@9' } } },
    });
    expect((await call('GET', '/api/v1/services/bundles/newborn?version=x')).status).toBe(400);
  });

  it('tells ineligible applicants why; refuses a wrong desk with its code; decides at the right one', async () => {
    const why = await call('POST', '/api/v1/services/bundles/newborn/eligibility', 'mother', {
      form: { ...newbornForm(clock.now()), birthDate: '2020-01-01' },
    });
    expect(why.body).toMatchObject({ eligible: false, reasons: [{ rule: 'within-a-year' }] });
    const created = await call('POST', '/api/v1/services/applications', 'mother', {
      bundleId: 'newborn',
      form: newbornForm(clock.now()),
      consent: true,
    });
    expect(created.status).toBe(201);
    const app = created.body;
    const confirm = app.materials
      .filter((m: { status: string }) => m.status === 'fetched')
      .map((m: { code: string }) => m.code);
    const filed = await call('POST', `/api/v1/services/applications/${app.id}/submit`, 'mother', {
      confirm,
      provided: { 'newborn-photo': PNG_DATA_URL, 'bank-account': '6222 0000 0000 1234' },
    });
    expect(filed.body.status).toBe('in_progress');
    const url = `/api/v1/services/applications/${app.id}/steps/birth-certificate/decision`;
    expect(await call('POST', url, 'mother', { decision: 'approve' })).toMatchObject({
      status: 403,
      body: { error: { code: 'forbidden' } },
    });
    expect(await call('POST', url, 'police', { decision: 'approve' })).toMatchObject({
      status: 403,
      body: {
        error: { code: 'forbidden', details: { reason: 'wrong_department', department: '50:health' } },
      },
    });
    expect(await call('POST', url, 'health', { decision: 'reject' })).toMatchObject({
      status: 422,
      body: { error: { code: 'invalid_data' } },
    });
    const desk = await call('GET', '/api/v1/services/desk', 'health');
    expect(desk.body.items.map((i: { applicationId: string }) => i.applicationId)).toContain(app.id);
    expect(await call('GET', '/api/v1/services/desk?department=50:public_security', 'health')).toMatchObject({
      status: 403,
      body: { error: { details: { reason: 'wrong_department' } } },
    });
    const decided = await call('POST', url, 'health', { decision: 'approve' });
    expect(decided.status).toBe(200);
    expect(decided.body.steps.filter((s: { status: string }) => s.status === 'pending')).toHaveLength(3);
    // The police desk now sees the application; another citizen does not.
    expect((await call('GET', `/api/v1/services/applications/${app.id}`, 'police')).status).toBe(200);
    const notices = await call('GET', '/api/v1/services/notices', 'mother');
    expect(notices.body.items.length).toBeGreaterThanOrEqual(2);

    // The cockpit's figures: share of materials from shared data, the desks' time-limit compliance.
    clock.advance(60_000);
    expect((await call('GET', '/api/v1/services/kpis', 'mother')).status).toBe(403);
    const kpis = await call('GET', '/api/v1/services/kpis', 'operator');
    expect(kpis.body.bundles).toEqual([
      expect.objectContaining({
        bundleId: 'newborn',
        applications: 1,
        completed: 0,
        materials: 18,
        shareFromSharedData: 0.667,
        shareFromCitizen: 0.111,
      }),
    ]);
    expect(kpis.body.departments).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ department: '50:health', decided: 1, onTime: 1, shareOnTime: 1, open: 1 }),
        expect.objectContaining({ department: '50:public_security', decided: 0, open: 1, overdue: 0 }),
      ]),
    );
  });
});

/** The demo files plus a newborn v2 (a longer time limit at the first desk): new applications take v2. */
function withNewbornV2(files: LoadedBundle[]): LoadedBundle[] {
  const v1 = files.find((f) => f.bundle.id === 'newborn')!;
  const json = structuredClone(v1.bundle);
  json.version = 2;
  json.items[0]!.timeLimitDays = 2;
  return [...files, { file: 'newborn.v2.json', ...parseBundle('newborn.v2.json', json) }];
}
