import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../platform/db/database.ts';
import { migrateToLatest } from '../../../platform/db/migrate.ts';
import { openTestDatabase, testBackends } from '../../../platform/db/testing.ts';
import type { ExchangeRecord } from './exchange.hash.ts';
import { ExchangeLog } from './exchange.log.ts';
import { exchangeMigrations } from './exchange.migrations.ts';
import { ExchangeRepository } from './exchange.repository.ts';

/** A record of the Qijiang story's kind, varied by `i`, spread over two UTC days. */
function record(i: number): ExchangeRecord {
  return {
    at: new Date(Date.UTC(2026, 11, 6, 22, 0, 0) + i * 60_000),
    consumerApp: `app-water-${i % 3}`,
    consumerDept: 'water',
    ownerDept: 'ecology',
    resourceId: 'discharge-permits',
    purpose: 'pollution-trace',
    decision: i % 5 === 0 ? 'deny' : 'allow',
    policyVersion: 'v3',
    entries: i % 5 === 0 ? ['NL-007'] : [],
    maskedFields: ['contact_phone', 'legal_person'],
    rowCount: i % 5 === 0 ? 0 : i,
    // Records from before scopes (empty) and scoped ones chain alike.
    scope: i % 4 === 0 ? '' : i % 4 === 1 ? 'all:50' : 'within:500110:district_code',
  };
}

describe.each(testBackends)('exchange log on %s', (kind) => {
  let database: Database;
  let log: ExchangeLog;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrateToLatest(database.db, [exchangeMigrations]);
    log = new ExchangeLog(database.db);
  });
  afterAll(() => database?.close());

  it('appends batches into daily partitions and verifies the chain', async () => {
    const first = await log.append(Array.from({ length: 150 }, (_, i) => record(i)));
    expect(first).toMatchObject({ firstSeq: 1, lastSeq: 150 });
    const second = await log.append(Array.from({ length: 50 }, (_, i) => record(150 + i)));
    expect(second).toMatchObject({ firstSeq: 151, lastSeq: 200 });
    const parts = await sql<{ name: string }>`
      select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where i.inhparent = 'dh_exchange_log'::regclass order by 1`.execute(database.db);
    expect(parts.rows.map((r) => r.name)).toEqual(['dh_exchange_log_p20261206', 'dh_exchange_log_p20261207']);
    expect(await log.verify(64)).toEqual({ ok: true, checked: 200, headSeq: 200 });
    expect(await log.head()).toEqual({ seq: 200, hash: second.hash });
  });

  it('refuses updates and deletes', async () => {
    await expect(
      sql`update dh_exchange_log set purpose = 'x' where seq = 1`.execute(database.db),
    ).rejects.toThrow(/append-only/);
    await expect(sql`delete from dh_exchange_log where seq = 1`.execute(database.db)).rejects.toThrow(
      /append-only/,
    );
  });

  it('names the first tampered record', async () => {
    await database.db.transaction().execute(async (trx) => {
      // Bypass the append-only trigger as an intruder with superuser rights would.
      await sql`set local session_replication_role = replica`.execute(trx);
      await sql`update dh_exchange_log set row_count = 9999 where seq = 77`.execute(trx);
      await sql`update dh_exchange_log set purpose = 'curiosity' where seq = 120`.execute(trx);
    });
    expect(await log.verify(50)).toEqual({
      ok: false,
      checked: 76,
      headSeq: 200,
      firstBroken: { seq: 77, reason: 'content does not match its hash' },
    });
    await database.db.transaction().execute(async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx);
      await sql`update dh_exchange_log set row_count = 76 where seq = 77`.execute(trx);
      await sql`delete from dh_exchange_log where seq = 130`.execute(trx);
    });
    const r = await log.verify(50);
    expect(r.firstBroken).toEqual({ seq: 120, reason: 'content does not match its hash' });
  });

  it('keeps one chain under two concurrent appenders', async () => {
    const fresh = await openTestDatabase(kind);
    try {
      await migrateToLatest(fresh.db, [exchangeMigrations]);
      // Two appenders with no shared state, as two gateway processes would be.
      const a = new ExchangeLog(fresh.db);
      const b = new ExchangeLog(fresh.db);
      const run = async (appender: ExchangeLog, offset: number) => {
        for (let k = 0; k < 10; k++) {
          await appender.append(Array.from({ length: 40 }, (_, i) => record(offset + k * 40 + i)));
        }
      };
      // A verification running meanwhile checks the chain up to the head it started from.
      const during = Promise.all([run(a, 0), run(b, 10_000)]).then(() => undefined);
      const meanwhile = await a.verify(30);
      await during;
      expect(meanwhile.ok).toBe(true);
      expect(await a.verify(100)).toEqual({ ok: true, checked: 800, headSeq: 800 });
      const apps = await sql<{
        n: number;
      }>`select count(distinct seq)::int as n from dh_exchange_log`.execute(fresh.db);
      expect(apps.rows[0]?.n).toBe(800);
    } finally {
      await fresh.close();
    }
  });

  it('writes nothing onto a head that moved, and four racing appenders still keep one chain', async () => {
    const fresh = await openTestDatabase(kind);
    try {
      await migrateToLatest(fresh.db, [exchangeMigrations]);
      const a = new ExchangeLog(fresh.db);
      const b = new ExchangeLog(fresh.db);
      await a.append([record(1)]); // a knows the head (1)
      await b.append([record(2), record(3)]); // b read it and moved it to 3; a's knowledge is stale
      const done = await a.append([record(4)]); // a's conditional write finds 3 and chains onto it
      expect(done).toMatchObject({ firstSeq: 4, lastSeq: 4 });
      const repo = new ExchangeRepository();
      const forged = { ...record(5), seq: 2, prevHash: 'x'.repeat(64), hash: 'y'.repeat(64) };
      const stale = await repo.appendIfHead(fresh.db, { seq: 1, hash: 'x'.repeat(64) }, [forged]);
      expect(stale).toMatchObject({ written: false, seq: 4 });
      expect(await a.verify()).toMatchObject({ ok: true, checked: 4 });
      const appenders = Array.from({ length: 4 }, () => new ExchangeLog(fresh.db));
      await Promise.all(
        appenders.map(async (log, n) => {
          for (let k = 0; k < 25; k++)
            await log.append(Array.from({ length: 3 }, (_, i) => record(1000 * (n + 1) + k * 3 + i)));
        }),
      );
      expect(await a.verify(50)).toEqual({ ok: true, checked: 304, headSeq: 304 });
    } finally {
      await fresh.close();
    }
  });

  it("rejects values that would not round-trip through the verifier's page encoding", async () => {
    await expect(log.append([{ ...record(1), entries: [''] }])).rejects.toMatchObject({
      code: 'invalid_data',
    });
  });
});
