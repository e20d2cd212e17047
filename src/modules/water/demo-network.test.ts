import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { predictArrivals, slickMassKg } from './arrival.ts';
import { buildDemoNetwork } from './demo-network.ts';
import { RiverNetwork } from './network.ts';
import { planInputs } from './plan-inputs.ts';
import { traceUpstream } from './trace.ts';

const file = JSON.parse(
  readFileSync(new URL('../../../data/water/chongqing-network.json', import.meta.url), 'utf8'),
);
const net = RiverNetwork.build(file);
const T0 = Date.parse('2025-06-01T08:00:00+08:00');
const H = 3_600_000;

describe('Chongqing demo network', () => {
  it('is what the generator produces from the Natural Earth rivers (deterministic)', () => {
    const rivers = JSON.parse(
      readFileSync(new URL('../../../data/chongqing/rivers.geojson', import.meta.url), 'utf8'),
    );
    expect(JSON.parse(JSON.stringify(buildDemoNetwork(rivers)))).toEqual(file);
  });

  it('drains every reach to the Yangtze; synthesised tributaries are labelled', () => {
    const outlets = [...net.down].filter((d) => d === -1);
    expect(outlets).toHaveLength(1);
    for (const river of ['Qijiang (synthesised)', 'Puhe (synthesised)', 'Ruxi (synthesised)']) {
      const reaches = file.reaches.filter((r: { river: string }) => r.river === river);
      expect(reaches.length).toBeGreaterThan(5);
      expect(reaches.every((r: { synthesised: boolean }) => r.synthesised)).toBe(true);
    }
  });

  it('Qijiang story: low DO at the Puhe Zhaixi bridge section names the two sewage plants upstream', () => {
    const result = traceUpstream(net, {
      at: 'puhe-zhaixi-bridge',
      pollutant: 'O2',
      observedAt: T0,
      onsetAt: T0 - 72 * H,
    });
    const suspects = result.candidates.filter((c) => c.suspect).map((c) => c.source.id);
    expect(suspects).toEqual(['puhe-wwtp-zhaixi', 'puhe-wwtp-puhe']);
    expect(result.candidates.some((c) => c.source.id === 'puhe-building-materials' && !c.suspect)).toBe(true);
  });

  it('Liangping story: food plant 2.3 km upstream first; intake leading edge ~6 h; checklist inputs', () => {
    const at = net.positionOf('ruxi-bridge')!;
    const trace = traceUpstream(net, { at, pollutant: 'oil', observedAt: T0 });
    const top = trace.candidates[0]!;
    expect(top.source.id).toBe('ruxi-food-plant');
    expect(top.distanceM).toBeCloseTo(2300, -1);
    const spill = { at, massKg: slickMassKg(300), releasedAt: T0 };
    const intake = predictArrivals(net, spill).arrivals.find((a) => a.id === 'ruxi-intake')!;
    expect(intake.leadingEdgeS / 3600).toBeGreaterThan(5.8);
    expect(intake.leadingEdgeS / 3600).toBeLessThan(6.2);
    expect(intake.population).toBe(120_000);
    const plan = planInputs(net, { spill, trace, now: T0 + 15 * 60_000 });
    expect(plan.interceptDam.feasible).toBe(true);
    expect(plan.dilutionRelease!.reservoir.id).toBe('ruxi-reservoir');
    expect(plan.dilutionRelease!.inTime).toBe(true);
    expect(plan.stopOrder!.candidate.source.id).toBe('ruxi-food-plant');
  });
});
