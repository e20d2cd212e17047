import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { openTestDatabase, testBackends } from '../../platform/db/testing.ts';
import { auditMigrations } from './audit.migrations.ts';
import { AuditLog } from './audit.service.ts';

const actor = { kind: 'user' as const, id: 'u1' };

describe.each(testBackends)('audit log on %s', (kind) => {
  let database: Database;
  const clock = new ManualClock('2025-11-20T12:00:00Z');
  const audit = new AuditLog(clock);

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrateToLatest(database.db, [auditMigrations]);
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      await audit.record(database.db, {
        actor,
        action: 'thing.changed',
        subjectType: 'thing',
        subjectId: `t${i}`,
        jurisdictionPath: i % 2 ? '50/500103' : '50/500104',
        details: { i, nested: { b: 2, a: [1, 'x'] } },
      });
    }
  });
  afterAll(() => database?.close());

  it('chains entries and verifies an intact log', async () => {
    const result = await audit.verify(database.db);
    expect(result).toEqual({ ok: true, checked: 5, headSeq: 5 });
  });

  it('rolls back the entry with the caller’s transaction', async () => {
    await expect(
      database.db.transaction().execute(async (trx) => {
        await audit.append(trx, { actor, action: 'x', subjectType: 't', subjectId: 'gone' });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const rows = await audit.list(database.db, systemLike(), { limit: 100, subjectId: 'gone' });
    expect(rows).toHaveLength(0);
    expect((await audit.verify(database.db)).ok).toBe(true);
  });

  it('scopes listing to the principal’s jurisdiction', async () => {
    const rows = await audit.list(
      database.db,
      { ...systemLike(), jurisdictionPath: '50/500103' },
      { limit: 100 },
    );
    expect(rows.map((r) => r.subjectId).sort()).toEqual(['t1', 't3']);
  });

  it('refuses UPDATE and DELETE on the log', async () => {
    await expect(
      sql`update audit_log set action = 'forged' where seq = 2`.execute(database.db),
    ).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log where seq = 2`.execute(database.db)).rejects.toThrow(
      /append-only/,
    );
  });

  it('names the first altered entry when someone bypasses the trigger', async () => {
    await sql`alter table audit_log disable trigger audit_log_append_only`.execute(database.db);
    await sql`update audit_log set details = '{"i": 99}'::jsonb where seq = 3`.execute(database.db);
    const result = await audit.verify(database.db);
    expect(result.ok).toBe(false);
    expect(result.firstBroken).toEqual({ seq: 3, reason: 'content does not match its hash' });
  });

  it('names a removed entry, and a removed tail', async () => {
    await sql`delete from audit_log where seq = 3`.execute(database.db);
    expect((await audit.verify(database.db)).firstBroken).toEqual({
      seq: 3,
      reason: 'entry 3 is missing (next is 4)',
    });
    await sql`delete from audit_log where seq >= 3`.execute(database.db);
    const result = await audit.verify(database.db);
    expect(result.firstBroken?.seq).toBe(3);
    expect(result.firstBroken?.reason).toMatch(/head is at entry 5/);
  });
});

function systemLike() {
  return {
    kind: 'system' as const,
    id: 's',
    name: 's',
    roles: ['admin' as const],
    jurisdictionCode: '',
    jurisdictionPath: '',
    departmentCode: null,
  };
}
