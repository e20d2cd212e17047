import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../../platform/access.ts';
import { ManualClock } from '../../../platform/clock.ts';
import type { Database } from '../../../platform/db/database.ts';
import { testBackends } from '../../../platform/db/testing.ts';
import { openTestSensing } from '../sensing.fixture.ts';
import type { SensingService } from '../sensing.service.ts';
import { IngestBatcher } from './intake.batcher.ts';
import type { IngestResult, RawObservation } from './intake.service.ts';

const now = () => new Date('2025-11-20T12:00:00Z');
const result = (n: number): IngestResult => ({
  received: n,
  deadLettered: 0,
  stored: n,
  duplicates: 0,
  raised: [],
  cleared: [],
});
const body = (v: number) => `{"observedAt":"2025-11-20T12:00:00Z","O2":${v}}`;
const ids = (b: RawObservation[]) => b.map((o) => o.deviceId);
/** Lets every queued microtask and the current turn of the event loop run (no timer fires first). */
const settle = () => new Promise<void>((r) => setImmediate(r));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** An ingest whose batches commit when the test says so (or fail). */
function controlled() {
  const calls: { batch: RawObservation[]; commit(): void; fail(e: Error): void }[] = [];
  const ingest = (batch: RawObservation[]) =>
    new Promise<IngestResult>((resolve, reject) =>
      calls.push({ batch, commit: () => resolve(result(batch.length)), fail: reject }),
    );
  return { calls, ingest };
}

/** Records which submits have settled, and how. */
function track(p: Promise<void>) {
  const t = { state: 'pending' as 'pending' | 'stored' | 'failed', error: undefined as unknown };
  p.then(
    () => {
      t.state = 'stored';
    },
    (e) => {
      t.state = 'failed';
      t.error = e;
    },
  );
  return t;
}

describe('ingest batcher (group commit)', () => {
  it('sends a message that finds it idle at once, without waiting for a timer', async () => {
    const { calls, ingest } = controlled();
    const batcher = new IngestBatcher(ingest, { now });
    const a = track(batcher.submit('a', body(1)));
    // One microtask later (long before any timer could fire) the batch is with ingest.
    await Promise.resolve();
    expect(calls.map((c) => ids(c.batch))).toEqual([['a']]);
    expect(calls[0]!.batch[0]).toMatchObject({ payload: { O2: 1 }, receivedAt: now() });
    expect(a.state).toBe('pending'); // resolves only once its batch is stored
    calls[0]!.commit();
    await settle();
    expect(a.state).toBe('stored');
  });

  it('sends messages that arrive in the same turn of the event loop as one batch', async () => {
    const { calls, ingest } = controlled();
    const batcher = new IngestBatcher(ingest, { now });
    for (const id of ['a', 'b', 'c']) void batcher.submit(id, body(1));
    await settle();
    expect(calls.map((c) => ids(c.batch))).toEqual([['a', 'b', 'c']]);
    calls[0]!.commit();
    await batcher.drain();
  });

  it('accumulates arrivals while a batch commits and sends them together the moment it finishes', async () => {
    const { calls, ingest } = controlled();
    const batcher = new IngestBatcher(ingest, { now, maxConcurrent: 1 });
    const a = track(batcher.submit('a', body(1)));
    await settle();
    const later = [] as ReturnType<typeof track>[];
    for (const id of ['b', 'c', 'd']) {
      later.push(track(batcher.submit(id, body(2))));
      await sleep(5); // separate turns, well apart: nothing goes while a batch is in flight
    }
    expect(calls).toHaveLength(1);
    expect(batcher.queued).toBe(3);
    calls[0]!.commit();
    await settle();
    expect(a.state).toBe('stored');
    expect(later.map((t) => t.state)).toEqual(['pending', 'pending', 'pending']);
    expect(calls.map((c) => ids(c.batch))).toEqual([['a'], ['b', 'c', 'd']]);
    calls[1]!.commit();
    await settle();
    expect(later.map((t) => t.state)).toEqual(['stored', 'stored', 'stored']);
    expect(batcher.inFlight).toBe(0);
  });

  it('caps an accumulated batch at maxBatch observations and keeps arrival order across batches', async () => {
    const { calls, ingest } = controlled();
    const batcher = new IngestBatcher(ingest, { now, maxConcurrent: 1, maxBatch: 3 });
    const all = [batcher.submit('m0', body(0))];
    await settle();
    // m1 carries two observations; a message is never split between batches.
    all.push(batcher.submit('m1', `[${body(1)},${body(1)}]`));
    for (const id of ['m2', 'm3', 'm4', 'm5', 'm6']) all.push(batcher.submit(id, body(2)));
    await settle();
    // Commit each batch as it comes; the next is cut from what accumulated.
    for (let i = 0; i < calls.length; i++) {
      calls[i]!.commit();
      await settle();
    }
    await Promise.all(all);
    expect(calls.map((c) => ids(c.batch))).toEqual([['m0'], ['m1', 'm1', 'm2'], ['m3', 'm4', 'm5'], ['m6']]);
    // Every batch was at most maxBatch, and the observations reached ingest in submit order.
    expect(calls.flatMap((c) => ids(c.batch))).toEqual(['m0', 'm1', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6']);
  });

  it('with two batches in flight, validates the next while the first commits, then waits for room', async () => {
    const { calls, ingest } = controlled();
    const batcher = new IngestBatcher(ingest, { now, maxConcurrent: 2 });
    void batcher.submit('a', body(1));
    await settle();
    void batcher.submit('b', body(1));
    await settle();
    void batcher.submit('c', body(1));
    void batcher.submit('d', body(1));
    await settle();
    expect(calls.map((c) => ids(c.batch))).toEqual([['a'], ['b']]);
    expect(batcher.inFlight).toBe(2);
    calls[0]!.commit();
    await settle();
    expect(calls.map((c) => ids(c.batch))).toEqual([['a'], ['b'], ['c', 'd']]);
    calls[1]!.commit();
    calls[2]!.commit();
    await batcher.drain();
    expect(batcher.inFlight).toBe(0);
  });

  it('waits maxDelayMs for company when asked to, even when idle', async () => {
    const { calls, ingest } = controlled();
    const batcher = new IngestBatcher(ingest, { now, maxDelayMs: 30 });
    void batcher.submit('a', body(1));
    await sleep(5);
    void batcher.submit('b', body(1));
    await settle();
    expect(calls).toHaveLength(0);
    await sleep(40);
    expect(calls.map((c) => ids(c.batch))).toEqual([['a', 'b']]);
    calls[0]!.commit();
    await batcher.drain();
  });

  it('splits arrays and passes invalid JSON on as a dead letter', async () => {
    const batches: RawObservation[][] = [];
    const batcher = new IngestBatcher(
      async (b) => {
        batches.push(b);
        return result(b.length);
      },
      { now },
    );
    await Promise.all([batcher.submit('a', Buffer.from('[{"x":1},{"x":2}]')), batcher.submit('b', '{oops')]);
    expect(batches[0]!.map((o) => [o.deviceId, o.decodeError?.reason ?? 'ok'])).toEqual([
      ['a', 'ok'],
      ['a', 'ok'],
      ['b', 'invalid_json'],
    ]);
  });

  it('rejects exactly the messages of a failed batch (so they are redelivered); later batches go on', async () => {
    const { calls, ingest } = controlled();
    const batcher = new IngestBatcher(ingest, { now, maxConcurrent: 1 });
    const first = [track(batcher.submit('a', body(1))), track(batcher.submit('b', body(1)))];
    await settle();
    const second = track(batcher.submit('c', body(1)));
    calls[0]!.fail(new Error('database down'));
    await settle();
    expect(first.map((t) => t.state)).toEqual(['failed', 'failed']);
    expect((first[0]!.error as Error).message).toBe('database down');
    expect(second.state).toBe('pending');
    expect(calls.map((c) => ids(c.batch))).toEqual([['a', 'b'], ['c']]);
    calls[1]!.commit();
    await batcher.drain();
    expect(second.state).toBe('stored');
  });

  it('rejects the batch when ingest throws before returning a promise', async () => {
    const batcher = new IngestBatcher(
      () => {
        throw new Error('synchronous failure');
      },
      { now },
    );
    await expect(batcher.submit('a', '{}')).rejects.toThrow('synchronous failure');
    await batcher.drain();
  });

  it('drain sends what is queued and waits for every batch', async () => {
    const stored: string[] = [];
    const batcher = new IngestBatcher(
      async (b) => {
        await sleep(5);
        stored.push(...ids(b));
        return result(b.length);
      },
      { now, maxConcurrent: 1, maxDelayMs: 1000 },
    );
    for (const id of ['a', 'b', 'c']) void batcher.submit(id, body(1));
    await batcher.drain();
    expect(stored).toEqual(['a', 'b', 'c']);
    expect(batcher.inFlight + batcher.queued).toBe(0);
  });
});

describe.each(testBackends)('ingest batcher on the real sensing service, %s', (kind) => {
  let database: Database;
  let sensing: SensingService;
  const clock = new ManualClock('2025-11-20T12:00:00+08:00');

  beforeAll(async () => {
    ({ database, sensing } = await openTestSensing(kind, clock));
    for (let d = 0; d < 5; d++) {
      await sensing.devices.register(SYSTEM_PRINCIPAL, {
        id: `cf-${d}`,
        type: 'CrowdFlowObserved',
        name: `counter ${d}`,
        lon: 106.577,
        lat: 29.557,
        metrics: ['peopleCount'],
      });
    }
  });
  afterAll(() => database?.close());

  it('stores every message of a stream arriving over many turns, in batches that grow while commits run', async () => {
    const sizes: number[] = [];
    const batcher = new IngestBatcher(
      (b) => {
        sizes.push(b.length);
        return sensing.ingest(b);
      },
      { now: () => clock.now(), maxConcurrent: 2 },
    );
    const start = Date.parse('2025-11-20T10:00:00+08:00');
    const sent: Promise<void>[] = [];
    // 600 messages, 20 per turn of the event loop (as socket reads hand them over).
    for (let m = 0; m < 600; m++) {
      const observedAt = new Date(start + Math.floor(m / 5) * 1000).toISOString();
      sent.push(batcher.submit(`cf-${m % 5}`, JSON.stringify({ observedAt, peopleCount: m })));
      if (m % 20 === 19) await settle();
    }
    await Promise.all(sent);
    const rows = await sql<{ n: number; s: number }>`
      select count(*)::int as n, sum(value)::float8 as s from sensing_observations
      where device_id like 'cf-%'`.execute(database.db);
    expect(rows.rows[0]).toEqual({ n: 600, s: (599 * 600) / 2 });
    // None lost or repeated; never more batches than turns. On PostgreSQL a commit spans several
    // socket round trips, so turns arriving meanwhile go together (group commit); PGlite (WASM in
    // this process) often commits a batch before the next turn, so its batches can stay one per turn.
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(600);
    expect(sizes.length).toBeLessThanOrEqual(30);
    if (kind === 'postgres') {
      expect(sizes.length).toBeLessThan(30);
      expect(Math.max(...sizes)).toBeGreaterThan(20);
    }
  });
});
