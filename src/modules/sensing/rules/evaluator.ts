import type { Subject } from './predicate.ts';

/** One stored reading as rules see it: metric, observation time (ms), value. */
export interface Reading {
  metric: string;
  t: number;
  value: number;
}

/** Facts a decision carries into the alert (value, limit, consecutive windows …). */
export type Facts = Record<string, string | number | null>;

/** A condition became active (raise) or inactive (clear) at observation time `at`. */
export interface Decision {
  active: boolean;
  at: number;
  /** When the condition began to hold (first bad window or reading), for the alert's validFrom. */
  validFrom: number;
  facts: Facts;
}

/** Scratch space of one evaluation call: decisions made, whether state must be persisted, late readings skipped. */
export interface Ctx {
  arrival: number;
  dirty: boolean;
  late: number;
  decisions: Decision[];
}

/** Every condition state says whether the condition currently holds. */
export interface CondState {
  active: boolean;
}

/**
 * A condition compiled for one subject. Pure: it only changes the state it is handed and
 * writes into ctx; the engine persists states marked dirty.
 */
export interface Evaluator<S extends CondState = CondState> {
  /** Metrics the condition reads (empty for no_data, which only needs arrivals). */
  readonly metrics: ReadonlySet<string>;
  init(arrival: number): S;
  /** Something arrived from the subject at `at` (clock), new or redelivered; called before its readings. */
  arrived?(state: S, at: number, ctx: Ctx): void;
  reading(state: S, reading: Reading, ctx: Ctx): void;
  tick(state: S, now: number, ctx: Ctx): void;
  /** Brings in-memory fields of a reloaded state up to date (e.g. last arrival from the registry). */
  restore?(state: S, subject: Subject): void;
}

/** A fresh evaluation context. */
export function newCtx(arrival: number): Ctx {
  return { arrival, dirty: false, late: 0, decisions: [] };
}
