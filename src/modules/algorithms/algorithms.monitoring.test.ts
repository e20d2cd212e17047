import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import type { ManualClock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { testBackends } from '../../platform/db/testing.ts';
import type { AuditLog } from '../audit/index.ts';
import type { AlgorithmImpl } from './algorithms.gate.ts';
import type { AlgorithmRegistry } from './algorithms.service.ts';
import { openRegistry, people, putInUse, sampleRegister } from './algorithms.testing.ts';

const KEY = 'complaint.classify';
const classify: AlgorithmImpl<{ complaintId: string; text: string }, { category: string }> = (input) => ({
  output: { category: 'smoke' },
  explanation: `category 'smoke': keywords 烧烤, 油烟 in "${input.text}"`,
  subjects: [{ type: 'complaint', id: input.complaintId }],
});

describe.each(testBackends)('overrides, monitoring and retention on %s', (kind) => {
  let database: Database;
  let registry: AlgorithmRegistry;
  let audit: AuditLog;
  let clock: ManualClock;

  beforeAll(async () => {
    ({ database, registry, audit, clock } = await openRegistry(kind, {
      review: { overrideRate: 0.2, minDecisions: 50, windowDays: 30 },
    }));
    await registry.start();
    await putInUse(registry, KEY, '2.0.0', sampleRegister({ explainFields: { text: 'MASK_NONE' } }));
  });
  afterAll(async () => {
    await registry?.stop();
    await database?.close();
  });

  it('computes the override rate from recorded overrides and raises one review alert past the threshold', async () => {
    for (let i = 0; i < 50; i++) {
      await registry.run(KEY, { complaintId: `C${i}`, text: `夜市烧烤油烟 ${i}` }, classify, {
        principal: people.dispatcher,
      });
    }
    // 10 of 50 overridden is exactly 20%: not above the threshold, no alert.
    for (let i = 0; i < 10; i++) {
      const r = await registry.recordOverride(
        { key: KEY, subject: { type: 'complaint', id: `C${i}` } },
        people.dispatcher,
        'category corrected',
        {
          category: 'noise',
        },
      );
      expect(r.alert).toBeNull();
    }
    // Overriding the same decision again does not count twice.
    await registry.recordOverride(
      { key: KEY, subject: { type: 'complaint', id: 'C0' } },
      people.dispatcher,
      'again',
      {
        category: 'litter',
      },
    );
    let m = await registry.decisions.metrics(KEY);
    expect(m.versions).toMatchObject([
      { version: '2.0.0', calls: 50, decided: 50, refused: 0, overrides: 10, overrideRate: 0.2 },
    ]);
    expect(m.versions[0]?.p50LatencyUs).not.toBeNull();
    expect(m.versions[0]?.p95LatencyUs).toBeGreaterThanOrEqual(m.versions[0]?.p50LatencyUs ?? 0);
    expect(m.alerts).toEqual([]);

    const eleventh = await registry.recordOverride(
      { key: KEY, subject: { type: 'complaint', id: 'C10' } },
      people.dispatcher,
      'wrong',
      {
        category: 'noise',
      },
    );
    expect(eleventh.alert).toMatchObject({
      key: KEY,
      version: '2.0.0',
      status: 'open',
      decisions: 50,
      overrides: 11,
      overrideRate: 0.22,
    });
    // Idempotent: one open alert per version, however many more overrides arrive.
    const twelfth = await registry.recordOverride(
      { key: KEY, subject: { type: 'complaint', id: 'C11' } },
      people.dispatcher,
      'wrong',
      {
        category: 'noise',
      },
    );
    expect(twelfth.alert).toBeNull();
    m = await registry.decisions.metrics(KEY);
    expect(m.versions[0]).toMatchObject({ overrides: 12, overrideRate: 0.24 });
    expect(m.alerts).toHaveLength(1);
    const raised = await audit.list(database.db, SYSTEM_PRINCIPAL, {
      limit: 10,
      action: 'algorithm.review.raised',
    });
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ subjectId: `${KEY}@2.0.0`, details: { overrides: 11, decisions: 50 } });
    const overridden = await audit.list(database.db, SYSTEM_PRINCIPAL, {
      limit: 100,
      action: 'algorithm.decision.overridden',
    });
    expect(overridden).toHaveLength(13);
  });

  it('shows overrides in the why of the subject, and refuses overriding a refusal', async () => {
    const [d] = await registry.decisions.why(people.dispatcher, { type: 'complaint', id: 'C0' });
    expect(d?.overrides.map((o) => o.newOutput)).toEqual([{ category: 'noise' }, { category: 'litter' }]);
    await registry.register.transition(people.auditor, KEY, '2.0.0', {
      to: 'suspended',
      reason: 'review alert',
    });
    const r = await registry.runOrFallback(KEY, { complaintId: 'C99', text: 'x' }, classify);
    expect(r.decided).toBe(false);
    await expect(
      registry.recordOverride(r.decisionId, people.dispatcher, 'manual', { category: 'noise' }),
    ).rejects.toMatchObject({
      code: 'conflict',
    });
    await expect(
      registry.recordOverride('00000000-0000-4000-8000-000000000000', people.dispatcher, 'x', {}),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
    const m = await registry.decisions.metrics(KEY);
    expect(m.versions.find((v) => v.version === '')?.refused).toBe(1);
  });

  it('prunes only past the retention, never within six months', async () => {
    const before = await database.db
      .selectFrom('algorithm_decision')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    // Asking to delete everything older than "now" deletes nothing younger than 184 days.
    const first = await registry.prune(clock.now());
    expect(first.deleted).toBe(0);
    expect(first.cutoff).toBe('2025-05-20T12:00:00.000Z');
    clock.advance(183 * 86_400_000);
    expect((await registry.prune(clock.now())).deleted).toBe(0);
    clock.advance(2 * 86_400_000);
    const later = await registry.prune();
    expect(later.deleted).toBe(Number(before.n));
    // Overrides are kept: they record what people did.
    const overrides = await database.db
      .selectFrom('algorithm_override')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(overrides.n)).toBe(13);
  });

  it('refuses a retention shorter than six months', async () => {
    const { AlgorithmRegistry } = await import('./algorithms.service.ts');
    expect(() => new AlgorithmRegistry({ db: database.db, audit, clock, retentionDays: 90 })).toThrow(
      /at least 184 days/,
    );
  });
});
