import type { CondState, Ctx, Evaluator, Reading } from './evaluator.ts';
import type { Predicate } from './predicate.ts';

/** Accumulator of one window: [count, sum, min, max]. */
type Acc = [number, number, number, number];

/** State of a sustained condition: open windows, the last closed one, and the run counters. */
export interface SustainedState extends CondState {
  /** Open windows by start (ms, as a string key so the state is plain JSON). */
  w: Record<string, Acc>;
  /** Start of the last closed window; readings for it or earlier are too late. */
  closed: number | null;
  bad: number;
  good: number;
  runStart: number | null;
  /** Latest observation time seen: the subject's event-time watermark before lateness. */
  maxT: number;
  /** Last arrival (platform clock), to close windows of a subject that fell silent. */
  arrival: number;
}

/** Settings of a sustained condition compiled for one subject. */
export interface SustainedSpec {
  metric: string;
  windowMs: number;
  offsetMs: number;
  aggregate: 'mean' | 'min' | 'max' | 'sum' | 'count';
  consecutive: number;
  clearAfter: number;
  latenessMs: number;
  idleCloseMs: number;
  predicate: Predicate;
}

/** Start of the tumbling window holding `t`; `offsetMs` aligns day windows to local midnight (UTC+8 → 8 h). */
export function windowStart(t: number, windowMs: number, offsetMs: number): number {
  return Math.floor((t + offsetMs) / windowMs) * windowMs - offsetMs;
}

function aggregate(acc: Acc, kind: SustainedSpec['aggregate']): number {
  const [n, sum, min, max] = acc;
  if (kind === 'mean') return sum / n;
  if (kind === 'min') return min;
  if (kind === 'max') return max;
  return kind === 'sum' ? sum : n;
}

/**
 * Tumbling windows on observation time. A window [s, s+W) closes once the subject's latest
 * observation is past s+W+lateness (or, when the subject has been silent for `idleCloseMs`,
 * once the clock is). Readings for a closed window are counted as late and ignored; windows
 * with no data break a run (a day without readings cannot be assessed).
 */
export function sustained(spec: SustainedSpec): Evaluator<SustainedState> {
  const close = (s: SustainedState, watermark: number, ctx: Ctx) => {
    const due = Object.keys(s.w)
      .map(Number)
      .filter((start) => start + spec.windowMs <= watermark)
      .sort((a, b) => a - b);
    for (const start of due) {
      const value = aggregate(s.w[start]!, spec.aggregate);
      delete s.w[start];
      if (s.closed !== null && start !== s.closed + spec.windowMs) {
        s.bad = 0;
        s.good = 0;
        s.runStart = null;
      }
      s.closed = start;
      ctx.dirty = true;
      const end = start + spec.windowMs;
      if (spec.predicate.bad(value)) {
        s.bad += 1;
        s.good = 0;
        s.runStart ??= start;
      } else {
        s.bad = 0;
        s.runStart = null;
        s.good = spec.predicate.good(value) ? s.good + 1 : 0;
      }
      const facts = {
        value: round(value),
        consecutive: s.bad,
        limit: spec.predicate.limit,
        class: spec.predicate.gbClass,
        windowStart: start,
      };
      if (!s.active && s.bad >= spec.consecutive) {
        s.active = true;
        ctx.decisions.push({ active: true, at: end, validFrom: s.runStart ?? start, facts });
      } else if (s.active && s.good >= spec.clearAfter) {
        s.active = false;
        ctx.decisions.push({ active: false, at: end, validFrom: start, facts });
      }
    }
  };
  return {
    metrics: new Set([spec.metric]),
    init: (arrival) => ({
      active: false,
      w: {},
      closed: null,
      bad: 0,
      good: 0,
      runStart: null,
      maxT: 0,
      arrival,
    }),
    reading(s, r: Reading, ctx) {
      if (r.metric !== spec.metric) return;
      const start = windowStart(r.t, spec.windowMs, spec.offsetMs);
      if (s.closed !== null && start <= s.closed) {
        ctx.late += 1;
        return;
      }
      const acc = s.w[start];
      if (acc) {
        acc[0] += 1;
        acc[1] += r.value;
        if (r.value < acc[2]) acc[2] = r.value;
        if (r.value > acc[3]) acc[3] = r.value;
      } else s.w[start] = [1, r.value, r.value, r.value];
      if (r.t > s.maxT) s.maxT = r.t;
      s.arrival = ctx.arrival;
      ctx.dirty = true;
      close(s, s.maxT - spec.latenessMs, ctx);
    },
    tick(s, now, ctx) {
      if (now - s.arrival >= spec.idleCloseMs) close(s, now - spec.latenessMs, ctx);
    },
  };
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
