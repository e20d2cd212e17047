import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../platform/clock.ts';
import { type Database, forTables } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { openTestDatabase, testBackends } from '../../platform/db/testing.ts';
import { metricsRegistry } from '../../platform/http/metrics.ts';
import { createTestApi } from '../../platform/http/testing.ts';
import type { AlgorithmImpl } from './algorithms.gate.ts';
import { algorithmMigrations } from './algorithms.migrations.ts';
import { registerAlgorithmRoutes } from './algorithms.routes.ts';
import type { AlgorithmRegistry } from './algorithms.service.ts';
import type { AlgorithmTables } from './algorithms.tables.ts';
import { openRegistry, people, putInUse, sampleRegister } from './algorithms.testing.ts';
import { DecisionRepository } from './decisions.repository.ts';
import type { PendingDecision } from './decisions.schema.ts';
import { DecisionLogWriter } from './decisions.writer.ts';

const KEY = 'complaint.classify';
const classify: AlgorithmImpl<{ complaintId: string; text: string }, { category: string }> = (input) => ({
  output: { category: 'smoke' },
  explanation: `category 'smoke' for "${input.text}"`,
  subjects: [{ type: 'event', id: input.complaintId }],
});
const quiet = { warn: () => undefined, error: () => undefined };
const repo = new DecisionRepository();

async function poisonCount(action: string): Promise<number> {
  const metric = await metricsRegistry
    .getSingleMetric('citybrain_algorithm_decision_log_poison_total')
    ?.get();
  return metric?.values.find((v) => v.labels.action === action)?.value ?? 0;
}

function pending(overrides: Partial<PendingDecision> = {}): PendingDecision {
  return {
    id: randomUUID(),
    at: new Date('2025-11-20T12:00:00Z'),
    key: KEY,
    version: '1.0.0',
    outcome: 'decided',
    reason: null,
    inputJson: JSON.stringify({ text: 'ok' }),
    outputJson: JSON.stringify({ category: 'smoke' }),
    explanation: null,
    subjects: [{ type: 'event', id: 'E-direct' }],
    latencyUs: 10,
    principal: 'system:test',
    jurisdictionPath: '',
    policy: { text: 'MASK_NONE' },
    ...overrides,
  };
}

// A record PostgreSQL refuses for its data must never stall the decision log (issue 11, item 3).
describe.each(testBackends)('decision log poison records on %s', (kind) => {
  let database: Database;
  let registry: AlgorithmRegistry;
  let clock: ManualClock;

  beforeAll(async () => {
    ({ database, registry, clock } = await openRegistry(kind, { flushMs: 60_000 }));
    await registry.start();
    await putInUse(registry, KEY, '1.0.0', sampleRegister({ explainFields: { text: 'MASK_NONE' } }));
  }, 60_000);
  afterAll(async () => {
    await registry?.stop();
    await database?.close();
  });

  const decisions = async () =>
    Number(
      (await sql<{ n: number }>`select count(*)::int as n from algorithm_decision`.execute(database.db))
        .rows[0]?.n,
    );

  it('writes the good records, writes lone-surrogate and NUL records sanitised with a note, counts them, and keeps going', async () => {
    const before = { sanitised: await poisonCount('sanitised'), decided: await decisions() };
    const texts = ['good 1', 'a\ud800b', 'good 2', 'x\u0000y', 'good 3'];
    for (const [i, text] of texts.entries()) {
      await registry.run(KEY, { complaintId: `P${i}`, text }, classify, { principal: people.dispatcher });
    }
    await registry.flush();
    expect(await decisions()).toBe(before.decided + 5);
    const notes = await repo.quarantined(forTables<AlgorithmTables>(database.db));
    // 22P02 (lone surrogate: "invalid input syntax for type json") and 22P05 (NUL: "unsupported Unicode escape").
    expect(notes.map((n) => [n.action, n.sqlstate?.slice(0, 2)])).toEqual([
      ['sanitised', '22'],
      ['sanitised', '22'],
    ]);
    expect(notes[0]?.excerpt).toContain('a\\\\ud800b');
    expect(notes[1]?.excerpt).toContain('x\\\\u0000y');
    expect(await poisonCount('sanitised')).toBe(before.sanitised + 2);

    // The sanitised decisions still explain their events; later decisions keep being written.
    const [bad] = await registry.decisions.why(people.dispatcher, { type: 'event', id: 'P1' });
    expect(bad?.inputs).toEqual({ text: 'a\ufffdb' });
    const [nul] = await registry.decisions.why(people.dispatcher, { type: 'event', id: 'P3' });
    expect(nul?.inputs).toEqual({ text: 'xy' });
    clock.advance(1000);
    await registry.run(KEY, { complaintId: 'LATER', text: 'after the poison' }, classify);
    await registry.flush();
    const [later] = await registry.decisions.why(people.dispatcher, { type: 'event', id: 'LATER' });
    expect(later?.inputs).toEqual({ text: 'after the poison' });
    // And over HTTP.
    const app = await createTestApi(people);
    registerAlgorithmRoutes(app, { registry });
    await app.ready();
    for (const id of ['LATER', 'P1']) {
      const why = await app.inject({
        method: 'GET',
        url: `/api/v1/why?subjectType=event&subjectId=${id}`,
        headers: { authorization: 'Bearer dispatcher' },
      });
      expect(why.statusCode).toBe(200);
      expect(why.json().decisions).toHaveLength(1);
    }
    await app.close();
  });

  it('quarantines records that stay refused or cannot be mapped, with reason and a bounded excerpt', async () => {
    const db = forTables<AlgorithmTables>(database.db);
    const writer = new DecisionLogWriter(db, repo, quiet, {
      flushMs: 60_000,
      maxBatch: 500,
      maxBuffer: 1000,
    });
    const before = await poisonCount('quarantined');
    const good = Array.from({ length: 6 }, () => pending());
    const huge = pending({ latencyUs: 2 ** 40, inputJson: JSON.stringify({ text: 'z'.repeat(10_000) }) });
    const unmappable = pending({ inputJson: 'not json {' });
    const duplicate = pending({ id: good[0]?.id ?? '' });
    for (const d of [good[0], huge, good[1], unmappable, good[2], duplicate, ...good.slice(3)]) {
      if (d) writer.enqueue(d);
    }
    await writer.flush();
    expect(writer.pending).toBe(0);
    const stored = await db
      .selectFrom('algorithm_decision')
      .select('id')
      .where(
        'id',
        'in',
        good.map((g) => g.id),
      )
      .execute();
    expect(stored).toHaveLength(6);
    const notes = await repo.quarantined(db, 1000);
    const byId = (id: string) => notes.find((n) => n.decision_id === id && n.action === 'quarantined');
    expect(byId(huge.id)).toMatchObject({ sqlstate: '22003' });
    expect(byId(huge.id)?.excerpt.length).toBeLessThanOrEqual(2_000);
    expect(byId(unmappable.id)?.reason).toMatch(/JSON/);
    expect(byId(duplicate.id)).toMatchObject({ sqlstate: '23505' });
    expect(await poisonCount('quarantined')).toBe(before + 3);
  });

  it('keeps the batch queued when the database is unreachable (a transient failure)', async () => {
    const other = await openTestDatabase(kind);
    await migrateToLatest(other.db, [algorithmMigrations]);
    const db = forTables<AlgorithmTables>(other.db);
    const writer = new DecisionLogWriter(db, repo, quiet, {
      flushMs: 60_000,
      maxBatch: 500,
      maxBuffer: 1000,
    });
    writer.enqueue(pending());
    writer.enqueue(pending());
    await other.close();
    await expect(writer.flush()).rejects.toThrow();
    expect(writer.pending).toBe(2);
  });
});
