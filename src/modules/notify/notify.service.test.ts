import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { openTestDatabase, testBackends } from '../../platform/db/testing.ts';
import { metricsRegistry } from '../../platform/http/metrics.ts';
import { createLogger } from '../../platform/logger.ts';
import { smsChannel } from './notify.channels.ts';
import { notifyMigrations } from './notify.migrations.ts';
import { NotifyService } from './notify.service.ts';

const message = {
  subjectType: 'event',
  subjectId: 'E1',
  jurisdictionPath: '50/500103',
  title: '受理',
  body: '已受理',
};

async function deliveries(outcome: string): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric('citybrain_notify_deliveries_total')?.get();
  return metric?.values.find((v) => v.labels.channel === 'sms' && v.labels.outcome === outcome)?.value ?? 0;
}

// One notification that always fails must be retried a bounded number of times, then marked failed; the rest flows.
describe.each(testBackends)('notification delivery with a poison record on %s', (kind) => {
  let database: Database;
  const clock = new ManualClock('2025-11-20T08:00:00Z');
  const sent: string[] = [];
  let hang = false;
  const gateway = async (phone: string) => {
    // The gateway's error text holds a NUL and a lone surrogate, which PostgreSQL refuses in text.
    if (phone === '13800000002') throw new Error('gateway: bad number \u0000 \ud800');
    if (phone === '13800000004' && hang) return new Promise<void>(() => undefined);
    sent.push(phone);
  };
  const service = () =>
    new NotifyService({
      db: database.db,
      clock,
      logger: createLogger('silent'),
      channels: [smsChannel(gateway)],
      maxAttempts: 3,
      deliverTimeoutMs: 200,
    });

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrateToLatest(database.db, [notifyMigrations]);
  });
  beforeEach(async () => {
    await sql`delete from nt_notification`.execute(database.db);
    sent.length = 0;
    hang = false;
  });
  afterAll(() => database?.close());

  const rows = async () =>
    (
      await sql<{ target: string; status: string; attempts: number; last_error: string | null }>`
        select target, status, attempts, last_error from nt_notification where channel = 'sms' order by id`.execute(
        database.db,
      )
    ).rows;

  it('marks the poison record failed after maxAttempts with its (storable) reason, counted; the others are sent once', async () => {
    const notify = service();
    const before = { failed: await deliveries('failed'), retry: await deliveries('retry') };
    const recipients = ['13800000001', '13800000002', '13800000003'].map((phone, i) => ({
      id: `reporter:${i}`,
      phone,
    }));
    await database.db.transaction().execute((trx) => notify.send(trx, recipients, message));
    for (let i = 0; i < 5; i++) await notify.deliverPending();
    expect(sent).toEqual(['13800000001', '13800000003']);
    const [good1, bad, good2] = await rows();
    expect([good1?.status, good2?.status]).toEqual(['delivered', 'delivered']);
    expect(bad).toMatchObject({ status: 'failed', attempts: 3 });
    expect(bad?.last_error).toBe('gateway: bad number  \ufffd');
    expect(await deliveries('failed')).toBe(before.failed + 1);
    expect(await deliveries('retry')).toBe(before.retry + 2);
    // Nothing left to retry: the failed record is not picked up again.
    expect(await notify.deliverPending()).toBe(0);
  });

  it('counts a delivery that never answers as a failed attempt instead of holding the batch', async () => {
    const notify = service();
    hang = true;
    const recipients = ['13800000004', '13800000005'].map((phone, i) => ({ id: `reporter:${i}`, phone }));
    await database.db.transaction().execute((trx) => notify.send(trx, recipients, message));
    for (let i = 0; i < 3; i++) await notify.deliverPending();
    expect(sent).toEqual(['13800000005']);
    expect((await rows())[0]).toMatchObject({
      status: 'failed',
      attempts: 3,
      last_error: 'delivery timed out after 200 ms',
    });
  });

  it('stores a message whose text holds NUL or a lone surrogate instead of failing the caller', async () => {
    const notify = service();
    const bad = { ...message, title: 'a\ud800b', body: 'x\u0000y' };
    await database.db.transaction().execute((trx) => notify.send(trx, [{ id: 'reporter:9' }], bad));
    const [row] = await notify.inbox(['reporter:9']);
    expect([row?.title, row?.body]).toEqual(['a\ufffdb', 'xy']);
  });
});
