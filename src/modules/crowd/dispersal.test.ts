import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CrowdFileSchema } from './crowd.schema.ts';
import { scenarioCounts } from './demo-scenario.ts';
import { distanceM, planDispersal } from './dispersal.ts';
import { assessArea, riskPoints } from './risk.ts';

const file = CrowdFileSchema.parse(
  JSON.parse(readFileSync(new URL('../../../data/crowd/jiefangbei.json', import.meta.url), 'utf8')),
);

describe('planDispersal', () => {
  const area = file.areas[0]!;
  const risk = assessArea(area, [
    { t: 0, value: 1.5 * area.walkableM2 },
    { t: 60_000, value: 1.6 * area.walkableM2 },
  ]);

  it('officers ∝ excess persons above the target density, with a minimum', () => {
    // forecast (Holt, 2 points) = 1.6 + 15·0.1 = 3.1/m²; excess = (3.1 − 1.08)·9000 = 18,180 → ⌈18180/200⌉ = 91
    const plan = planDispersal([risk], file.areas, [], []);
    expect(plan.points[0]!.excessPersons).toBe(18_180);
    expect(plan.officers).toBe(91);
    const calm = { ...risk, density: 0.5, forecastDensity: 0.5 };
    expect(planDispersal([calm], file.areas, [], []).officers).toBe(4);
    expect(() => planDispersal([{ ...risk, areaId: 'x' }], file.areas, [], [])).toThrow(RangeError);
  });

  it('distance helper: 0.001° of latitude ≈ 111 m', () => {
    expect(distanceM([106.577, 29.557], [106.577, 29.558])).toBeCloseTo(111.2, 1);
  });
});

describe('Jiefangbei story (demo data)', () => {
  const counts = scenarioCounts(file.demoScenario!);
  const risks = file.areas.map((a) => assessArea(a, counts.get(a.id)!));
  const points = riskPoints(risks);
  const plan = planDispersal(points, file.areas, file.metroStations, file.malls);

  it('flags 3 risk points before the critical density', () => {
    expect(points.map((p) => p.areaId).sort()).toEqual(['bayi-road', 'jfb-square', 'minquan-road']);
    for (const p of points) {
      expect(p.level).toBe('warning');
      expect(p.density).toBeLessThan(2.15);
      expect(p.direction).toBe('rising');
    }
  });

  it('80 officers, 2 metro lines limited, 12 malls opening passages, 6 departments', () => {
    expect(plan.officers).toBe(80);
    expect(plan.linesLimited).toEqual(['1', '2']);
    expect(plan.stations.map((s) => s.item.id).sort()).toEqual(['jiaochangkou', 'linjiangmen']);
    expect(plan.malls).toHaveLength(12);
    expect(plan.departments).toHaveLength(6);
    expect(plan.messages).toHaveLength(4);
  });
});
