import { sql } from 'kysely';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { openTestDatabase, testBackends } from '../db/testing.ts';
import type { Envelope } from './bus.types.ts';
import { busOutboxMigrations } from './outbox.migrations.ts';
import { Outbox, type OutboxPublisher, OutboxRelay } from './outbox.ts';
import { testSubjects } from './test-subjects.ts';
import { openTestBus, quietLogger, waitFor } from './testing.ts';

describe.each(testBackends)('bus outbox on %s', (kind) => {
  let database: Database;
  const clock = new ManualClock('2025-11-20T08:00:00Z');
  const outbox = new Outbox(testSubjects, clock);
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrateToLatest(database.db, [busOutboxMigrations]);
  });
  beforeEach(async () => {
    await sql`delete from bus_outbox`.execute(database.db);
  });
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
    await database?.close();
  });

  async function busCollecting(busKind: 'memory' | 'jetstream' = 'memory') {
    const { bus, cleanup } = await openTestBus(busKind, testSubjects);
    cleanups.push(cleanup);
    const got: Envelope[] = [];
    await bus.subscribe('test.>', { group: 'collect', owner: 't' }, (e) => void got.push(e));
    return { bus, got };
  }

  const relayFor = (bus: OutboxPublisher, batchSize = 500) =>
    new OutboxRelay({ db: database.db, bus, logger: quietLogger, clock, batchSize });

  it('publishes only committed rows, in order, with the row id as message id, and marks them', async () => {
    const { bus, got } = await busCollecting();
    const ids = await database.db
      .transaction()
      .execute(async (trx) => [
        await outbox.enqueue(trx, 'test.tick', { n: 1 }),
        await outbox.enqueue(trx, 'test.alert.raised', { deviceId: 'd1', level: 2 }, { key: 'd1' }),
        await outbox.enqueue(trx, 'test.tick', { n: 3 }),
      ]);
    await expect(
      database.db.transaction().execute(async (trx) => {
        await outbox.enqueue(trx, 'test.tick', { n: 99 });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await relayFor(bus).drain()).toBe(3);
    await waitFor(() => got.length === 3, 'three messages');
    expect(got.map((e) => e.id)).toEqual(ids);
    expect(got[1]).toMatchObject({ key: 'd1', occurredAt: '2025-11-20T08:00:00.000Z' });
    const pending = await sql<{
      n: number;
    }>`select count(*) as n from bus_outbox where published_at is null`.execute(database.db);
    expect(Number(pending.rows[0]?.n)).toBe(0);
  });

  it('refuses an invalid payload at enqueue', async () => {
    const enqueueBad = (trx: typeof database.db) =>
      // @ts-expect-error level must be a number
      outbox.enqueue(trx, 'test.alert.raised', { deviceId: 'd', level: 'x' });
    await expect(database.db.transaction().execute(enqueueBad)).rejects.toMatchObject({
      code: 'invalid_data',
    });
  });

  it('sets aside a row that no longer fits its schema, without blocking the others', async () => {
    const { bus, got } = await busCollecting();
    await sql`insert into bus_outbox (id, subject, payload, created_at)
              values (gen_random_uuid(), 'test.tick', '{"n":"bad"}', now())`.execute(database.db);
    await database.db.transaction().execute((trx) => outbox.enqueue(trx, 'test.tick', { n: 2 }));
    expect(await relayFor(bus).drain()).toBe(2);
    await waitFor(() => got.length === 1, 'the good row');
    const bad = await sql<{
      last_error: string;
    }>`select last_error from bus_outbox where published_at is null`.execute(database.db);
    expect(bad.rows[0]?.last_error).toMatch(/invalid payload/);
  });

  it('sets aside a row the bus keeps refusing after maxAttempts, counted, while the rows behind it flow', async () => {
    const { bus, got } = await busCollecting('jetstream');
    const registry = new Registry();
    const relay = new OutboxRelay({
      db: database.db,
      bus,
      logger: quietLogger,
      clock,
      maxAttempts: 3,
      registry,
    });
    // Valid for its schema, but over NATS's 1 MiB max_payload: the bus refuses it every time.
    const huge = 'd'.repeat(1_100_000);
    const hugeId = await database.db
      .transaction()
      .execute((trx) => outbox.enqueue(trx, 'test.alert.raised', { deviceId: huge, level: 1 }));
    for (let n = 1; n <= 3; n++) {
      await database.db.transaction().execute((trx) => outbox.enqueue(trx, 'test.tick', { n }));
      expect(await relay.runOnce()).toBe(2);
    }
    await waitFor(() => got.length === 3, 'the rows behind it');
    expect(got.map((e) => e.payload)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    const row = await sql<{ attempts: number; last_error: string | null; published_at: Date | null }>`
      select attempts, last_error, published_at from bus_outbox where id = ${hugeId}`.execute(database.db);
    expect(row.rows[0]).toMatchObject({ attempts: 3, published_at: null });
    expect(row.rows[0]?.last_error).toMatch(/^publish refused 3 times: /);
    // Set aside: no longer picked up, so the next run finds nothing.
    expect(await relay.runOnce()).toBe(0);
    const counts = (await registry.getSingleMetric('citybrain_bus_outbox_rows_total')?.get())?.values ?? [];
    const count = (outcome: string) => counts.find((v) => v.labels.outcome === outcome)?.value;
    expect([count('published'), count('retried'), count('dead')]).toEqual([3, 2, 1]);
  });

  it('retries the whole batch, counting nothing against the rows, when the bus refuses every row', async () => {
    await database.db.transaction().execute(async (trx) => {
      await outbox.enqueue(trx, 'test.tick', { n: 1 });
      await outbox.enqueue(trx, 'test.tick', { n: 2 });
    });
    const down: OutboxPublisher = {
      subjects: testSubjects,
      publishBatch: async () => {
        throw new Error('bus disconnected');
      },
    };
    const relay = new OutboxRelay({ db: database.db, bus: down, logger: quietLogger, clock, maxAttempts: 1 });
    await expect(relay.runOnce()).rejects.toThrow('bus disconnected');
    const rows = await sql<{ attempts: number; last_error: string | null }>`
      select attempts, last_error from bus_outbox order by seq`.execute(database.db);
    expect(rows.rows).toEqual([
      { attempts: 0, last_error: null },
      { attempts: 0, last_error: null },
    ]);
  });

  it('lets several relays run at once without publishing a row twice (SKIP LOCKED)', async () => {
    const { bus, got } = await busCollecting();
    await database.db.transaction().execute(async (trx) => {
      for (let n = 0; n < 600; n++) await outbox.enqueue(trx, 'test.tick', { n });
    });
    const relays = [relayFor(bus, 50), relayFor(bus, 50), relayFor(bus, 50)];
    const handled = await Promise.all(relays.map((r) => r.drain()));
    expect(handled.reduce((a, b) => a + b, 0)).toBe(600);
    await waitFor(() => got.length >= 600, 'all rows');
    await new Promise((r) => setTimeout(r, 100));
    expect(new Set(got.map((e) => e.id)).size).toBe(600);
    expect(got).toHaveLength(600);
  });

  it('re-publishes after a crash between publish and mark, and JetStream drops the duplicate', async () => {
    const { bus, got } = await busCollecting('jetstream');
    await database.db.transaction().execute((trx) => outbox.enqueue(trx, 'test.tick', { n: 42 }));
    // The first relay publishes and then "crashes" before its transaction commits the mark.
    const crashing: OutboxPublisher = {
      subjects: bus.subjects,
      publishBatch: async (messages) => {
        await bus.publishBatch(messages as Parameters<typeof bus.publishBatch>[0]);
        throw new Error('crash after publish');
      },
    };
    await expect(relayFor(crashing).runOnce()).rejects.toThrow('crash after publish');
    expect(await relayFor(bus).drain()).toBe(1);
    await waitFor(() => got.length >= 1, 'the message');
    await new Promise((r) => setTimeout(r, 300));
    expect(got.map((e) => e.payload)).toEqual([{ n: 42 }]);
  });

  it('runs in the background until stopped, and prunes published rows', async () => {
    const { bus, got } = await busCollecting();
    const relay = relayFor(bus);
    relay.start();
    await database.db.transaction().execute((trx) => outbox.enqueue(trx, 'test.tick', { n: 1 }));
    await waitFor(() => got.length === 1, 'background publish');
    await relay.stop();
    expect(await relay.prune(new Date(clock.now().getTime() + 1))).toBe(1);
  });
});
