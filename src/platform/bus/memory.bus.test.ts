import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { Bus } from './bus.types.ts';
import { testSubjects } from './test-subjects.ts';
import { openTestBus, waitFor } from './testing.ts';

type M = typeof testSubjects;

describe('in-process bus', () => {
  let bus: Bus<M>;
  let cleanup: () => Promise<void> = async () => {};
  afterEach(() => cleanup());

  async function open(queueCapacity?: number) {
    const opened = await openTestBus('memory', testSubjects, queueCapacity ? { queueCapacity } : {});
    bus = opened.bus;
    cleanup = opened.cleanup;
  }

  it('never runs a handler inside publish', async () => {
    await open();
    let called = false;
    await bus.subscribe('test.tick', { group: 'g', owner: 't' }, () => {
      called = true;
    });
    await bus.publish('test.tick', { n: 1 });
    expect(called).toBe(false);
    await waitFor(() => called, 'delivery on a later turn');
  });

  it('makes publish wait while a group’s queue is full (back-pressure), then delivers everything', async () => {
    await open(5);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const got: number[] = [];
    await bus.subscribe('test.tick', { group: 'slow', owner: 't', maxInFlight: 1 }, async (e) => {
      await gate;
      got.push(e.payload.n);
    });
    let accepted = 0;
    const publishes = Array.from({ length: 20 }, (_, n) =>
      bus.publish('test.tick', { n }).then(() => accepted++),
    );
    await new Promise((r) => setTimeout(r, 100));
    // One message runs (blocked) and five wait in the queue: the seventh publish is held back.
    expect(accepted).toBe(6);
    release();
    await Promise.all(publishes);
    await waitFor(() => got.length === 20, 'all messages');
    expect(got).toEqual(Array.from({ length: 20 }, (_, n) => n));
  });

  it('counts messages parked behind a busy key, so one hot key still gets back-pressure', async () => {
    await open(5);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const order: number[] = [];
    await bus.subscribe('test.alert.raised', { group: 'hot', owner: 't', maxInFlight: 4 }, async (e) => {
      await gate;
      order.push(e.payload.level);
    });
    let accepted = 0;
    const publishes = Array.from({ length: 30 }, (_, i) =>
      bus
        .publish('test.alert.raised', { deviceId: 'k', level: (i % 5) + 1 }, { key: 'k' })
        .then(() => accepted++),
    );
    await new Promise((r) => setTimeout(r, 100));
    // One runs and three wait behind it in the subscription, five wait in the group's queue.
    expect(accepted).toBe(9);
    release();
    await Promise.all(publishes);
    await waitFor(() => order.length === 30, 'all messages');
    expect(order).toEqual(Array.from({ length: 30 }, (_, i) => (i % 5) + 1));
  });

  it('releases waiting publishers when the group’s last member stops', async () => {
    await open(2);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    await bus.subscribe('test.tick', { group: 'g', owner: 'x', maxInFlight: 1 }, () => gate);
    const publishes = Array.from({ length: 10 }, (_, n) => bus.publish('test.tick', { n }));
    await new Promise((r) => setTimeout(r, 50));
    // stop waits for the running handler, but the blocked publishers are let go at once.
    const stopped = bus.stop('x');
    await Promise.all(publishes);
    release();
    await stopped;
  });

  it('counts messages in the given Prometheus registry, and close waits for running handlers', async () => {
    const registry = new Registry();
    const opened = await openTestBus('memory', testSubjects, { registry });
    let finished = false;
    await opened.bus.subscribe('test.tick', { group: 'm', owner: 't' }, async () => {
      await new Promise((r) => setTimeout(r, 50));
      finished = true;
    });
    await opened.bus.publish('test.tick', { n: 1 });
    await waitFor(() => opened.bus.stats().delivered === 1, 'delivery');
    await opened.cleanup();
    expect(finished).toBe(true);
    const text = await registry.metrics();
    expect(text).toMatch(/citybrain_bus_messages_total\{event="published",group=""\} 1/);
    expect(text).toMatch(/citybrain_bus_messages_total\{event="acked",group="m"\} 1/);
  });

  it('keeps serving when a handler throws synchronously', async () => {
    await open();
    const got: number[] = [];
    await bus.subscribe('test.tick', { group: 'g', owner: 't', maxAttempts: 1 }, (e) => {
      if (e.payload.n === 0) throw new TypeError('boom');
      got.push(e.payload.n);
    });
    await bus.publishBatch([0, 1, 2].map((n) => ({ subject: 'test.tick' as const, payload: { n } })));
    await waitFor(() => got.length === 2, 'the other messages');
    expect(bus.stats().deadLettered).toBe(1);
  });
});
