import type { CondState, Evaluator, Reading } from './evaluator.ts';
import { compare, type Predicate, type Subject } from './predicate.ts';
import type { Op } from './rule.schema.ts';

/** State of a threshold: whether it holds, and the latest reading time evaluated (not persisted on its own). */
export interface ThresholdState extends CondState {
  lastT: number;
}

/**
 * A reading crosses the limit → active; a reading back past the clear value → inactive.
 * Readings older than the latest one evaluated describe the past and are skipped as late.
 */
export function threshold(metric: string, predicate: Predicate): Evaluator<ThresholdState> {
  return {
    metrics: new Set([metric]),
    init: () => ({ active: false, lastT: 0 }),
    reading(s, r: Reading, ctx) {
      if (r.metric !== metric) return;
      if (r.t < s.lastT) {
        ctx.late += 1;
        return;
      }
      s.lastT = r.t;
      const facts = { value: r.value, limit: predicate.limit, class: predicate.gbClass };
      if (!s.active && predicate.bad(r.value)) {
        s.active = true;
        ctx.decisions.push({ active: true, at: r.t, validFrom: r.t, facts });
      } else if (s.active && predicate.good(r.value)) {
        s.active = false;
        ctx.decisions.push({ active: false, at: r.t, validFrom: r.t, facts });
      }
    },
    tick() {},
  };
}

/** State of a rate-of-change condition: recent samples [t, value] within the span. */
export interface RateState extends CondState {
  samples: [number, number][];
}

/** Settings of a rate-of-change condition. */
export interface RateSpec {
  metric: string;
  overMs: number;
  mode: 'absolute' | 'percent';
  op: Op;
  value: number;
  clearValue?: number;
}

/** The change since `overMs` ago (against the value known then) crosses the limit. */
export function rateOfChange(spec: RateSpec): Evaluator<RateState> {
  const clear = spec.clearValue ?? spec.value;
  return {
    metrics: new Set([spec.metric]),
    init: () => ({ active: false, samples: [] }),
    reading(s, r: Reading, ctx) {
      if (r.metric !== spec.metric) return;
      const last = s.samples.at(-1);
      if (last && r.t < last[0]) {
        ctx.late += 1;
        return;
      }
      s.samples.push([r.t, r.value]);
      // Base: the latest sample at or before t - over (the value then), else the earliest within the span.
      while (s.samples.length > 1 && s.samples[1]![0] <= r.t - spec.overMs) s.samples.shift();
      const [t0, v0] = s.samples[0]!;
      if (t0 === r.t) return;
      const delta =
        spec.mode === 'absolute' ? r.value - v0 : v0 === 0 ? 0 : ((r.value - v0) / Math.abs(v0)) * 100;
      const facts = { value: r.value, change: Math.round(delta * 1000) / 1000, limit: spec.value };
      if (!s.active && compare(delta, spec.op, spec.value)) {
        s.active = true;
        ctx.decisions.push({ active: true, at: r.t, validFrom: t0, facts });
      } else if (s.active && !compare(delta, spec.op, clear)) {
        s.active = false;
        ctx.decisions.push({ active: false, at: r.t, validFrom: r.t, facts });
      }
    },
    tick() {},
  };
}

/** State of a no-data condition: the last arrival from the device. */
export interface NoDataState extends CondState {
  arrival: number;
}

/**
 * Nothing arrived for `minutes` by the platform clock → active; the next arrival clears it.
 * `since`: a restored state counts silence from then at the earliest (listening since a restart).
 */
export function noData(minutes: number, since?: number): Evaluator<NoDataState> {
  const span = minutes * 60_000;
  return {
    metrics: new Set(),
    init: (arrival) => ({ active: false, arrival }),
    arrived(s, at, ctx) {
      s.arrival = at;
      if (s.active) {
        s.active = false;
        ctx.decisions.push({ active: false, at, validFrom: at, facts: { minutes } });
      }
    },
    reading() {},
    tick(s, now, ctx) {
      if (!s.active && now - s.arrival >= span) {
        s.active = true;
        const facts = { minutes, lastSeen: new Date(s.arrival).toISOString() };
        ctx.decisions.push({ active: true, at: now, validFrom: s.arrival, facts });
      }
    },
    restore(s, subject: Subject) {
      if (subject.lastSeenAt !== null && subject.lastSeenAt > s.arrival) s.arrival = subject.lastSeenAt;
      if (since !== undefined && since > s.arrival) s.arrival = since;
    },
  };
}
