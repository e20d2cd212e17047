import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import { ManualClock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { openTestDatabase, testBackends } from '../../platform/db/testing.ts';
import type { Api } from '../../platform/http/server.ts';
import { createTestApi, testPrincipal } from '../../platform/http/testing.ts';
import { createLogger } from '../../platform/logger.ts';
import { notifyMigrations } from './notify.migrations.ts';
import { registerNotifyRoutes } from './notify.routes.ts';
import { NotifyService } from './notify.service.ts';

const principals = {
  admin: SYSTEM_PRINCIPAL,
  yuzhong: testPrincipal('50/500103', ['district_operator']),
  jiefangbei: testPrincipal('50/500103/500103003', ['street_operator']),
  auditor: testPrincipal('50', ['auditor']),
  officer: testPrincipal('50/500103/500103003', ['field_officer']),
  liaison: testPrincipal('50/500103', ['department_liaison']),
};
type Who = keyof typeof principals;

describe.each(testBackends)('notify routes on %s', (kind) => {
  let database: Database;
  let app: Api;
  const get = (who: Who | null, url: string) =>
    app.inject({ method: 'GET', url, headers: who ? { authorization: `Bearer ${who}` } : {} });
  const items = async (who: Who, url: string) => {
    const res = await get(who, url);
    expect(res.statusCode).toBe(200);
    return res.json().items as { recipient: string; subjectId: string; title: string }[];
  };

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrateToLatest(database.db, [notifyMigrations]);
    const notify = new NotifyService({
      db: database.db,
      clock: new ManualClock(),
      logger: createLogger('silent'),
    });
    await database.db.transaction().execute(async (trx) => {
      await notify.send(trx, [{ id: 'centre:500103003' }, { id: 'reporter:r1' }], {
        subjectType: 'event',
        subjectId: 'E1',
        jurisdictionPath: '50/500103/500103003',
        title: '受理 Accepted',
        body: '已受理',
      });
      await notify.send(trx, [{ id: 'centre:500104' }], {
        subjectType: 'event',
        subjectId: 'E2',
        jurisdictionPath: '50/500104/500104001',
        title: '超时升级 Escalated',
        body: '已升级',
      });
    });
    app = await createTestApi(principals);
    registerNotifyRoutes(app, { notify });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  it('answers 401 with the one error shape without credentials', async () => {
    const res = await get(null, '/api/v1/notifications');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: { code: 'unauthenticated', message: expect.any(String) } });
  });

  it('answers 403 to roles outside oversight (field officers, department liaisons)', async () => {
    for (const who of ['officer', 'liaison'] as const) {
      const res = await get(who, '/api/v1/notifications');
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
    }
  });

  it('answers 400 to a bad filter', async () => {
    for (const q of ['limit=0', 'limit=501', 'limit=ten']) {
      const res = await get('admin', `/api/v1/notifications?${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(res.json().error.code, q).toBe('invalid_request');
    }
  });

  it('answers 404 for a notification path it does not serve (there is no single-notification read)', async () => {
    const res = await get('admin', '/api/v1/notifications/1');
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
  });

  it('lists notifications scoped to the caller’s jurisdiction, filtered by recipient and subject', async () => {
    expect((await items('admin', '/api/v1/notifications')).map((n) => n.recipient)).toEqual([
      'centre:500104',
      'reporter:r1',
      'centre:500103003',
    ]);
    expect((await items('auditor', '/api/v1/notifications')).length).toBe(3);
    expect((await items('yuzhong', '/api/v1/notifications')).map((n) => n.subjectId)).toEqual(['E1', 'E1']);
    expect(await items('jiefangbei', '/api/v1/notifications?subjectId=E2')).toEqual([]);
    const centre = await items('jiefangbei', '/api/v1/notifications?recipient=centre:500103003');
    expect(centre).toEqual([
      expect.objectContaining({
        recipient: 'centre:500103003',
        subjectId: 'E1',
        title: '受理 Accepted',
        channel: 'in_app',
        status: 'delivered',
      }),
    ]);
    expect((await items('admin', '/api/v1/notifications?limit=1')).length).toBe(1);
  });
});
