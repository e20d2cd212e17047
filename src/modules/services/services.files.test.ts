import { sql } from 'kysely';
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
import { citizen, liaison, newbornForm, PNG_DATA_URL } from './services.fixtures.ts';
import { servicesMigrations } from './services.migrations.ts';
import type { IntegratedServices } from './services.module.ts';
import { registerServicesRoutes } from './services.routes.ts';
import type { ApplicationDto } from './services.schema.ts';
import { fileApplication, testServices } from './services.testing.ts';

const PNG = Buffer.from(PNG_DATA_URL.split(',')[1] ?? '', 'base64');

/**
 * The desks open the files applicants uploaded: the social security desk the newborn's photo once
 * its step is open; the applicant and oversight in scope too; another department, a district
 * operator elsewhere and another citizen get 404. A correction replaces the file, typed by its bytes.
 */
describe.each(testBackends)('services material files on %s', (kind) => {
  let database: Database;
  let api: Api;
  let services: IntegratedServices;
  let app: ApplicationDto;
  const clock = new ManualClock('2026-12-02T09:00:00+08:00');
  const mother = citizen('mother-7');
  const get = (code: string, who: string) =>
    api.inject({
      method: 'GET',
      url: `/api/v1/services/desk/applications/${app.id}/materials/${code}/file`,
      headers: { authorization: `Bearer ${who}` },
    });

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrateToLatest(database.db, [auditMigrations, notifyMigrations, servicesMigrations]);
    services = await testServices(database.db, clock, loadBundleFiles());
    app = await fileApplication(services, clock, mother, 'newborn', newbornForm(clock.now()), false);
    api = await createTestApi({
      mother,
      other: citizen('mother-8'),
      health: liaison('50:health'),
      hrss: liaison('50:human_resources_social_security'),
      operator: testPrincipal('50', ['city_operator']),
      auditor: testPrincipal('50', ['auditor']),
      district: testPrincipal('50/500103', ['district_operator']),
    });
    registerServicesRoutes(api, { services });
    await api.ready();
  });
  afterAll(async () => {
    await api?.close();
    await database?.close();
  });

  it('serves the photo to the desk whose step needs it, once open; 404 to anyone else', async () => {
    // Filed: the social security card's step waits for two others, so its desk cannot open it yet.
    expect((await get('newborn-photo', 'hrss')).statusCode).toBe(404);
    expect((await get('newborn-photo', 'health')).statusCode).toBe(404);
    for (const who of ['other', 'district'])
      expect((await get('newborn-photo', who)).json()).toMatchObject({
        error: { code: 'not_found', details: { kind: 'service_material_file' } },
      });
    for (const who of ['mother', 'operator', 'auditor'])
      expect((await get('newborn-photo', who)).statusCode).toBe(200);
    expect((await get('no-such-material', 'mother')).statusCode).toBe(404);

    // Every other step approved: the social security card's step is open at its desk.
    for (let wave = 0; wave < 5; wave++) {
      clock.advance(10 * 60_000);
      for (const s of app.steps.filter((x) => x.status === 'pending' && x.item !== 'social-security-card'))
        app = await services.desk.decide(liaison(s.department), app.id, s.item, { decision: 'approve' });
    }
    expect(app.steps.find((s) => s.item === 'social-security-card')?.status).toBe('pending');
    const r = await get('newborn-photo', 'hrss');
    expect(r.statusCode).toBe(200);
    expect(r.headers).toMatchObject({
      'content-type': 'image/png',
      'x-content-type-options': 'nosniff',
      'cache-control': 'private',
      'content-disposition': 'inline; filename="newborn-photo.png"',
    });
    expect(Buffer.compare(r.rawPayload, PNG)).toBe(0);
    // The same department's desk for an item that does not need it still gets 404.
    expect((await get('bank-account', 'hrss')).statusCode).toBe(404); // text, never a file
    expect((await get('newborn-photo', 'health')).statusCode).toBe(404);
    // Reads by anyone but the applicant are audited (operator, auditor, the desk).
    const audited = await sql<{ n: string }>`select count(*) as n from audit_log
      where action = 'services.material.opened' and subject_id = ${app.id}`.execute(database.db);
    expect(Number(audited.rows[0]?.n)).toBe(3);
  });

  it('keeps the corrected file, typed by its bytes rather than the declared type', async () => {
    await services.desk.decide(
      liaison('50:human_resources_social_security'),
      app.id,
      'social-security-card',
      {
        decision: 'correction',
        reason: '照片须为白底证件照',
      },
    );
    const pdf = Buffer.from('%PDF-1.4\n% a scan\n');
    await services.desk.correct(mother, app.id, {
      item: 'social-security-card',
      provided: { 'newborn-photo': `data:image/png;base64,${pdf.toString('base64')}` },
    });
    const r = await get('newborn-photo', 'hrss');
    expect(r.headers['content-type']).toBe('application/pdf');
    expect(r.headers['content-disposition']).toBe('inline; filename="newborn-photo.pdf"');
    expect(r.rawPayload.toString('latin1')).toBe(pdf.toString('latin1'));
  });
});
