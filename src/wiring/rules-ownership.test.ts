import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_MIGRATIONS } from '../app.ts';
import { type Database, openPostgres } from '../platform/db/database.ts';
import { migrateToLatest } from '../platform/db/migrate.ts';
import { createLogger } from '../platform/logger.ts';
import { waitFor } from '../platform/mqtt/testing.ts';
import { PARTITION_LOCK_NS, PartitionOwnership } from './rules-ownership.ts';

const serverUrl = process.env.CITYBRAIN_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const P = 16;
const ALL = [...Array(P).keys()];

async function admin(sqlText: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sqlText);
  } finally {
    await client.end();
  }
}

/** Partition ownership of `rules` processes on real PostgreSQL: advisory locks and the member table. */
describe('rules partition ownership (PostgreSQL advisory locks)', () => {
  const dbName = `cb_test_own_${randomBytes(6).toString('hex')}`;
  const url = (() => {
    const u = new URL(serverUrl);
    u.pathname = `/${dbName}`;
    return u.toString();
  })();
  let database: Database;
  const members: PartitionOwnership[] = [];

  /** A member whose take/release callbacks record what it was handed. */
  function member(id: string) {
    const events: string[] = [];
    const m = new PartitionOwnership({
      connectionString: url,
      memberId: id,
      partitions: P,
      intervalMs: 100,
      logger: createLogger('silent'),
      onTake: async (ks) => {
        events.push(`take ${ks.join(',')}`);
      },
      onRelease: async (ks) => {
        events.push(`release ${ks.join(',')}`);
      },
    });
    members.push(m);
    return { m, events };
  }

  /** Partitions whose lock is held in the database, by backend pid. */
  async function lockHolders(): Promise<Map<number, number>> {
    const r = await database.db
      .selectFrom('pg_locks' as never)
      .select(['objid' as never, 'pid' as never])
      .where('locktype' as never, '=', 'advisory' as never)
      .where('classid' as never, '=', String(PARTITION_LOCK_NS) as never)
      .where('granted' as never, '=', true as never)
      .execute();
    return new Map((r as { objid: string; pid: number }[]).map((x) => [Number(x.objid), x.pid]));
  }

  beforeAll(async () => {
    await admin(`create database ${dbName}`);
    database = await openPostgres(url);
    await migrateToLatest(database.db, ALL_MIGRATIONS);
  }, 60_000);

  afterAll(async () => {
    for (const m of members) await m.stop().catch(() => {});
    await database?.close();
    await admin(`drop database if exists ${dbName} with (force)`).catch(() => {});
  });

  it('two members split 16 partitions 8/8; when one dies the other takes all 16; a newcomer gets its share back', async () => {
    const a = member('a');
    const b = member('b');
    await a.m.start();
    // Alone, a takes everything.
    expect(a.m.owned).toEqual(ALL);
    await b.m.start();
    await waitFor(() => a.m.owned.length === 8 && b.m.owned.length === 8, 10_000, 'an 8/8 split');
    expect([...a.m.owned, ...b.m.owned].sort((x, y) => x - y)).toEqual(ALL);
    // Disjoint, and exactly what the database's locks say.
    const holders = await lockHolders();
    expect(holders.size).toBe(16);
    const pidsA = new Set(a.m.owned.map((k) => holders.get(k)));
    const pidsB = new Set(b.m.owned.map((k) => holders.get(k)));
    expect(pidsA.size).toBe(1);
    expect(pidsB.size).toBe(1);
    expect([...pidsA][0]).not.toBe([...pidsB][0]);
    // a gave back what b took (a release before each take of the same partition).
    expect(a.events.some((e) => e.startsWith('release'))).toBe(true);

    // b dies without a word (its connection drops): its locks vanish, a takes all 16.
    await b.m.crash();
    await waitFor(() => a.m.owned.length === 16, 10_000, 'a to take over every partition');
    expect((await lockHolders()).size).toBe(16);
    const members$ = await database.db
      .selectFrom('sensing_rules_members' as never)
      .select('member_id' as never)
      .execute();
    expect(members$).toEqual([{ member_id: 'a' }]);

    // A newcomer: the split goes back to 8/8.
    const c = member('c');
    await c.m.start();
    await waitFor(() => a.m.owned.length === 8 && c.m.owned.length === 8, 10_000, 'a new 8/8 split');
    expect([...a.m.owned, ...c.m.owned].sort((x, y) => x - y)).toEqual(ALL);

    // A clean stop gives everything back at once.
    await c.m.stop();
    await waitFor(() => a.m.owned.length === 16, 10_000, 'a to take back every partition');
  }, 60_000);
});
