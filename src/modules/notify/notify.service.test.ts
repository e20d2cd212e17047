import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { openTestDatabase, testBackends } from '../../platform/db/testing.ts';
import { metricsRegistry } from '../../platform/http/metrics.ts';
import { createLogger } from '../../platform/logger.ts';
import { emailChannel, smsChannel, webhookChannel } from './notify.channels.ts';
import { notifyMigrations } from './notify.migrations.ts';
import type { Recipient } from './notify.schema.ts';
import { type NotifyDeps, NotifyService } from './notify.service.ts';

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

// What is queued, for whom, on which channel and in which words; what is delivered once and only once.
describe.each(testBackends)('notification sending on %s', (kind) => {
  let database: Database;
  const clock = new ManualClock('2025-11-20T08:00:00Z');
  const sms: { phone: string; text: string }[] = [];
  const mails: { to: string; subject: string; text: string }[] = [];
  const posts: { url: string; body: unknown; contentType: string | null }[] = [];
  let webhookStatus = 200;
  const fakeFetch = (async (url: string | URL | Request, init?: RequestInit) => {
    posts.push({
      url: String(url),
      body: JSON.parse(String(init?.body)),
      contentType: new Headers(init?.headers).get('content-type'),
    });
    return new Response(null, { status: webhookStatus });
  }) as typeof fetch;
  const channels = () => [
    smsChannel(async (phone, text) => {
      sms.push({ phone, text });
    }),
    emailChannel(async (to, subject, text) => {
      mails.push({ to, subject, text });
    }),
    webhookChannel(fakeFetch, 1000),
  ];
  const service = (over: Partial<NotifyDeps> = {}) =>
    new NotifyService({
      db: database.db,
      clock,
      logger: createLogger('silent'),
      channels: channels(),
      maxAttempts: 2,
      ...over,
    });
  // The words the event centre really sends: Chinese first, English after.
  const bilingual = {
    subjectType: 'task',
    subjectId: 'T-7',
    jurisdictionPath: '50/500103/500103003',
    title: '新任务 New task',
    body: '占道经营 — team 解放碑城管一队 (JFB-1) chosen: 320 m',
  };

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrateToLatest(database.db, [notifyMigrations]);
  });
  beforeEach(async () => {
    await sql`delete from nt_notification`.execute(database.db);
    sms.length = 0;
    mails.length = 0;
    posts.length = 0;
    webhookStatus = 200;
    clock.set('2025-11-20T08:00:00Z');
  });
  afterAll(() => database?.close());

  const all = async () =>
    (
      await sql<{
        recipient: string;
        channel: string;
        target: string | null;
        status: string;
        attempts: number;
        last_error: string | null;
        title: string;
        body: string;
        subject_type: string;
        subject_id: string;
        jurisdiction_path: string;
        created_at: Date;
        delivered_at: Date | null;
      }>`select * from nt_notification order by id`.execute(database.db)
    ).rows;
  const send = (notify: NotifyService, recipients: Recipient[], message = bilingual) =>
    database.db.transaction().execute((trx) => notify.send(trx, recipients, message));

  it('queues one row per recipient and channel that has an address; in-app is delivered by being written', async () => {
    const notify = service();
    const count = await send(notify, [
      { id: 'centre:500103' },
      { id: 'reporter:r1', phone: '13800000001', email: 'r1@example.org' },
      { id: 'team:t1', webhookUrl: 'https://hooks.example.org/t1', phone: null, email: '' },
    ]);
    expect(count).toBe(6);
    const rows = await all();
    expect(rows.map((r) => [r.recipient, r.channel, r.target, r.status, r.attempts])).toEqual([
      ['centre:500103', 'in_app', null, 'delivered', 1],
      ['reporter:r1', 'in_app', null, 'delivered', 1],
      ['reporter:r1', 'sms', '13800000001', 'pending', 0],
      ['reporter:r1', 'email', 'r1@example.org', 'pending', 0],
      ['team:t1', 'in_app', null, 'delivered', 1],
      ['team:t1', 'webhook', 'https://hooks.example.org/t1', 'pending', 0],
    ]);
    for (const r of rows) {
      expect(r).toMatchObject({
        subject_type: 'task',
        subject_id: 'T-7',
        jurisdiction_path: '50/500103/500103003',
        title: '新任务 New task',
        body: bilingual.body,
        last_error: null,
      });
      expect(r.created_at.toISOString()).toBe('2025-11-20T08:00:00.000Z');
      expect(r.delivered_at?.toISOString() ?? null).toBe(
        r.channel === 'in_app' ? '2025-11-20T08:00:00.000Z' : null,
      );
    }
    // Nothing went out before deliverPending: external channels send after commit only.
    expect([sms.length, mails.length, posts.length]).toEqual([0, 0, 0]);
  });

  it('queues nothing for no recipients, and nothing at all when the caller’s transaction rolls back', async () => {
    const notify = service();
    expect(await send(notify, [])).toBe(0);
    await expect(
      database.db.transaction().execute(async (trx) => {
        await notify.send(trx, [{ id: 'reporter:r1', phone: '13800000001' }], bilingual);
        throw new Error('the change that notifies failed');
      }),
    ).rejects.toThrow('the change that notifies failed');
    expect(await all()).toEqual([]);
    expect(await notify.deliverPending()).toBe(0);
    expect(sms).toEqual([]);
  });

  it('delivers each external row once, in the words given, on each channel’s own format', async () => {
    const notify = service();
    await send(notify, [
      { id: 'reporter:r1', phone: '13800000001', email: 'r1@example.org' },
      { id: 'team:t1', webhookUrl: 'https://hooks.example.org/t1' },
    ]);
    clock.advance(5_000);
    expect(await notify.deliverPending()).toBe(3);
    // SMS: one text, title and body joined by a full-width colon (the texts are Chinese first).
    expect(sms).toEqual([{ phone: '13800000001', text: `新任务 New task：${bilingual.body}` }]);
    expect(mails).toEqual([{ to: 'r1@example.org', subject: '新任务 New task', text: bilingual.body }]);
    // Webhook: the message as UTF-8 JSON, recipient included, no address leaked.
    expect(posts).toEqual([
      {
        url: 'https://hooks.example.org/t1',
        contentType: 'application/json',
        body: {
          recipient: 'team:t1',
          subjectType: 'task',
          subjectId: 'T-7',
          jurisdictionPath: '50/500103/500103003',
          title: '新任务 New task',
          body: bilingual.body,
        },
      },
    ]);
    const external = (await all()).filter((r) => r.channel !== 'in_app');
    expect(external.map((r) => [r.channel, r.status, r.attempts, r.last_error])).toEqual([
      ['sms', 'delivered', 1, null],
      ['email', 'delivered', 1, null],
      ['webhook', 'delivered', 1, null],
    ]);
    expect(external.every((r) => r.delivered_at?.toISOString() === '2025-11-20T08:00:05.000Z')).toBe(true);
    // A second round finds nothing: a delivered row is never sent again.
    expect(await notify.deliverPending()).toBe(0);
    expect([sms.length, mails.length, posts.length]).toEqual([1, 1, 1]);
  });

  it('never sends a row twice when two deliverers run at once (row locks, SKIP LOCKED)', async () => {
    const slow = smsChannel(async (phone, text) => {
      await new Promise((r) => setTimeout(r, 5));
      sms.push({ phone, text });
    });
    const a = service({ channels: [slow] });
    const b = service({ channels: [slow] });
    const phones = Array.from({ length: 12 }, (_, i) => `1380000${String(i).padStart(4, '0')}`);
    await send(
      a,
      phones.map((phone, i) => ({ id: `reporter:${i}`, phone })),
    );
    const [na, nb] = await Promise.all([a.deliverPending(), b.deliverPending()]);
    expect(na + nb).toBe(12);
    expect(sms.map((s) => s.phone).sort()).toEqual(phones);
    expect(await a.deliverPending()).toBe(0);
  });

  it('delivers in batches of `limit`, oldest first', async () => {
    const notify = service();
    await send(
      notify,
      ['13800000001', '13800000002', '13800000003'].map((phone, i) => ({ id: `reporter:${i}`, phone })),
    );
    expect(await notify.deliverPending(2)).toBe(2);
    expect(sms.map((s) => s.phone)).toEqual(['13800000001', '13800000002']);
    expect(await notify.deliverPending(2)).toBe(1);
    expect(sms.map((s) => s.phone)).toEqual(['13800000001', '13800000002', '13800000003']);
  });

  it('calls each send a new notification: duplicates are the caller’s to avoid, each is delivered', async () => {
    const notify = service();
    await send(notify, [{ id: 'reporter:r1', phone: '13800000001' }]);
    await send(notify, [{ id: 'reporter:r1', phone: '13800000001' }]);
    expect((await all()).filter((r) => r.channel === 'sms')).toHaveLength(2);
    expect(await notify.deliverPending()).toBe(2);
    expect(sms).toHaveLength(2);
  });

  it('retries a webhook that answers non-2xx, then marks it failed with the status as the reason', async () => {
    const notify = service();
    webhookStatus = 503;
    await send(notify, [{ id: 'team:t1', webhookUrl: 'https://hooks.example.org/t1' }]);
    expect(await notify.deliverPending()).toBe(1);
    let [, hook] = await all();
    expect(hook).toMatchObject({ status: 'pending', attempts: 1, last_error: 'webhook answered 503' });
    expect(await notify.deliverPending()).toBe(1);
    [, hook] = await all();
    expect(hook).toMatchObject({
      status: 'failed',
      attempts: 2,
      last_error: 'webhook answered 503',
      delivered_at: null,
    });
    expect(posts).toHaveLength(2);
    expect(await notify.deliverPending()).toBe(0);
  });

  it('recovers on a later attempt: a retried row is delivered and its last error cleared', async () => {
    const notify = service();
    webhookStatus = 500;
    await send(notify, [{ id: 'team:t1', webhookUrl: 'https://hooks.example.org/t1' }]);
    await notify.deliverPending();
    webhookStatus = 204;
    await notify.deliverPending();
    const [, hook] = await all();
    expect(hook).toMatchObject({ status: 'delivered', attempts: 2, last_error: null });
  });

  it('fails a row whose channel this process does not have, instead of dropping it silently', async () => {
    await send(service(), [{ id: 'reporter:r1', phone: '13800000001' }]);
    // Another process (or a restart) without the SMS gateway configured picks the row up.
    const bare = service({ channels: [], maxAttempts: 1 });
    expect(await bare.deliverPending()).toBe(1);
    const sent = (await all()).find((r) => r.channel === 'sms');
    expect(sent).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_error: 'channel sms is not configured',
    });
    expect(sms).toEqual([]);
  });

  it('cuts a long error text to 500 characters', async () => {
    const notify = service({
      channels: [
        smsChannel(async () => {
          throw new Error('x'.repeat(2000));
        }),
      ],
      maxAttempts: 1,
    });
    await send(notify, [{ id: 'reporter:r1', phone: '13800000001' }]);
    await notify.deliverPending();
    const row = (await all()).find((r) => r.channel === 'sms');
    expect(row?.last_error).toHaveLength(500);
  });

  it('reads an inbox: only in-app rows of the recipients asked for, newest first, limited', async () => {
    const notify = service();
    await send(notify, [{ id: 'reporter:r1', phone: '13800000001' }, { id: 'reporter:r2' }], {
      ...bilingual,
      title: '受理 Accepted',
    });
    clock.advance(60_000);
    await send(notify, [{ id: 'reporter:r1' }], { ...bilingual, title: '办结 Closed' });
    const r1 = await notify.inbox(['reporter:r1']);
    expect(r1.map((n) => [n.recipient, n.channel, n.title, n.status])).toEqual([
      ['reporter:r1', 'in_app', '办结 Closed', 'delivered'],
      ['reporter:r1', 'in_app', '受理 Accepted', 'delivered'],
    ]);
    expect(r1[0]).toMatchObject({
      subjectType: 'task',
      subjectId: 'T-7',
      attempts: 1,
      createdAt: '2025-11-20T08:01:00.000Z',
      deliveredAt: '2025-11-20T08:01:00.000Z',
    });
    expect((await notify.inbox(['reporter:r1', 'reporter:r2'], 2)).map((n) => n.recipient)).toEqual([
      'reporter:r1',
      'reporter:r2',
    ]);
    expect(await notify.inbox([])).toEqual([]);
    expect(await notify.inbox(['reporter:nobody'])).toEqual([]);
  });

  it('delivers on its own once started, and stops when told', async () => {
    const notify = service();
    const rounds = vi.spyOn(notify, 'deliverPending');
    await send(notify, [{ id: 'reporter:r1', phone: '13800000001' }]);
    notify.start(10);
    notify.start(10); // a second start is a no-op, not a second loop
    await vi.waitFor(() => expect(sms).toHaveLength(1), { timeout: 5000, interval: 10 });
    notify.stop();
    // A round already running may finish; no new round starts after stop.
    const started = rounds.mock.calls.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(rounds.mock.calls.length).toBe(started);
    await Promise.allSettled(rounds.mock.results.map((r) => r.value));
    await send(notify, [{ id: 'reporter:r2', phone: '13800000002' }]);
    await new Promise((r) => setTimeout(r, 50));
    expect(sms.map((m) => m.phone)).toEqual(['13800000001']);
  });
});
