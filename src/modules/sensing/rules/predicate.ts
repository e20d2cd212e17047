import {
  FIWARE_TO_GB3838,
  type Gb3838Class,
  isWorseThan,
  limitOf,
  type WaterBody,
} from '../../water/index.ts';
import type { DeviceType } from '../sensing.catalogue.ts';
import type { Op } from './rule.schema.ts';

/** What a rule needs to know about the device it watches. */
export interface Subject {
  id: string;
  type: DeviceType;
  name: string;
  jurisdictionPath: string;
  lon: number;
  lat: number;
  sectionName: string | null;
  targetClass: Gb3838Class | null;
  waterBody: WaterBody | null;
  /** Last arrival from the device (ms since epoch), if it ever sent anything. */
  lastSeenAt: number | null;
}

/** A compiled test of one value: `bad` raises, `good` clears (they differ with hysteresis). */
export interface Predicate {
  bad(value: number): boolean;
  good(value: number): boolean;
  /** The limit crossed, for descriptions. */
  limit: number;
  /** The GB 3838 class compared with, when the test is a class test. */
  gbClass: Gb3838Class | null;
}

/** Compares `a op b`. */
export function compare(a: number, op: Op, b: number): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '==':
      return a === b;
    case '!=':
      return a !== b;
  }
}

/** The fields of a condition that describe its test. */
export interface PredicateSpec {
  op?: Op;
  value?: number;
  clearValue?: number;
  gb3838?: 'target' | Gb3838Class;
}

/**
 * Compiles the test for one subject; undefined when it cannot apply (a `gb3838: "target"` rule
 * on a device that has no target class, or a metric with no GB 3838 parameter).
 */
export function compilePredicate(
  spec: PredicateSpec,
  metric: string,
  subject: Subject,
): Predicate | undefined {
  if (spec.gb3838 !== undefined) {
    const parameter = FIWARE_TO_GB3838[metric];
    const target = spec.gb3838 === 'target' ? subject.targetClass : spec.gb3838;
    if (!parameter || !target) return undefined;
    const body = subject.waterBody ?? 'river';
    const bad = (v: number) => isWorseThan(parameter, v, target, body);
    return { bad, good: (v) => !bad(v), limit: limitOf(parameter, target, body), gbClass: target };
  }
  const { op, value } = spec;
  if (op === undefined || value === undefined) return undefined;
  const clear = spec.clearValue ?? value;
  return {
    bad: (v) => compare(v, op, value),
    good: (v) => !compare(v, op, clear),
    limit: value,
    gbClass: null,
  };
}
