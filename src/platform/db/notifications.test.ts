import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Database } from './database.ts';
import { openTestDatabase, testBackends } from './testing.ts';

describe.each(testBackends)('Database.listen on %s', (kind) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(() => database?.close());

  it('delivers what a committed transaction notifies, not what a rolled-back one does', async () => {
    const got: string[] = [];
    const stop = await database.listen('cb_test_channel', { message: (p) => got.push(p) });
    await database.db
      .transaction()
      .execute((trx) => sql`select pg_notify('cb_test_channel', 'committed')`.execute(trx));
    await expect(
      database.db.transaction().execute(async (trx) => {
        await sql`select pg_notify('cb_test_channel', 'rolled back')`.execute(trx);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await sql`select pg_notify('cb_test_channel', 'last')`.execute(database.db);
    await vi.waitFor(() => expect(got).toEqual(['committed', 'last']));
    await stop();
    await sql`select pg_notify('cb_test_channel', 'after stop')`.execute(database.db);
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toEqual(['committed', 'last']);
  });

  it.runIf(kind === 'postgres')('says when its connection dropped and listens again after it', async () => {
    const got: string[] = [];
    const states: boolean[] = [];
    const stop = await database.listen('cb_test_drop', {
      message: (p) => got.push(p),
      state: (live) => states.push(live),
    });
    await sql`select pg_terminate_backend(pid) from pg_stat_activity
      where query = 'LISTEN cb_test_drop'`.execute(database.db);
    await vi.waitFor(() => expect(states).toEqual([true, false, true]), { timeout: 5_000 });
    await sql`select pg_notify('cb_test_drop', 'again')`.execute(database.db);
    await vi.waitFor(() => expect(got).toEqual(['again']));
    await stop();
  });

  it('rejects a channel name that is not a plain identifier', async () => {
    await expect(database.listen('x; drop table y', { message: () => {} })).rejects.toThrow(
      'invalid channel',
    );
  });
});
