import { describe, expect, it } from 'vitest';
import { peakVelocity } from './jobson.ts';
import { RiverNetwork } from './network.ts';
import { planInputs } from './plan-inputs.ts';
import { traceUpstream } from './trace.ts';
import { yNetwork } from './water.fixture.ts';

const T0 = Date.parse('2025-06-01T08:00:00+08:00');
const H = 3600;

describe('planInputs', () => {
  const net = RiverNetwork.build(yNetwork());
  const spill = { at: { reach: 'B', fraction: 0 }, massKg: 1000, releasedAt: T0 };

  it('places the dam above the intake when the leading edge leaves the mobilisation time', () => {
    const plan = planInputs(net, { spill, mobilisationS: 2 * H, setbackM: 1000 });
    expect(plan.intake.id).toBe('intake');
    const dam = plan.interceptDam;
    expect(dam.distanceAboveIntakeM).toBeCloseTo(1000, 6);
    expect(dam.position.reach).toBe('C');
    expect(dam.position.fraction).toBeCloseTo(0.85, 9);
    expect(dam.feasible).toBe(true);
    expect(dam.marginS).toBeCloseTo((dam.leadingEdgeAt - T0) / 1000 - 2 * H, 6);
    // the upstream limit is where the leading edge arrives exactly at the deadline
    expect(dam.upstreamLimit!.leadingEdgeAt).toBeCloseTo(T0 + 2 * H * 1000, -1);
    expect(dam.upstreamLimit!.distanceAboveIntakeM).toBeGreaterThan(dam.distanceAboveIntakeM);
  });

  it('says so when no dam can be ready in time', () => {
    const late = planInputs(net, { spill, mobilisationS: 20 * H });
    expect(late.interceptDam.feasible).toBe(false);
    expect(late.interceptDam.upstreamLimit).toBeUndefined();
    expect(late.interceptDam.explanation).toMatch(/close the intake/);
  });

  it('proposes the tributary reservoir joining above the intake, with start time and dilution', () => {
    const plan = planInputs(net, { spill, now: T0 });
    const release = plan.dilutionRelease!;
    expect(release.reservoir.id).toBe('res');
    // kinematic wave at Q + 10 m³/s: celerity 5/3 · Jobson most-probable velocity, reach by reach
    const wave = (q: number, qa: number, da: number, s: number) =>
      (5 / 3) * peakVelocity({ drainageAreaM2: da, q: q + 10, qa, slope: s });
    const travel = 5000 / wave(4, 5, 2e8, 0.002) + 9500 / wave(10, 13, 5e8, 0.001);
    expect(release.travelTimeToIntakeS).toBeCloseTo(travel, 6);
    expect(release.dilutionFactor).toBeCloseTo(10 / 20, 12);
    expect(release.peakAfterMgL).toBeCloseTo(plan.arrival.peakConcentrationMgL / 2, 12);
    expect(release.startAt).toBe(Math.max(T0, plan.arrival.leadingEdgeAt - travel * 1000));
  });

  it('orders the top suspect enterprise to stop', () => {
    const trace = traceUpstream(net, { at: { reach: 'C', fraction: 0.2 }, pollutant: 'oil', observedAt: T0 });
    const plan = planInputs(net, { spill: { ...spill, at: { reach: 'C', fraction: 0.2 } }, trace });
    expect(plan.stopOrder!.candidate.source.id).toBe('garage');
    expect(() => planInputs(net, { spill, intakeId: 'none' })).toThrow(RangeError);
  });
});
