import { describe, expect, it } from 'vitest';
import { RiverNetwork } from './network.ts';
import { pollutantMatches, traceUpstream } from './trace.ts';
import { yNetwork } from './water.fixture.ts';

const T0 = Date.parse('2025-06-01T00:00:00+08:00');
const H = 3_600_000;

describe('traceUpstream', () => {
  const net = RiverNetwork.build(yNetwork());

  it('finds only sources upstream, ranks the pollutant match first, explains each', () => {
    const result = traceUpstream(net, { at: 'sec', pollutant: 'O2', observedAt: T0 });
    const ids = result.candidates.map((c) => c.source.id);
    expect(ids).not.toContain('below');
    expect(ids[0]).toBe('plant');
    expect(result.candidates[0]!.suspect).toBe(true);
    expect(result.candidates.find((c) => c.source.id === 'plating')!.suspect).toBe(false);
    expect(result.candidates[0]!.explanation.join('\n')).toMatch(/explains O2/);
    expect(result.candidates.reduce((s, c) => s + c.share, 0)).toBeCloseTo(1, 12);
  });

  it('computes distance, Jobson travel time, decay and dilution for a candidate', () => {
    const [B, C] = [net.reachIndex('B'), net.reachIndex('C')];
    const plant = traceUpstream(net, { at: 'sec', pollutant: 'NH4', observedAt: T0 }).candidates.find(
      (c) => c.source.id === 'plant',
    )!;
    expect(plant.distanceM).toBeCloseTo(4000 + 5000, 9);
    const tp = 4000 / net.vMost[B]! + 5000 / net.vMost[C]!;
    expect(plant.travelTimeS).toBeCloseTo(tp, 6);
    expect(plant.earliestS).toBeCloseTo(0.89 * (4000 / net.vMax[B]! + 5000 / net.vMax[C]!), 6);
    expect(plant.factors.decay).toBeCloseTo(10 ** (-tp / (120 * 3600)), 12);
    expect(plant.factors.dilution).toBeCloseTo(6 / 10, 12);
    expect(plant.score).toBeCloseTo(plant.factors.decay * 0.6, 12);
  });

  it('raises a source whose own monitor reported the pollutant, with consistent timing', () => {
    const monitored = yNetwork();
    monitored.pollutionSources = [
      ...monitored.pollutionSources!.filter((s) => s.id !== 'garage'),
      {
        id: 'plant2',
        name: 'Second plant',
        kind: 'sewage_plant',
        reach: 'A',
        fraction: 0.5,
        pollutants: ['cod', 'NH4'],
        monitoring: {
          online: true,
          exceedances: [{ pollutant: 'NH4', from: new Date(T0 - 6 * H).toISOString() }],
        },
      },
    ];
    const net2 = RiverNetwork.build(monitored);
    const r = traceUpstream(net2, { at: 'sec', pollutant: 'O2', observedAt: T0, onsetAt: T0 - 2 * H });
    expect(r.candidates[0]!.source.id).toBe('plant2');
    expect(r.candidates[0]!.factors.monitoring).toBe(2);
    expect(r.candidates[0]!.factors.timing).toBe(1);
    // An exceedance that started long after the onset cannot explain it: timing drops.
    const late = yNetwork();
    late.pollutionSources = [
      {
        id: 'late',
        name: 'Late plant',
        kind: 'sewage_plant',
        reach: 'A',
        fraction: 0.5,
        pollutants: ['cod'],
        monitoring: {
          online: true,
          exceedances: [{ pollutant: 'cod', from: new Date(T0 + 30 * H).toISOString() }],
        },
      },
    ];
    const c = traceUpstream(RiverNetwork.build(late), {
      at: 'sec',
      pollutant: 'O2',
      observedAt: T0 + 40 * H,
      onsetAt: T0,
    }).candidates[0]!;
    expect(c.factors.timing).toBeLessThan(0.01);
  });

  it('an online monitor that reported nothing lowers the source', () => {
    const quiet = yNetwork();
    quiet.pollutionSources = quiet.pollutionSources!.map((s) =>
      s.id === 'plant' ? { ...s, monitoring: { online: true, exceedances: [] } } : s,
    );
    const c = traceUpstream(RiverNetwork.build(quiet), {
      at: 'sec',
      pollutant: 'O2',
      observedAt: T0,
    }).candidates.find((x) => x.source.id === 'plant')!;
    expect(c.factors.monitoring).toBe(0.5);
  });

  it('bounds the walk by travel time and distance', () => {
    expect(
      traceUpstream(net, { at: 'sec', pollutant: 'O2', observedAt: T0, maxDistanceM: 4000 }).candidates,
    ).toHaveLength(0);
    expect(
      traceUpstream(net, {
        at: { reach: 'B', fraction: 0.6 },
        pollutant: 'O2',
        observedAt: T0,
      }).candidates.map((c) => c.source.id),
    ).toEqual(['plant', 'plating']);
    expect(() => traceUpstream(net, { at: 'nope', pollutant: 'O2', observedAt: T0 })).toThrow(RangeError);
  });

  it('matches low DO to oxygen-demanding discharges', () => {
    expect(pollutantMatches('O2', ['NH4'])).toBe(true);
    expect(pollutantMatches('oil', ['bod'])).toBe(false);
    expect(pollutantMatches('oil', ['Oil'])).toBe(true);
  });
});
