import type { Insertable } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import { type Database, forTables } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { openTestDatabase, testBackends } from '../../platform/db/testing.ts';
import { testPrincipal } from '../../platform/http/testing.ts';
import { notifyMigrations } from './notify.migrations.ts';
import { NotifyRepository, toNotificationDto } from './notify.repository.ts';
import type { NotifyTables } from './notify.schema.ts';

type NewRow = Insertable<NotifyTables['nt_notification']>;

const at = new Date('2025-11-20T08:00:00Z');
const row = (over: Partial<NewRow>): NewRow => ({
  recipient: 'centre:500103',
  channel: 'in_app',
  target: null,
  subject_type: 'event',
  subject_id: 'E1',
  jurisdiction_path: '50/500103/500103003',
  title: '受理 Accepted',
  body: '已受理',
  status: 'delivered',
  attempts: 1,
  last_error: null,
  created_at: at,
  delivered_at: at,
  ...over,
});

// Ids follow insertion order: 1 … 7.
const ROWS: NewRow[] = [
  row({ recipient: 'centre:500103003', subject_id: 'E1' }),
  row({ recipient: 'reporter:r1', subject_id: 'E1' }),
  row({
    recipient: 'reporter:r1',
    channel: 'sms',
    target: '13800000001',
    status: 'pending',
    attempts: 0,
    delivered_at: null,
  }),
  row({ recipient: 'centre:500104', subject_id: 'E2', jurisdiction_path: '50/500104/500104001' }),
  row({
    recipient: 'reporter:r2',
    channel: 'sms',
    target: '13800000002',
    status: 'failed',
    attempts: 5,
    delivered_at: null,
    last_error: 'gateway down',
    subject_id: 'E2',
    jurisdiction_path: '50/500104/500104001',
  }),
  row({
    recipient: 'team:t1',
    channel: 'webhook',
    target: 'https://h.example.org',
    status: 'pending',
    attempts: 2,
    delivered_at: null,
    subject_type: 'task',
    subject_id: 'T1',
    jurisdiction_path: '50/500103/500103001',
  }),
  row({ recipient: 'centre:500103', subject_id: 'E3', jurisdiction_path: '50/500103' }),
];

describe.each(testBackends)('notify repository on %s', (kind) => {
  let database: Database;
  const repo = new NotifyRepository();
  const db = () => forTables<NotifyTables>(database.db);

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrateToLatest(database.db, [notifyMigrations]);
    await repo.insert(db(), ROWS);
    await repo.insert(db(), []); // an empty batch is no statement at all, not an error
  });
  afterAll(() => database?.close());

  const ids = (rows: { id: number }[]) => rows.map((r) => Number(r.id));
  const all = { limit: 100 };

  it('lists what lies in the principal’s jurisdiction only, newest first', async () => {
    expect(ids(await repo.list(db(), SYSTEM_PRINCIPAL, all))).toEqual([7, 6, 5, 4, 3, 2, 1]);
    expect(ids(await repo.list(db(), testPrincipal('50', ['city_operator']), all))).toEqual([
      7, 6, 5, 4, 3, 2, 1,
    ]);
    expect(ids(await repo.list(db(), testPrincipal('50/500103', ['district_operator']), all))).toEqual([
      7, 6, 3, 2, 1,
    ]);
    expect(
      ids(await repo.list(db(), testPrincipal('50/500103/500103003', ['street_operator']), all)),
    ).toEqual([3, 2, 1]);
    expect(ids(await repo.list(db(), testPrincipal('50/500104', ['auditor']), all))).toEqual([5, 4]);
    // A path that only shares a prefix as text is another district.
    expect(await repo.list(db(), testPrincipal('50/50010', ['city_operator']), all)).toEqual([]);
  });

  it('filters by recipient and subject, and limits', async () => {
    const district = testPrincipal('50/500103', ['district_operator']);
    expect(ids(await repo.list(db(), district, { ...all, recipient: 'reporter:r1' }))).toEqual([3, 2]);
    expect(
      ids(await repo.list(db(), district, { ...all, subjectId: 'E1', recipient: 'centre:500103003' })),
    ).toEqual([1]);
    expect(ids(await repo.list(db(), district, { ...all, subjectId: 'E2' }))).toEqual([]);
    expect(ids(await repo.list(db(), SYSTEM_PRINCIPAL, { limit: 2 }))).toEqual([7, 6]);
  });

  it('reads inboxes: in-app rows of the given recipients, unscoped, newest first', async () => {
    expect(ids(await repo.inbox(db(), ['reporter:r1'], 100))).toEqual([2]);
    expect(ids(await repo.inbox(db(), ['reporter:r1', 'centre:500103003', 'reporter:r2'], 100))).toEqual([
      2, 1,
    ]);
    expect(ids(await repo.inbox(db(), ['reporter:r1', 'centre:500103003'], 1))).toEqual([2]);
    expect(await repo.inbox(db(), [], 100)).toEqual([]);
  });

  it('hands out pending rows oldest first, never delivered or failed ones', async () => {
    const pending = await database.db
      .transaction()
      .execute((trx) => repo.pending(forTables<NotifyTables>(trx), 100));
    expect(ids(pending)).toEqual([3, 6]);
    const one = await database.db
      .transaction()
      .execute((trx) => repo.pending(forTables<NotifyTables>(trx), 1));
    expect(ids(one)).toEqual([3]);
  });

  it('marks a row and maps it to the API shape', async () => {
    const delivered = new Date('2025-11-20T08:05:00Z');
    await repo.mark(db(), 6, { status: 'delivered', attempts: 3, last_error: null, delivered_at: delivered });
    const [found] = await repo.list(db(), SYSTEM_PRINCIPAL, { limit: 1, subjectId: 'T1' });
    expect(found && toNotificationDto(found)).toEqual({
      id: 6,
      recipient: 'team:t1',
      channel: 'webhook',
      subjectType: 'task',
      subjectId: 'T1',
      title: '受理 Accepted',
      body: '已受理',
      code: null,
      params: null,
      status: 'delivered',
      attempts: 3,
      createdAt: '2025-11-20T08:00:00.000Z',
      deliveredAt: '2025-11-20T08:05:00.000Z',
    });
    const pending = await database.db
      .transaction()
      .execute((trx) => repo.pending(forTables<NotifyTables>(trx), 100));
    expect(ids(pending)).toEqual([3]);
  });
});
