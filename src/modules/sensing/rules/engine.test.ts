import { describe, expect, it } from 'vitest';
import { RuleEngine, type Transition } from './engine.ts';
import type { Reading } from './evaluator.ts';
import type { Subject } from './predicate.ts';
import { type Rule, RuleSchema } from './rule.schema.ts';
import { windowStart } from './sustained.ts';

const H = 3_600_000;
const DAY = 24 * H;
const options = { latenessMs: 2 * H, idleCloseMs: 10 * 60_000, dayOffsetMinutes: 480 };
/** Local midnight (UTC+8) of 2025-11-18 in ms. */
const day0 = Date.parse('2025-11-18T00:00:00+08:00');

const station: Subject = {
  id: 'wq-puhe-zhaixi',
  type: 'WaterQualityObserved',
  name: '蒲河寨溪大桥水质站',
  jurisdictionPath: '50/500110/500110001',
  lon: 106.65,
  lat: 29.03,
  sectionName: '蒲河寨溪大桥断面',
  targetClass: 'III',
  waterBody: 'river',
  lastSeenAt: null,
};

const doRule: Rule = RuleSchema.parse({
  id: 'water.do.daily-below-target',
  version: 1,
  name: '溶解氧日均值连续3日低于目标类别',
  scope: { deviceTypes: ['WaterQualityObserved'] },
  condition: { kind: 'sustained', metric: 'O2', gb3838: 'target', consecutive: 3 },
  alert: { category: 'environment', subCategory: 'waterPollution', severity: 'high', description: 'x' },
});

/** 24 hourly O2 readings on local day `d` (0-based from day0) with the given daily mean. */
function day(d: number, mean: number): Reading[] {
  return Array.from({ length: 24 }, (_, h) => ({
    metric: 'O2',
    t: day0 + d * DAY + h * H + 15 * 60_000,
    value: mean + (h % 2 ? 0.3 : -0.3),
  }));
}

function feed(engine: RuleEngine, readings: Reading[]): Transition[] {
  return engine.onReadings(station, readings, readings.at(-1)!.t);
}

describe('rules engine (pure)', () => {
  it('aligns day windows to local midnight', () => {
    expect(windowStart(day0 + 5 * H, DAY, 8 * H)).toBe(day0);
    expect(windowStart(day0 - 1, DAY, 8 * H)).toBe(day0 - DAY);
  });

  it('raises once when the daily mean O2 is below class III for 3 consecutive days, clears on recovery', () => {
    const engine = new RuleEngine([doRule], options);
    const raised: Transition[] = [];
    for (let d = 0; d < 5; d++) raised.push(...feed(engine, day(d, 4.2)));
    // Day 4's own window is still open; days 0–3 closed → raised after the 3rd closed day only.
    expect(raised.map((t) => t.kind)).toEqual(['raise']);
    expect(raised[0]!.facts).toMatchObject({ consecutive: 3, limit: 5, class: 'III', value: 4.2 });
    expect(raised[0]!.validFrom).toBe(day0);
    expect(raised[0]!.at).toBe(day0 + 3 * DAY);
    const after = [...feed(engine, day(5, 6.1)), ...feed(engine, day(6, 6.2))];
    expect(after.map((t) => t.kind)).toEqual(['clear']);
  });

  it('needs the days to be consecutive: a day without data or a good day breaks the run', () => {
    const engine = new RuleEngine([doRule], options);
    const out = [0, 1, 3, 4, 6, 7].flatMap((d) => feed(engine, day(d, 4)));
    expect(out).toEqual([]);
    const engine2 = new RuleEngine([doRule], options);
    const means = [4, 4, 5.2, 4, 4, 6];
    expect(means.flatMap((m, d) => feed(engine2, day(d, m)))).toEqual([]);
  });

  it('counts out-of-order readings within the lateness window and ignores them after it', () => {
    const engine = new RuleEngine([doRule], options);
    const d0 = day(0, 4);
    const reversed = [...d0].reverse();
    feed(engine, reversed.slice(0, 12));
    // A reading of day 0 arriving at 01:00 on day 1 (within 2 h lateness) still counts.
    feed(engine, [{ metric: 'O2', t: day0 + DAY + 30 * 60_000, value: 4 }]);
    feed(engine, reversed.slice(12));
    expect(engine.late).toBe(0);
    // Past 02:00 on day 1 day 0 is closed: a straggler is late and ignored.
    feed(engine, [{ metric: 'O2', t: day0 + DAY + 2 * H + 1, value: 4 }]);
    feed(engine, [{ metric: 'O2', t: day0 + 3 * H, value: 99 }]);
    expect(engine.late).toBe(1);
    const out = [...feed(engine, day(1, 4)), ...feed(engine, day(2, 4)), ...feed(engine, day(3, 4))];
    expect(out.map((t) => [t.kind, t.facts.value])).toEqual([['raise', 4]]);
  });

  it('closes the last window by the clock once the subject falls silent', () => {
    const engine = new RuleEngine([doRule], options);
    for (let d = 0; d < 3; d++) feed(engine, day(d, 4));
    const lastArrival = day0 + 3 * DAY - H;
    expect(engine.onTick(lastArrival + 5 * 60_000, [station])).toEqual([]);
    // Not yet past end of day 2 + lateness.
    expect(engine.onTick(day0 + 3 * DAY + H, [station])).toEqual([]);
    const out = engine.onTick(day0 + 3 * DAY + 2 * H, [station]);
    expect(out.map((t) => t.kind)).toEqual(['raise']);
  });

  it('persists and restores its state: restart between day 2 and day 3 still raises exactly once', () => {
    const first = new RuleEngine([doRule], options);
    feed(first, day(0, 4));
    feed(first, day(1, 4));
    const saved = JSON.parse(JSON.stringify(first.takeDirty()));
    expect(saved).toHaveLength(1);
    const second = new RuleEngine([doRule], options);
    second.load(saved);
    const out = [...feed(second, day(2, 4)), ...feed(second, day(3, 4.5))];
    expect(out.map((t) => t.kind)).toEqual(['raise']);
    expect(second.takeDirty()).toHaveLength(1);
    expect(second.takeDirty()).toHaveLength(0);
  });

  it('starts a new rule version afresh but remembers that it held', () => {
    const engine = new RuleEngine([doRule], options);
    for (let d = 0; d < 4; d++) feed(engine, day(d, 4));
    const v2 = { ...doRule, version: 2, condition: { ...doRule.condition, consecutive: 2 } } as Rule;
    engine.setRules([v2]);
    // Still held under v1: no second raise while it keeps holding, a clear when it recovers.
    expect(feed(engine, day(4, 4))).toEqual([]);
    const out = [...feed(engine, day(5, 7)), ...feed(engine, day(6, 7))];
    expect(out.map((t) => [t.kind, t.rule.version])).toEqual([['clear', 2]]);
  });

  it('applies a gb3838 target rule only to devices with a target class, and honours scope', () => {
    const engine = new RuleEngine([doRule], options);
    const noTarget = { ...station, id: 'wq-x', targetClass: null };
    expect(engine.onReadings(noTarget, day(0, 1), 0)).toEqual([]);
    expect(engine.takeDirty()).toEqual([]);
    const scoped = { ...doRule, scope: { jurisdictionPrefix: '50/500155' } } as Rule;
    const engine2 = new RuleEngine([scoped], options);
    feed(engine2, day(0, 1));
    expect(engine2.takeDirty()).toEqual([]);
  });
});
