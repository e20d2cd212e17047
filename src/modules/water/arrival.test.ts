import { describe, expect, it } from 'vitest';
import { predictArrivals } from './arrival.ts';
import { peakConcentration, predictReach, unitPeakConcentration } from './jobson.ts';
import { RiverNetwork } from './network.ts';
import { yNetwork } from './water.fixture.ts';

const T0 = Date.parse('2025-06-01T08:00:00+08:00');

describe('predictArrivals', () => {
  const net = RiverNetwork.build(yNetwork());
  const [B, C] = [net.reachIndex('B'), net.reachIndex('C')];

  it('on one reach equals Jobson for that reach', () => {
    const { arrivals } = predictArrivals(net, {
      at: { reach: 'C', fraction: 0.1 },
      massKg: 500,
      releasedAt: T0,
    });
    expect(arrivals.map((a) => a.id)).toEqual(['sec', 'intake']);
    const intake = arrivals[1]!;
    const reach = { drainageAreaM2: 5e8, q: 10, qa: 13, slope: 0.001 };
    const expected = predictReach(reach, 8500, 500);
    expect(intake.distanceM).toBeCloseTo(8500, 9);
    expect(intake.peakS).toBeCloseTo(expected.peakS, 6);
    expect(intake.leadingEdgeS).toBeCloseTo(expected.leadingEdgeS, 6);
    expect(intake.peakConcentrationMgL).toBeCloseTo(expected.peakConcentrationMgL, 9);
    expect(intake.trailingS).toBeCloseTo(expected.leadingEdgeMostProbableS + expected.passageS, 6);
    expect(intake.leadingEdgeAt).toBeCloseTo(T0 + expected.leadingEdgeS * 1000, 0);
    expect(intake.population).toBe(50_000);
  });

  it('sums reach by reach across a confluence and uses Q at the arrival reach', () => {
    const { arrivals, path } = predictArrivals(net, {
      at: { reach: 'B', fraction: 0.5 },
      massKg: 1000,
      releasedAt: T0,
    });
    expect(path).toHaveLength(2);
    const intake = arrivals.find((a) => a.id === 'intake')!;
    const tp = 4000 / net.vMost[B]! + 9500 / net.vMost[C]!;
    const tmax = 4000 / net.vMax[B]! + 9500 / net.vMax[C]!;
    expect(intake.peakS).toBeCloseTo(tp, 6);
    expect(intake.leadingEdgeS).toBeCloseTo(0.89 * tmax, 6);
    const cup = unitPeakConcentration(tp / 3600, 10, 13);
    expect(intake.peakConcentrationMgL).toBeCloseTo(peakConcentration(cup, 1000, 10), 9);
    expect(intake.leadingEdgeS).toBeLessThan(intake.peakS);
    expect(arrivals[0]!.id).toBe('sec');
  });

  it('ignores what lies above the spill on its own reach; bounds; decay', () => {
    expect(
      predictArrivals(net, { at: { reach: 'C', fraction: 0.96 }, massKg: 1, releasedAt: T0 }).arrivals,
    ).toHaveLength(0);
    expect(
      predictArrivals(net, { at: { reach: 'B', fraction: 0 }, massKg: 1, releasedAt: T0, maxDistanceM: 7000 })
        .arrivals,
    ).toHaveLength(0);
    const plain = predictArrivals(net, { at: { reach: 'C', fraction: 0 }, massKg: 1, releasedAt: T0 })
      .arrivals[1]!;
    const decayed = predictArrivals(net, {
      at: { reach: 'C', fraction: 0 },
      massKg: 1,
      releasedAt: T0,
      t90H: 1,
    }).arrivals[1]!;
    expect(decayed.peakConcentrationMgL).toBeCloseTo(
      plain.peakConcentrationMgL * 10 ** (-plain.peakS / 3600),
      12,
    );
  });
});
