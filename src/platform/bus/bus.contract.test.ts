import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import type { Bus } from './bus.types.ts';
import { testSubjects } from './test-subjects.ts';
import { openTestBus, waitFor } from './testing.ts';

type M = typeof testSubjects;
const _fast = { backoffMs: 20, maxBackoffMs: 100, ackWaitMs: 2_000 };

// One contract, two implementations: whatever holds in memory must hold on JetStream.
describe.each(['memory', 'jetstream'] as const)('bus contract on %s', (kind) => {
  let bus: Bus<M>;
  let cleanups: (() => Promise<void>)[] = [];

  async function open(): Promise<Bus<M>> {
    const opened = await openTestBus(kind, testSubjects);
    cleanups.push(opened.cleanup);
    bus = opened.bus;
    return bus;
  }

  afterEach(async () => {
    await Promise.all(cleanups.map((c) => c()));
    cleanups = [];
  });

  it('delivers typed payloads to a subscriber, and wildcard subscribers get the union', async () => {
    await open();
    const raised: { deviceId: string; level: number }[] = [];
    const alerts: string[] = [];
    await bus.subscribe('test.alert.raised', { group: 'raised', owner: 't' }, (e) => {
      expectTypeOf(e.payload).toEqualTypeOf<{ deviceId: string; level: number }>();
      raised.push(e.payload);
    });
    await bus.subscribe('test.alert.*', { group: 'alerts', owner: 't' }, (e) => {
      if (e.subject === 'test.alert.cleared') expect(e.payload.at).toBeInstanceOf(Date);
      alerts.push(e.subject);
    });
    const sent = await bus.publish('test.alert.raised', { deviceId: 'd1', level: 3 }, { key: 'd1' });
    await bus.publish('test.alert.cleared', { deviceId: 'd1', at: '2025-11-20T08:00:00Z' });
    await bus.publish('test.tick', { n: 1 });
    await waitFor(() => raised.length === 1 && alerts.length === 2, 'deliveries');
    expect(raised).toEqual([{ deviceId: 'd1', level: 3 }]);
    expect(alerts.sort()).toEqual(['test.alert.cleared', 'test.alert.raised']);
    expect(sent).toMatchObject({ subject: 'test.alert.raised', key: 'd1' });
    expect(sent.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('splits one group between its subscribers (no loss, no duplicates) and gives every group all', async () => {
    await open();
    const a: number[] = [];
    const b: number[] = [];
    const other: number[] = [];
    // Each member yields before recording, so both get a share even within one process.
    const member = (into: number[]) => async (e: { payload: { n: number } }) => {
      await new Promise((r) => setImmediate(r));
      into.push(e.payload.n);
    };
    await bus.subscribe('test.tick', { group: 'workers', owner: 'a' }, member(a));
    await bus.subscribe('test.tick', { group: 'workers', owner: 'b' }, member(b));
    await bus.subscribe('test.tick', { group: 'audit', owner: 'c' }, (e) => void other.push(e.payload.n));
    const n = 2_000;
    await bus.publishBatch(
      Array.from({ length: n }, (_, i) => ({ subject: 'test.tick' as const, payload: { n: i } })),
    );
    await waitFor(() => a.length + b.length >= n && other.length >= n, 'all messages', 20_000);
    await new Promise((r) => setTimeout(r, 200));
    const shared = [...a, ...b].sort((x, y) => x - y);
    expect(shared).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBeGreaterThan(0);
    expect(new Set(other).size).toBe(n);
    expect(other).toHaveLength(n);
  });

  it('stops delivering to an owner after stop(owner), and others go on', async () => {
    await open();
    const mine: number[] = [];
    const theirs: number[] = [];
    await bus.subscribe('test.tick', { group: 'mine', owner: 'me' }, (e) => void mine.push(e.payload.n));
    await bus.subscribe(
      'test.tick',
      { group: 'theirs', owner: 'them' },
      (e) => void theirs.push(e.payload.n),
    );
    await bus.publish('test.tick', { n: 1 });
    await waitFor(() => mine.length === 1 && theirs.length === 1, 'first message');
    await bus.stop('me');
    await bus.publish('test.tick', { n: 2 });
    await waitFor(() => theirs.length === 2, 'second message');
    await new Promise((r) => setTimeout(r, 200));
    expect(mine).toEqual([1]);
  });

  it('runs messages of one key one at a time, in order', async () => {
    await open();
    const order: number[] = [];
    let running = 0;
    let overlap = false;
    await bus.subscribe('test.alert.raised', { group: 'keyed', owner: 't', maxInFlight: 8 }, async (e) => {
      if (++running > 1) overlap = true;
      await new Promise((r) => setTimeout(r, 2));
      order.push(e.payload.level);
      running--;
    });
    for (let level = 1; level <= 5; level++)
      await bus.publish('test.alert.raised', { deviceId: 'd', level }, { key: 'd' });
    await waitFor(() => order.length === 5, 'keyed messages');
    expect(overlap).toBe(false);
    expect(order).toEqual([1, 2, 3, 4, 5]);
  });

  it('hands batches of at most maxBatch to a batch subscriber', async () => {
    await open();
    const sizes: number[] = [];
    const got = new Set<number>();
    await bus.subscribeBatch(
      'test.tick',
      { group: 'batch', owner: 't', maxBatch: 100, maxWaitMs: 20 },
      (batch) => {
        sizes.push(batch.length);
        for (const e of batch) got.add(e.payload.n);
      },
    );
    await bus.publishBatch(
      Array.from({ length: 1_000 }, (_, i) => ({ subject: 'test.tick' as const, payload: { n: i } })),
    );
    await waitFor(() => got.size === 1_000, 'all batched messages');
    expect(Math.max(...sizes)).toBeLessThanOrEqual(100);
    expect(sizes.length).toBeLessThan(1_000);
  });
});
