import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { openTestDatabase, testBackends } from '../../platform/db/testing.ts';
import type { Api } from '../../platform/http/server.ts';
import { createTestApi, testPrincipal } from '../../platform/http/testing.ts';
import { auditMigrations } from '../audit/index.ts';
import { notifyMigrations } from '../notify/index.ts';
import { loadBundleFiles } from './services.bundle.ts';
import { citizen, liaison, newbornForm } from './services.fixtures.ts';
import { servicesMigrations } from './services.migrations.ts';
import { registerServicesRoutes } from './services.routes.ts';
import { fileApplication, STARTUP_FORM, testServices } from './services.testing.ts';

/**
 * "Share fully online" and "trips saved" per bundle, from stored applications and the version each
 * runs on: a business start-up on v1 (no in-person item) and one on v2 (the bank account in person),
 * a newborn application, and ones not completed (not counted).
 */
describe.each(testBackends)('services KPIs: fully online and trips saved on %s', (kind) => {
  let database: Database;
  let api: Api;
  const clock = new ManualClock('2026-12-02T09:00:00+08:00');
  const founder = citizen('founder-1');
  const mother = citizen('mother-5');

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrateToLatest(database.db, [auditMigrations, notifyMigrations, servicesMigrations]);
    const files = loadBundleFiles();
    // Before v2 of the start-up bundle was published: an application starts, and completes, on v1.
    const before = await testServices(
      database.db,
      clock,
      files.filter((f) => f.file !== 'business-startup.v2.json'),
    );
    const onV1 = await fileApplication(before, clock, founder, 'business-startup', STARTUP_FORM);
    expect([onV1.version, onV1.status]).toEqual([1, 'completed']);
    // Published: new applications take v2; the one above still reads v1.
    const services = await testServices(database.db, clock, files);
    const onV2 = await fileApplication(services, clock, founder, 'business-startup', STARTUP_FORM);
    expect([onV2.version, onV2.status]).toEqual([2, 'completed']);
    const open = await fileApplication(services, clock, founder, 'business-startup', STARTUP_FORM, false);
    expect(open.status).toBe('in_progress');
    const newborn = await fileApplication(services, clock, mother, 'newborn', newbornForm(clock.now()));
    expect(newborn.status).toBe('completed');
    const refused = await fileApplication(
      services,
      clock,
      mother,
      'newborn',
      newbornForm(clock.now()),
      false,
    );
    await services.desk.decide(liaison('50:health'), refused.id, 'birth-certificate', {
      decision: 'reject',
      reason: '出生医学证明信息有误',
    });
    clock.advance(60_000); // the window ends now, exclusive
    api = await createTestApi({ operator: testPrincipal('50', ['city_operator']) });
    registerServicesRoutes(api, { services });
    await api.ready();
  });
  afterAll(async () => {
    await api?.close();
    await database?.close();
  });

  it('counts completed applications as fully online by their version, and the trips each saved', async () => {
    const r = await api.inject({
      method: 'GET',
      url: '/api/v1/services/kpis',
      headers: { authorization: 'Bearer operator' },
    });
    expect(r.statusCode).toBe(200);
    const bundles = r.json().bundles as Record<string, unknown>[];
    // Start-up: v1 fully online, 6 items → 6 trips saved; v2 has the bank in person → 6 − 1 = 5.
    expect(bundles.find((b) => b.bundleId === 'business-startup')).toMatchObject({
      applications: 3,
      completed: 2,
      shareFullyOnline: 0.5,
      avgTripsSaved: 5.5,
    });
    // Newborn: 6 items, none in person; the rejected one is not counted.
    expect(bundles.find((b) => b.bundleId === 'newborn')).toMatchObject({
      applications: 2,
      completed: 1,
      rejected: 1,
      shareFullyOnline: 1,
      avgTripsSaved: 6,
    });
  });

  it('publishes the in-person requirement with the definition of the version that has it', async () => {
    const get = async (url: string) =>
      (await api.inject({ method: 'GET', url })).json() as { items: Record<string, unknown>[] };
    const v2 = await get('/api/v1/services/bundles/business-startup');
    expect(v2.items.find((i) => i.code === 'bank-account')?.inPerson).toMatchObject({
      reasonZh: expect.stringContaining('法定代表人'),
      reasonEn: expect.stringContaining('anti-money-laundering'),
    });
    expect(v2.items.filter((i) => i.inPerson)).toHaveLength(1);
    const v1 = await get('/api/v1/services/bundles/business-startup?version=1');
    expect(v1.items.every((i) => i.inPerson === null)).toBe(true);
  });
});
