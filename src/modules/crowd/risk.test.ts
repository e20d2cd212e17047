import { describe, expect, it } from 'vitest';
import { assessArea, type CrowdArea, riskPoints } from './risk.ts';

const MIN = 60_000;
const area: CrowdArea = {
  id: 'a',
  name: 'Test square',
  polygon: [
    [0, 0],
    [1, 0],
    [1, 1],
    [0, 0],
  ],
  walkableM2: 1000,
  centre: [0, 0],
};
/** Counts of a linear ramp over the last 20 minutes, one per minute. */
const ramp = (start: number, perMin: number) =>
  Array.from({ length: 21 }, (_, k) => ({ t: k * MIN, value: start + perMin * k }));

describe('assessArea', () => {
  it('steady and sparse: normal', () => {
    const r = assessArea(area, ramp(300, 0));
    expect(r.level).toBe('normal');
    expect(r.losNow).toBe('A');
    expect(r.direction).toBe('steady');
    expect(r.minutesToLosF).toBeUndefined();
  });

  it('warns BEFORE the density is high: LOS C now, LOS E forecast in 15 min', () => {
    const r = assessArea(area, ramp(100, 30));
    // now 100 + 30·20 = 700 → 0.70/m² (C); forecast 700 + 30·15 = 1150 → 1.15/m² (E)
    expect(r.density).toBeCloseTo(0.7, 9);
    expect(r.losNow).toBe('C');
    expect(r.forecastDensity).toBeCloseTo(1.15, 6);
    expect(r.losForecast).toBe('E');
    expect(r.level).toBe('warning');
    expect(r.trendPerMin).toBeCloseTo(0.03, 9);
    expect(r.direction).toBe('rising');
    // LOS F (2.15) in (2.15 − 0.70)/0.03 = 48.3 min; 4/m² in 110 min
    expect(r.minutesToLosF).toBeCloseTo(48.33, 1);
    expect(r.minutesToCritical).toBeCloseTo(110, 1);
  });

  it('attention on a fast rise at LOS C, critical on the forecast or the density', () => {
    // start 200, +25/min → now 700 (0.70/m², C), forecast 700 + 25·15 = 1075 (1.075/m², D), rising 0.025/m²/min
    expect(assessArea(area, ramp(200, 25)).level).toBe('attention');
    // forecast 3000 + 70·15 = 4050 → 4.05/m² ≥ 4 while now 3.0
    const forecastCritical = assessArea(area, ramp(1600, 70));
    expect(forecastCritical.density).toBeCloseTo(3, 9);
    expect(forecastCritical.level).toBe('critical');
    // now 3.5/m² even when falling
    const dense = assessArea(area, ramp(4500, -50));
    expect(dense.level).toBe('critical');
    expect(dense.direction).toBe('falling');
  });

  it('thresholds are configurable; no counts is an error', () => {
    expect(assessArea(area, ramp(100, 30), { thresholds: { warningDensity: 1.5 } }).level).toBe('attention');
    expect(() => assessArea(area, [])).toThrow(RangeError);
  });

  it('risk points: at or above warning, most severe first', () => {
    const list = [
      assessArea({ ...area, id: 'calm' }, ramp(300, 0)),
      assessArea({ ...area, id: 'warn' }, ramp(100, 30)),
      assessArea({ ...area, id: 'crit' }, ramp(1600, 70)),
    ];
    expect(riskPoints(list).map((r) => r.areaId)).toEqual(['crit', 'warn']);
    expect(riskPoints(list, 'normal')).toHaveLength(3);
  });
});
