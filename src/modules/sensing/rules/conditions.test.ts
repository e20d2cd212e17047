import { describe, expect, it } from 'vitest';
import { RuleEngine } from './engine.ts';
import type { Subject } from './predicate.ts';
import { type RuleInput, RuleSchema } from './rule.schema.ts';

const options = { latenessMs: 0, idleCloseMs: 600_000, dayOffsetMinutes: 480 };
const M = 60_000;
const counter: Subject = {
  id: 'cf-jfb-1',
  type: 'CrowdFlowObserved',
  name: '解放碑步行街 1',
  jurisdictionPath: '50/500103/500103001',
  lon: 106.577,
  lat: 29.557,
  sectionName: null,
  targetClass: null,
  waterBody: null,
  lastSeenAt: null,
};

function engineWith(condition: RuleInput['condition']): RuleEngine {
  const rule = RuleSchema.parse({
    id: 'r',
    version: 1,
    name: 'r',
    condition,
    alert: { category: 'security', severity: 'medium', description: '{device} {value}' },
  });
  return new RuleEngine([rule], options);
}

function kinds(engine: RuleEngine, series: [number, string, number][]): string[] {
  return series.flatMap(([t, metric, value]) =>
    engine.onReadings(counter, [{ metric, t: t * M, value }], t * M).map((x) => `${x.kind}@${t}`),
  );
}

describe('rule conditions', () => {
  it('threshold with hysteresis: one raise above 5000, clear only below 4000', () => {
    const engine = engineWith({
      kind: 'threshold',
      metric: 'peopleCount',
      op: '>',
      value: 5000,
      clearValue: 4000,
    });
    const series: [number, string, number][] = [
      [1, 'peopleCount', 4800],
      [2, 'peopleCount', 5200],
      [3, 'peopleCount', 4900],
      [4, 'peopleCount', 5300],
      [5, 'peopleCount', 4100],
      [6, 'peopleCount', 3900],
      [7, 'occupancy', 1],
    ];
    expect(kinds(engine, series)).toEqual(['raise@2', 'clear@6']);
  });

  it('threshold skips readings older than the latest evaluated as late', () => {
    const engine = engineWith({ kind: 'threshold', metric: 'peopleCount', op: '>', value: 10 });
    expect(
      kinds(engine, [
        [5, 'peopleCount', 1],
        [4, 'peopleCount', 99],
      ]),
    ).toEqual([]);
    expect(engine.late).toBe(1);
  });

  it('rate of change: +1000 people within 10 minutes', () => {
    const engine = engineWith({
      kind: 'rate_of_change',
      metric: 'peopleCount',
      overMinutes: 10,
      op: '>=',
      value: 1000,
    });
    const series: [number, string, number][] = [
      [0, 'peopleCount', 1000],
      [5, 'peopleCount', 1500],
      [12, 'peopleCount', 1900], // +900 against the value at minute 2 (1000)
      [16, 'peopleCount', 2600], // +1100 against the value at minute 6 (1500)
      [30, 'peopleCount', 2600], // +0 against the value at minute 20 (2600)
    ];
    expect(kinds(engine, series)).toEqual(['raise@16', 'clear@30']);
  });

  it('no data for N minutes by the clock, cleared by the next reading', () => {
    const engine = engineWith({ kind: 'no_data', minutes: 15 });
    kinds(engine, [[0, 'peopleCount', 1]]);
    expect(engine.onTick(14 * M, [counter])).toEqual([]);
    const raised = engine.onTick(15 * M, [counter]);
    expect(raised.map((t) => t.kind)).toEqual(['raise']);
    expect(engine.onTick(20 * M, [counter])).toEqual([]);
    expect(kinds(engine, [[21, 'peopleCount', 1]])).toEqual(['clear@21']);
  });

  it('composite AND: crowded and slow together', () => {
    const engine = engineWith({
      kind: 'composite',
      op: 'and',
      conditions: [
        { kind: 'threshold', metric: 'occupancy', op: '>', value: 0.8 },
        { kind: 'threshold', metric: 'averageCrowdSpeed', op: '<', value: 0.5 },
      ],
    });
    const series: [number, string, number][] = [
      [1, 'occupancy', 0.9],
      [2, 'averageCrowdSpeed', 0.4],
      [3, 'occupancy', 0.95],
      [4, 'averageCrowdSpeed', 0.9],
    ];
    expect(kinds(engine, series)).toEqual(['raise@2', 'clear@4']);
    // The composite's children persist with it.
    expect(engine.takeDirty()[0]?.state).toMatchObject({
      active: false,
      c: [{ active: true }, { active: false }],
    });
  });

  it('composite OR with a no_data child fires on the clock', () => {
    const engine = engineWith({
      kind: 'composite',
      op: 'or',
      conditions: [
        { kind: 'no_data', minutes: 5 },
        { kind: 'threshold', metric: 'peopleCount', op: '>', value: 100 },
      ],
    });
    kinds(engine, [[0, 'peopleCount', 1]]);
    expect(engine.onTick(6 * M, [counter]).map((t) => t.kind)).toEqual(['raise']);
  });

  it('rejects malformed rules with the reason', () => {
    const bad = RuleSchema.safeParse({
      id: 'Bad Id',
      version: 0,
      name: 'x',
      condition: { kind: 'threshold', metric: 'O2', op: '<' },
      alert: { category: 'environment', severity: 'urgent', description: 'x' },
    });
    expect(bad.success).toBe(false);
    const paths = bad.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['id', 'version', 'alert.severity']));
  });
});
