import { describe, expect, it } from 'vitest';
import {
  dimensionlessDrainageArea,
  leadingEdgeTime,
  passageTime,
  peakConcentration,
  peakVelocity,
  peakVelocityWithoutSlope,
  predictReach,
  relativeDischarge,
  timeOfPeak,
  unitPeakConcentration,
} from './jobson.ts';

/** Relative closeness to 4 significant figures. */
function near(actual: number, expected: number, rel = 5e-4): void {
  expect(Math.abs(actual - expected) / Math.abs(expected)).toBeLessThan(rel);
}

// Worked example: Da = 500 km² = 5×10⁸ m², Q = 20 m³/s, Qa = 25 m³/s, S = 0.001, L = 10 km, M = 1000 kg.
const reach = { drainageAreaM2: 5e8, q: 20, qa: 25, slope: 0.001 };

describe('Jobson (1996) worked example', () => {
  it('dimensionless drainage area and relative discharge', () => {
    // Da^1.25 = (5e8)^1.25 = 7.4767e10; √9.8 = 3.1305; D′a = 7.4767e10 · 3.1305 / 25 = 9.3624e9
    near(dimensionlessDrainageArea(5e8, 25), 9.3624e9);
    // Q′a = 20 / 25 = 0.8
    expect(relativeDischarge(20, 25)).toBe(0.8);
  });

  it('peak velocity with slope, most and maximum probable', () => {
    // D′a^0.919 = 1.4578e9; Q′a^−0.469 = 0.8^−0.469 = 1.1103; S^0.159 = 0.001^0.159 = 0.33343; Q/Da = 4e-8
    // product = 1.4578e9 · 1.1103 · 0.33343 · 4e-8 = 21.588
    // most probable: 0.094 + 0.0143 · 21.588 = 0.094 + 0.30871 = 0.40271 m/s
    near(peakVelocity(reach, 'mostProbable'), 0.40271);
    // maximum probable: 0.25 + 0.020 · 21.588 = 0.25 + 0.43176 = 0.68176 m/s
    near(peakVelocity(reach, 'maximumProbable'), 0.68176);
  });

  it('peak velocity without slope', () => {
    // D′a^0.821 = 1.5364e8; Q′a^−0.465 = 1.1093; product with Q/Da = 1.5364e8 · 1.1093 · 4e-8 = 6.8176
    // most probable: 0.020 + 0.051 · 6.8176 = 0.36770 m/s; maximum: 0.20 + 0.093 · 6.8176 = 0.83404 m/s
    near(peakVelocityWithoutSlope(reach, 'mostProbable'), 0.3677);
    near(peakVelocityWithoutSlope(reach, 'maximumProbable'), 0.83404);
    // no slope given → the equation without slope
    near(peakVelocity({ drainageAreaM2: 5e8, q: 20, qa: 25 }), 0.3677);
  });

  it('time of peak, leading edge, unit peak, peak concentration and passage time over 10 km', () => {
    // Tp = 10000 / 0.40271 = 24,832 s = 6.8977 h; Tl = 0.89 · 24,832 = 22,100 s (6.139 h)
    const tp = timeOfPeak(10_000, peakVelocity(reach));
    near(tp, 24_832);
    near(leadingEdgeTime(tp), 22_100);
    // exponent −0.760 · 0.8^−0.079 = −0.760 · 1.01778 = −0.77352; Cup = 857 · 6.8977^−0.77352 = 192.41
    const cup = unitPeakConcentration(tp / 3600, 20, 25);
    near(cup, 192.41);
    // envelope without Qa: 1025 · 6.8977^−0.887 = 184.84
    near(unitPeakConcentration(tp / 3600), 184.84);
    // Cp = 192.41 · 1 · (1000 kg = 1e9 mg) / (1e6 · 20,000 L/s) = 192.41 · 0.05 = 9.6205 mg/L
    near(peakConcentration(cup, 1000, 20), 9.6205);
    // half recovered → half the peak
    near(peakConcentration(cup, 1000, 20, 0.5), 4.8103);
    // T10d = 2e6 / 192.41 = 10,394 s (2.887 h)
    near(passageTime(cup), 10_394);
  });

  it('predictReach bundles the same numbers; earliest arrival uses the maximum probable velocity', () => {
    const p = predictReach(reach, 10_000, 1000);
    near(p.peakS, 24_832);
    // Tl(max) = 0.89 · 10000 / 0.68176 = 13,054 s
    near(p.leadingEdgeS, 13_054);
    near(p.leadingEdgeMostProbableS, 22_100);
    near(p.peakConcentrationMgL, 9.6205);
    expect(p.leadingEdgeS).toBeLessThan(p.leadingEdgeMostProbableS);
  });
});

describe('Jobson properties', () => {
  it('larger discharge → faster; maximum probable > most probable', () => {
    let previous = 0;
    for (const q of [2, 5, 10, 20, 40, 80]) {
      const r = { ...reach, q };
      const most = peakVelocity(r, 'mostProbable');
      expect(most).toBeGreaterThan(previous);
      expect(peakVelocity(r, 'maximumProbable')).toBeGreaterThan(most);
      expect(peakVelocityWithoutSlope(r, 'maximumProbable')).toBeGreaterThan(peakVelocityWithoutSlope(r));
      previous = most;
    }
  });

  it('steeper → faster; longer travel → lower unit peak', () => {
    expect(peakVelocity({ ...reach, slope: 0.01 })).toBeGreaterThan(peakVelocity(reach));
    expect(unitPeakConcentration(10, 20, 25)).toBeLessThan(unitPeakConcentration(2, 20, 25));
  });

  it('refuses non-physical input', () => {
    expect(() => peakVelocity({ ...reach, q: 0 })).toThrow(RangeError);
    expect(() => unitPeakConcentration(0)).toThrow(RangeError);
  });
});
