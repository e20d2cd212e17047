import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetter } from './bus.types.ts';
import { streamNames } from './jetstream.setup.ts';
import { testSubjects } from './test-subjects.ts';
import { openTestBus, testNatsUrl, uniquePrefix, waitFor } from './testing.ts';

const ticks = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ subject: 'test.tick' as const, payload: { n: from + i } }));

describe('JetStream bus', () => {
  let nc: NatsConnection;
  let cleanups: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    nc = await connect({ servers: testNatsUrl });
  });
  afterAll(() => nc.close());
  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups = [];
  });

  async function open(prefix = uniquePrefix(), extra = {}) {
    const opened = await openTestBus('jetstream', testSubjects, { streamPrefix: prefix, ...extra });
    cleanups.push(opened.cleanup);
    return opened.bus;
  }

  it('creates the streams at connect, idempotently, and updates their limits', async () => {
    const prefix = uniquePrefix();
    await open(prefix, { stream: { maxAgeMs: 3_600_000 } });
    await open(prefix, { stream: { maxAgeMs: 7_200_000, duplicateWindowMs: 60_000 } });
    const jsm = await jetstreamManager(nc);
    const names = streamNames(prefix);
    const info = await jsm.streams.info(names.stream);
    expect(info.config).toMatchObject({
      subjects: [`${prefix}.>`],
      storage: 'file',
      max_age: 7_200_000 * 1e6,
    });
    expect((await jsm.streams.info(names.deadLetterStream)).config.subjects).toEqual([`${prefix}_dlq.>`]);
  });

  it('drops a re-published message id inside the duplicate window', async () => {
    const prefix = uniquePrefix();
    const bus = await open(prefix);
    const got: string[] = [];
    await bus.subscribe('test.tick', { group: 'dedupe', owner: 't' }, (e) => void got.push(e.id));
    const id = '7d5c2a0e-5b1d-4a57-9a43-1f1f7c0b2a11';
    await bus.publish('test.tick', { n: 1 }, { id });
    await bus.publish('test.tick', { n: 1 }, { id });
    await bus.publishBatch([{ subject: 'test.tick', payload: { n: 1 }, id }, ...ticks(2, 1)]);
    await waitFor(() => got.length === 2, 'two messages');
    await new Promise((r) => setTimeout(r, 300));
    expect(got).toHaveLength(2);
    expect(got[0]).toBe(id);
    const jsm = await jetstreamManager(nc);
    expect((await jsm.streams.info(streamNames(prefix).stream)).state.messages).toBe(2);
  });

  it('shares one group between two processes’ connections', async () => {
    const prefix = uniquePrefix();
    const [one, two] = [await open(prefix), await open(prefix)];
    const a: number[] = [];
    const b: number[] = [];
    // Both members start at once, racing to create the group's durable consumer.
    await Promise.all([
      one.subscribe('test.tick', { group: 'shared', owner: 'a' }, (e) => void a.push(e.payload.n)),
      two.subscribe(
        'test.tick',
        { group: 'shared', owner: 'b', maxAckPending: 5_000 },
        (e) => void b.push(e.payload.n),
      ),
    ]);
    await one.publishBatch(ticks(0, 2_000));
    await waitFor(() => a.length + b.length >= 2_000, 'all messages', 20_000);
    await new Promise((r) => setTimeout(r, 300));
    expect([...a, ...b].sort((x, y) => x - y)).toEqual(Array.from({ length: 2_000 }, (_, i) => i));
    expect(a.length).toBeGreaterThan(100);
    expect(b.length).toBeGreaterThan(100);
  });

  it('hands a stopped member’s unstarted messages to the group at once, not after ack_wait', async () => {
    const bus = await open();
    const options = { group: 'handoff', ackWaitMs: 30_000 };
    let leaving = 0;
    // The leaving member waits long to fill its batches, so it holds what it pulled unstarted.
    await bus.subscribeBatch(
      'test.tick',
      { ...options, owner: 'leaving', maxBatch: 100, maxWaitMs: 20_000 },
      (b) => {
        leaving += b.length;
      },
    );
    await bus.publishBatch(ticks(0, 50));
    await new Promise((r) => setTimeout(r, 300));
    const staying = new Set<number>();
    await bus.subscribe('test.tick', { ...options, owner: 'staying' }, (e) => void staying.add(e.payload.n));
    await new Promise((r) => setTimeout(r, 300));
    expect(staying.size).toBe(0);
    const stoppedAt = Date.now();
    await bus.stop('leaving');
    await waitFor(() => staying.size === 50, 'the held messages at the staying member', 10_000);
    expect(Date.now() - stoppedAt).toBeLessThan(5_000);
    expect(leaving).toBe(0);
  });

  it('refuses a group that already consumes another pattern', async () => {
    const bus = await open();
    await bus.subscribe('test.tick', { group: 'g', owner: 't' }, () => {});
    await expect(bus.subscribe('test.alert.*', { group: 'g', owner: 't' }, () => {})).rejects.toMatchObject({
      code: 'conflict',
    });
  });

  it('keeps dead letters in the dead-letter stream', async () => {
    const prefix = uniquePrefix();
    const bus = await open(prefix);
    const letters: DeadLetter[] = [];
    const options = {
      group: 'dl',
      owner: 't',
      maxAttempts: 2,
      backoffMs: 10,
      deadLetter: (l: DeadLetter) => void letters.push(l),
    };
    await bus.subscribe('test.tick', options, () => {
      throw new Error('always');
    });
    const sent = await bus.publish('test.tick', { n: 5 });
    await waitFor(() => letters.length === 1, 'dead letter');
    const jsm = await jetstreamManager(nc);
    const stored = await jsm.streams.getMessage(streamNames(prefix).deadLetterStream, {
      last_by_subj: `${prefix}_dlq.dl`,
    });
    expect(stored?.json<DeadLetter>()).toMatchObject({
      reason: 'handler_failed',
      attempts: 2,
      envelope: { id: sent.id },
    });
  });

  it('dead-letters a poison message too big to wrap whole, as an excerpt, and keeps serving', async () => {
    const prefix = uniquePrefix();
    const bus = await open(prefix);
    const letters: DeadLetter[] = [];
    const ok: string[] = [];
    const options = {
      group: 'big',
      owner: 't',
      maxAttempts: 2,
      backoffMs: 10,
      deadLetter: (l: DeadLetter) => void letters.push(l),
    };
    await bus.subscribe('test.alert.raised', options, (e) => {
      if (e.payload.deviceId.length > 100) throw new Error('cannot handle a huge device id');
      ok.push(e.payload.deviceId);
    });
    // The envelope fits under NATS's 1 MiB max_payload; wrapped in its dead letter it does not.
    const huge = await bus.publish('test.alert.raised', { deviceId: 'd'.repeat(1_048_576 - 300), level: 1 });
    await bus.publish('test.alert.raised', { deviceId: 'small', level: 1 });
    await waitFor(() => letters.length === 1 && ok.length === 1, 'dead letter and the next message');
    const jsm = await jetstreamManager(nc);
    const stored = await jsm.streams.getMessage(streamNames(prefix).deadLetterStream, {
      last_by_subj: `${prefix}_dlq.big`,
    });
    const kept = stored?.json<DeadLetter>();
    expect(kept).toMatchObject({
      reason: 'handler_failed',
      attempts: 2,
      error: 'cannot handle a huge device id',
    });
    expect(kept?.raw).toContain(huge.id);
    expect(kept?.raw?.length).toBeLessThan(5_000);
    expect(bus.stats().deadLettered).toBe(1);
  });

  it('redelivers to the surviving member what a killed member held unacked', async () => {
    const prefix = uniquePrefix();
    const bus = await open(prefix);
    const ackWaitMs = 1_500;
    const seen = new Map<number, number>();
    await bus.subscribe('test.tick', { group: 'crashy', owner: 'survivor', ackWaitMs }, (e, ctx) => {
      seen.set(e.payload.n, Math.max(ctx.attempt, seen.get(e.payload.n) ?? 0));
    });
    const script = fileURLToPath(new URL('./jetstream.crash-member.ts', import.meta.url));
    const child = spawn(process.execPath, [script, testNatsUrl, prefix, 'crashy', String(ackWaitMs)]);
    let childGot = 0;
    let ready = false;
    child.stdout.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (line === 'ready') ready = true;
        else if (line.startsWith('got ')) childGot = Number(line.slice(4));
      }
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    cleanups.push(async () => void (child.exitCode === null && child.kill('SIGKILL')));
    await waitFor(() => ready, 'the doomed member to subscribe', 15_000);
    await bus.publishBatch(ticks(0, 1_000));
    await waitFor(() => childGot > 0, 'the doomed member to take messages');
    child.kill('SIGKILL');
    await exited;
    await waitFor(() => seen.size === 1_000, 'every message at the survivor', 20_000);
    const redelivered = [...seen.values()].filter((attempt) => attempt > 1).length;
    expect(redelivered).toBeGreaterThanOrEqual(childGot);
  });
});
