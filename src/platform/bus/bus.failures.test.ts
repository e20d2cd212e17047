import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import type { Bus, DeadLetter, RawPublisher } from './bus.types.ts';
import { testSubjects } from './test-subjects.ts';
import { openTestBus, waitFor } from './testing.ts';

type M = typeof testSubjects;
const fast = { backoffMs: 20, maxBackoffMs: 100, ackWaitMs: 2_000 };

// The failure half of the contract: bad input, failing handlers, poison messages.
describe.each(['memory', 'jetstream'] as const)('bus contract on %s: failures', (kind) => {
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

  it('a poison message in a batch: only it is dead-lettered after maxAttempts; its batch-mates and later messages flow', async () => {
    await open();
    const letters: DeadLetter[] = [];
    const ok: number[] = [];
    const options = {
      group: 'poison-batch',
      owner: 't',
      maxAttempts: 3,
      maxBatch: 10,
      maxWaitMs: 30,
      ...fast,
      deadLetter: (l: DeadLetter) => void letters.push(l),
    };
    await bus.subscribeBatch('test.tick', options, (batch) => {
      // A handler that cannot process one message fails its whole batch, every time.
      if (batch.some((e) => e.payload.n === 13)) throw new Error('cannot handle 13');
      ok.push(...batch.map((e) => e.payload.n));
    });
    await bus.publishBatch(
      [10, 11, 12, 13, 14, 15].map((n) => ({ subject: 'test.tick', payload: { n } }) as const),
    );
    await waitFor(() => letters.length === 1 && ok.length >= 5, 'the poison dead-lettered, the rest handled');
    await bus.publish('test.tick', { n: 16 });
    await waitFor(() => ok.includes(16), 'a later message');
    await new Promise((r) => setTimeout(r, 300));
    expect(letters.map((l) => [l.envelope?.payload, l.reason, l.attempts])).toEqual([
      [{ n: 13 }, 'handler_failed', 3],
    ]);
    expect([...new Set(ok)].sort()).toEqual([10, 11, 12, 14, 15, 16]);
    expect(bus.stats().deadLettered).toBe(1);
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
    await raw.publishRaw('test.tick', `not json at all {${'x'.repeat(100_000)}`);
    await bus.publish('test.tick', { n: 9 });
    await waitFor(() => letters.length === 2 && seen.length === 1, 'two dead letters');
    expect(letters.map((l) => l.reason)).toEqual(['invalid_message', 'invalid_message']);
    expect(letters[0]?.error).toMatch(/n:/);
    // Dead letters keep a bounded excerpt of what could not be decoded.
    expect(letters[1]?.raw).toMatch(/^"?not json at all \{xxx/);
    expect(letters[1]?.raw?.length).toBeLessThan(4_200);
    expect(seen).toEqual([9]);
  });
});
