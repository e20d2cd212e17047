import { describe, expect, it } from 'vitest';
import { AckWindow } from './ack-window.ts';
import { observationTopic, parseObservationTopic, sharedFilter } from './topics.ts';

describe('AckWindow', () => {
  it('acks in arrival order, whatever order handlers finish in', () => {
    const acked: number[] = [];
    const window = new AckWindow(10, (id) => acked.push(id));
    const [a, b, c] = [1, 2, 3].map((id) => window.begin(id));
    c!.settle(true);
    b!.settle(true);
    expect(acked).toEqual([]);
    a!.settle(true);
    expect(acked).toEqual([1, 2, 3]);
  });

  it('never acks a failed message, nor anything behind it, until reset', () => {
    const acked: number[] = [];
    const window = new AckWindow(10, (id) => acked.push(id));
    const [a, b] = [1, 2].map((id) => window.begin(id));
    a!.settle(false);
    b!.settle(true);
    expect(acked).toEqual([]);
    expect(window.unacked).toBe(2);
    window.reset(); // the connection dropped: the broker redelivers both
    expect(window.unacked).toBe(0);
    window.begin(7).settle(true);
    expect(acked).toEqual([7]);
  });

  it('does not ack for a QoS 0 message, and a stale ticket cannot ack on a new connection', () => {
    const acked: number[] = [];
    const window = new AckWindow(10, (id) => acked.push(id));
    window.begin().settle(true);
    const stale = window.begin(5);
    window.reset();
    stale.settle(true);
    expect(acked).toEqual([]);
  });

  it('holds starts beyond the limit until a slot is released', () => {
    const window = new AckWindow(2, () => {});
    const started: number[] = [];
    const tickets = new Map<number, ReturnType<AckWindow['begin']>>();
    for (const n of [1, 2, 3, 4]) {
      window.whenFree(() => {
        started.push(n);
        tickets.set(n, window.begin(n));
      });
    }
    expect(started).toEqual([1, 2]);
    tickets.get(1)!.settle(true); // settling alone frees nothing: the work may still be running
    expect(started).toEqual([1, 2]);
    tickets.get(1)!.release();
    expect(started).toEqual([1, 2, 3]);
    expect(window.size).toBe(2);
  });

  it('counts handled messages stuck behind an unacked head against the limit', () => {
    const window = new AckWindow(2, () => {});
    const head = window.begin(1);
    const next = window.begin(2);
    next.settle(true);
    next.release(); // its work is over, but its ack waits behind the head
    let started = false;
    window.whenFree(() => {
      started = true;
    });
    expect(started).toBe(false);
    head.settle(true); // both acks go out: room again
    expect(started).toBe(true);
  });
});

describe('topics', () => {
  it('builds and parses the observation topic', () => {
    expect(observationTopic('cq-aq-0042')).toBe('citybrain/v1/devices/cq-aq-0042/observations');
    expect(parseObservationTopic('citybrain/v1/devices/cq-aq-0042/observations')).toBe('cq-aq-0042');
    expect(parseObservationTopic('citybrain/v1/devices/a/b/observations')).toBeNull();
    expect(parseObservationTopic('citybrain/v1/devices/a/status')).toBeNull();
    expect(sharedFilter('ingest', 'x/+')).toBe('$share/ingest/x/+');
  });

  it('refuses ids that would widen a topic', () => {
    for (const bad of ['', 'a/b', '+', '#']) expect(() => observationTopic(bad)).toThrow();
    expect(() => sharedFilter('a/b', 'x')).toThrow();
  });
});
