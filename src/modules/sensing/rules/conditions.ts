import { type CondState, type Ctx, type Evaluator, newCtx } from './evaluator.ts';
import { noData, rateOfChange, threshold } from './instant.ts';
import { compilePredicate, type Subject } from './predicate.ts';
import type { Condition } from './rule.schema.ts';
import { sustained } from './sustained.ts';

/** Engine-wide settings that conditions need. */
export interface ConditionOptions {
  /** How long after a window ends late readings still count (observation time). */
  latenessMs: number;
  /** A silent subject's windows close by the clock after this long without arrivals. */
  idleCloseMs: number;
  /** Local time zone offset, so day windows start at local midnight (Chongqing: 480). */
  dayOffsetMinutes: number;
  /** No-data rules count silence from this clock time at the earliest (the process's start; see `noDataGraceAtStart`). */
  noDataSince?: number;
}

/** Compiles a condition for one subject; undefined when it cannot apply to that subject. */
export function compileCondition(c: Condition, subject: Subject, o: ConditionOptions): Evaluator | undefined {
  switch (c.kind) {
    case 'threshold': {
      const p = compilePredicate(c, c.metric, subject);
      return p && (threshold(c.metric, p) as Evaluator);
    }
    case 'sustained': {
      const p = compilePredicate(c, c.metric, subject);
      if (!p) return undefined;
      return sustained({
        metric: c.metric,
        windowMs: c.windowMinutes * 60_000,
        offsetMs: c.windowMinutes % 1440 === 0 ? o.dayOffsetMinutes * 60_000 : 0,
        aggregate: c.aggregate,
        consecutive: c.consecutive,
        clearAfter: c.clearAfter,
        latenessMs: o.latenessMs,
        idleCloseMs: o.idleCloseMs,
        predicate: p,
      }) as Evaluator;
    }
    case 'rate_of_change':
      return rateOfChange({ ...c, overMs: c.overMinutes * 60_000 }) as Evaluator;
    case 'no_data':
      return noData(c.minutes, o.noDataSince) as Evaluator;
    case 'composite': {
      const children = c.conditions.map((child) => compileCondition(child, subject, o));
      if (children.some((e) => e === undefined)) return undefined;
      return composite(c.op, children as Evaluator[]);
    }
  }
}

/** State of a composite: its children's states. */
interface CompositeState extends CondState {
  c: CondState[];
}

/** AND/OR over children: re-decided whenever a child decides. */
function composite(op: 'and' | 'or', children: Evaluator[]): Evaluator<CompositeState> {
  const metrics = new Set(children.flatMap((e) => [...e.metrics]));
  const combine = (s: CompositeState, at: number, sub: Ctx, ctx: Ctx) => {
    ctx.dirty ||= sub.dirty || sub.decisions.length > 0;
    ctx.late += sub.late;
    if (sub.decisions.length === 0) return;
    const active = op === 'and' ? s.c.every((x) => x.active) : s.c.some((x) => x.active);
    if (active === s.active) return;
    s.active = active;
    const facts = Object.assign({}, ...sub.decisions.map((d) => d.facts));
    const validFrom = Math.min(...sub.decisions.map((d) => d.validFrom));
    ctx.decisions.push({ active, at, validFrom, facts });
  };
  return {
    metrics,
    init: (arrival) => ({ active: false, c: children.map((e) => e.init(arrival)) }),
    arrived(s, at, ctx) {
      const sub = newCtx(ctx.arrival);
      children.forEach((e, i) => {
        e.arrived?.(s.c[i]!, at, sub);
      });
      combine(s, at, sub, ctx);
    },
    reading(s, r, ctx) {
      const sub = newCtx(ctx.arrival);
      children.forEach((e, i) => {
        e.reading(s.c[i]!, r, sub);
      });
      combine(s, r.t, sub, ctx);
    },
    tick(s, now, ctx) {
      const sub = newCtx(ctx.arrival);
      children.forEach((e, i) => {
        e.tick(s.c[i]!, now, sub);
      });
      combine(s, now, sub, ctx);
    },
    restore(s, subject) {
      children.forEach((e, i) => {
        e.restore?.(s.c[i]!, subject);
      });
    },
  };
}

/** Metrics a condition reads (for validating rules against the catalogue). */
export function conditionMetrics(c: Condition): string[] {
  if (c.kind === 'composite') return c.conditions.flatMap(conditionMetrics);
  return c.kind === 'no_data' ? [] : [c.metric];
}
