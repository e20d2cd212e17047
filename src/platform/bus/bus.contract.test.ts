import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { AppError } from '../errors.ts';
import type { Bus, DeadLetter, RawPublisher } from './bus.types.ts';
import { testSubjects } from './test-subjects.ts';
import { openTestBus, waitFor } from './testing.ts';

type M = typeof testSubjects;
const fast = { backoffMs: 20, maxBackoffMs: 100, ackWaitMs: 2_000 };

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

  it('refuses an invalid payload or unknown subject at publish, sending nothing', async () => {
    await open();
    const got: number[] = [];
    await bus.subscribe('test.tick', { group: 'g', owner: 't' }, (e) => void got.push(e.payload.n));
    // @ts-expect-error the payload type is checked at compile time too
    await expect(bus.publish('test.tick', { n: 'one' })).rejects.toThrow(AppError);
    // @ts-expect-error unknown subject
    await expect(bus.publish('test.nope', {})).rejects.toMatchObject({ code: 'invalid_data' });
    const batch = [
      { subject: 'test.tick', payload: { n: 1 } },
      { subject: 'test.tick', payload: { n: 1.5 } },
    ] as const;
    await expect(bus.publishBatch(batch)).rejects.toThrow(/invalid payload/);
    await bus.publish('test.tick', { n: 2 });
    await waitFor(() => got.length === 1, 'the valid message');
    await new Promise((r) => setTimeout(r, 100));
    expect(got).toEqual([2]);
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

  it('redelivers after a handler failure until it succeeds', async () => {
    await open();
    const attempts: number[] = [];
    await bus.subscribe('test.tick', { group: 'flaky', owner: 't', ...fast }, (_e, ctx) => {
      attempts.push(ctx.attempt);
      if (ctx.attempt < 3) throw new Error('not yet');
    });
    await bus.publish('test.tick', { n: 7 });
    await waitFor(() => attempts.length === 3, 'three attempts');
    await new Promise((r) => setTimeout(r, 300));
    expect(attempts).toEqual([1, 2, 3]);
    expect(bus.stats()).toMatchObject({ retried: 2, acked: 1, deadLettered: 0 });
  });

  it('dead-letters a poison message after maxAttempts and keeps serving others', async () => {
    await open();
    const letters: DeadLetter[] = [];
    const ok: number[] = [];
    let tries = 0;
    const options = {
      group: 'poison',
      owner: 't',
      maxAttempts: 3,
      ...fast,
      deadLetter: (l: DeadLetter) => void letters.push(l),
    };
    await bus.subscribe('test.tick', options, (e) => {
      if (e.payload.n === 13) {
        tries++;
        throw new Error('cannot handle 13');
      }
      ok.push(e.payload.n);
    });
    await bus.publish('test.tick', { n: 13 });
    await bus.publish('test.tick', { n: 14 });
    await waitFor(() => letters.length === 1 && ok.length === 1, 'dead letter');
    await new Promise((r) => setTimeout(r, 300));
    expect(tries).toBe(3);
    expect(letters[0]).toMatchObject({
      group: 'poison',
      reason: 'handler_failed',
      attempts: 3,
      error: 'cannot handle 13',
    });
    expect(letters[0]?.envelope?.payload).toEqual({ n: 13 });
  });

  it('dead-letters a message that fails validation at consume, without calling the handler', async () => {
    await open();
    const letters: DeadLetter[] = [];
    const seen: number[] = [];
    await bus.subscribe(
      'test.tick',
      { group: 'v', owner: 't', deadLetter: (l) => void letters.push(l) },
      (e) => {
        seen.push(e.payload.n);
      },
    );
    const raw = bus as unknown as RawPublisher;
    await raw.publishRaw('test.tick', {
      id: 'x1',
      subject: 'test.tick',
      occurredAt: 'now',
      payload: { n: 'nine' },
    });
    await raw.publishRaw('test.tick', 'not json at all {');
    await bus.publish('test.tick', { n: 9 });
    await waitFor(() => letters.length === 2 && seen.length === 1, 'two dead letters');
    expect(letters.map((l) => l.reason)).toEqual(['invalid_message', 'invalid_message']);
    expect(letters[0]?.error).toMatch(/n:/);
    expect(seen).toEqual([9]);
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
