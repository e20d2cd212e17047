import { describe, expect, it } from 'vitest';
import { peakVelocity } from './jobson.ts';
import { downstreamPath, RiverNetwork, walkUpstream } from './network.ts';
import { yNetwork } from './water.fixture.ts';

describe('RiverNetwork', () => {
  const net = RiverNetwork.build(yNetwork());
  const [A, B, C] = ['A', 'B', 'C'].map((id) => net.reachIndex(id)) as [number, number, number];

  it('links each reach to its downstream reach and lists upstream reaches', () => {
    expect(net.down[B]).toBe(C);
    expect(net.down[A]).toBe(C);
    expect(net.down[C]).toBe(-1);
    expect([...net.upstream(C)].sort()).toEqual([A, B].sort());
    expect(net.upstream(A).length).toBe(0);
  });

  it('precomputes Jobson velocities per reach', () => {
    expect(net.vMost[C]).toBeCloseTo(peakVelocity({ drainageAreaM2: 5e8, q: 10, qa: 13, slope: 0.001 }), 12);
    expect(net.vMax[C]!).toBeGreaterThan(net.vMost[C]!);
  });

  it('refuses cycles, distributaries and features on unknown reaches', () => {
    const base = yNetwork();
    const cyclic = { ...base, reaches: base.reaches.map((r) => (r.id === 'C' ? { ...r, to: 'hB' } : r)) };
    expect(() => RiverNetwork.build(cyclic)).toThrow(/cycle/);
    const split = { ...base, reaches: [...base.reaches, { ...base.reaches[2]!, id: 'C2' }] };
    expect(() => RiverNetwork.build(split)).toThrow(/distributar/);
    expect(() =>
      RiverNetwork.build(
        yNetwork({ intakes: [{ id: 'x', name: 'x', reach: 'nope', fraction: 0, population: 1 }] }),
      ),
    ).toThrow(/unknown reach/);
  });

  it('walks upstream with negative offset on the origin reach and respects the time bound', () => {
    const seen = new Map<number, number>();
    walkUpstream(
      net,
      { reach: 'C', fraction: 0.5 },
      Number.POSITIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      (r, t, _m, d) => {
        seen.set(r, d);
        if (r === C) expect(t).toBeCloseTo(-5000 / net.vMost[C]!, 9);
      },
    );
    expect(seen.get(C)).toBe(-5000);
    expect(seen.get(B)).toBe(5000);
    // bounded by a travel time shorter than the half reach: only the origin reach
    expect(walkUpstream(net, { reach: 'C', fraction: 0.5 }, 10, Number.POSITIVE_INFINITY, () => {})).toBe(1);
  });

  it('follows the path downstream, summing reach by reach', () => {
    const path = downstreamPath(net, { reach: 'B', fraction: 0.5 });
    expect(path.map((s) => s.reach)).toEqual([B, C]);
    expect(path[1]!.distanceM).toBe(4000);
    expect(path[1]!.timeMostS).toBeCloseTo(4000 / net.vMost[B]!, 9);
  });

  it('interpolates coordinates along a reach', () => {
    const [lon, lat] = net.pointAt({ reach: 'C', fraction: 0.5 });
    expect(lon).toBeCloseTo(0.125, 9);
    expect(lat).toBe(0);
  });
});
