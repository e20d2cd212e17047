import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openPostgres } from '../../platform/db/database.ts';
import { testBackends } from '../../platform/db/testing.ts';
import { AuditLog } from '../audit/index.ts';
import type { AlgorithmImpl } from './algorithms.gate.ts';
import { type AlgorithmNotifier, AlgorithmRegistry } from './algorithms.service.ts';
import { openRegistry, people, putInUse } from './algorithms.testing.ts';

const rank: AlgorithmImpl<{ sectionId: string }, string[]> = () => ({
  output: ['plant-a', 'plant-b'],
  explanation: 'plant-a 2.3 km upstream, discharge permit for oil; plant-b 4.1 km',
});

/** Polls until `check` holds; returns the milliseconds it took, or throws after `limitMs`. */
async function within(limitMs: number, check: () => Promise<boolean>): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < limitMs) {
    if (await check()) return performance.now() - start;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`not within ${limitMs} ms`);
}

/** An in-memory stand-in for the bus adapter: what one process publishes reaches every subscriber. */
function memoryNotifier(): AlgorithmNotifier {
  const subscribers = new Set<(key: string) => void>();
  return {
    publish: async (key) => {
      for (const s of subscribers) s(key);
    },
    subscribe: (cb) => {
      subscribers.add(cb);
      return () => subscribers.delete(cb);
    },
  };
}

describe.each(testBackends)('suspension across registry instances on %s', (kind) => {
  let database: Database;
  let a: AlgorithmRegistry;
  let other: Database | undefined;
  const decides = async (r: AlgorithmRegistry) =>
    (await r.runOrFallback('water.trace-upstream', { sectionId: 'S1' }, rank)).decided;

  beforeAll(async () => {
    ({ database, registry: a } = await openRegistry(kind, { refreshMs: 100 }));
    await a.start();
  });
  afterAll(async () => {
    await a?.stop();
    await other?.close();
    await database?.close();
  });

  // PGlite is embedded: one process owns the database, so "another process" cannot open it.
  it.skipIf(kind === 'pglite')(
    'a suspension through A stops B within its refresh interval (separate pools)',
    async () => {
      const name = (
        await database.db
          .selectNoFrom((eb) => eb.fn<string>('current_database').as('n'))
          .executeTakeFirstOrThrow()
      ).n;
      const url = new URL(process.env.CITYBRAIN_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
      url.pathname = `/${name}`;
      other = await openPostgres(url.toString());
      const b = new AlgorithmRegistry({
        db: other.db,
        audit: new AuditLog({ now: () => new Date() }),
        clock: { now: () => new Date() },
        refreshMs: 100,
      });
      await b.start();
      try {
        await putInUse(a, 'water.trace-upstream', '1.0.0');
        await within(1000, () => decides(b));
        await a.register.transition(people.admin, 'water.trace-upstream', '1.0.0', {
          to: 'suspended',
          reason: 'emergency',
        });
        expect(await decides(a)).toBe(false); // at once in the process that suspended
        const tookMs = await within(1000, async () => !(await decides(b)));
        expect(tookMs).toBeLessThan(300); // refresh interval 100 ms, with slack for a loaded machine
        await b.flush();
        const refusedByB = await other.db
          .selectFrom('algorithm_decision')
          .select('reason')
          .where('outcome', '=', 'refused')
          .where('algorithm_key', '=', 'water.trace-upstream')
          .execute();
        expect(refusedByB.length).toBeGreaterThanOrEqual(1);
      } finally {
        await b.stop();
      }
    },
  );

  it('a notifier pushes the change without waiting for the poll', async () => {
    const notifier = memoryNotifier();
    const slowA = new AlgorithmRegistry({
      db: database.db,
      audit: new AuditLog({ now: () => new Date() }),
      clock: { now: () => new Date() },
      refreshMs: 60_000,
      notifier,
    });
    const slowB = new AlgorithmRegistry({
      db: database.db,
      audit: new AuditLog({ now: () => new Date() }),
      clock: { now: () => new Date() },
      refreshMs: 60_000,
      notifier,
    });
    await slowA.start();
    await slowB.start();
    try {
      await putInUse(slowA, 'crowd.risk', '1.0.0');
      const risk = () => slowB.runOrFallback('crowd.risk', {}, () => ({ output: 'C', explanation: 'LOS C' }));
      await within(500, async () => (await risk()).decided);
      await slowA.register.transition(people.auditor, 'crowd.risk', '1.0.0', {
        to: 'suspended',
        reason: 'sensor fault',
      });
      await within(500, async () => !(await risk()).decided);
    } finally {
      await slowA.stop();
      await slowB.stop();
    }
  });

  it('fails closed: refuses before start, and when the snapshot goes stale', async () => {
    const clock = { now: () => new Date() };
    const lone = new AlgorithmRegistry({
      db: database.db,
      audit: new AuditLog(clock),
      clock,
      refreshMs: 60_000,
      staleAfterMs: 100,
    });
    const risk = () => lone.runOrFallback('water.quality-class', { sectionId: 'S1' }, rank);
    expect(await risk()).toMatchObject({ decided: false, refusal: { cause: 'register_stale' } });
    await lone.start();
    try {
      await putInUse(a, 'water.quality-class', '1.0.0');
      await lone.refresh();
      expect((await risk()).decided).toBe(true);
      await new Promise((r) => setTimeout(r, 150)); // no refresh for longer than staleAfterMs
      expect(await risk()).toMatchObject({ decided: false, refusal: { cause: 'register_stale' } });
    } finally {
      await lone.stop();
    }
  });
});
