import { describe, expect, it } from 'vitest';
import {
  concentration,
  decayRateFromT90,
  elderDispersion,
  peakConcentrationAt,
  type Release,
  seoCheongDispersion,
  shearVelocity,
} from './advection-dispersion.ts';

// A 40 m wide, 2 m deep channel at 0.5 m/s on slope 0.0005; 1000 kg released.
const u = shearVelocity(2, 0.0005); // √(9.8 · 2 · 0.0005) = 0.09899 m/s
const release: Release = { massKg: 1000, areaM2: 80, velocity: 0.5, dispersion: 30, decayPerS: 1e-5 };

/** Mass remaining in the water, kg: A · ∫C dx (C in g/m³). Trapezoids over ±8 standard deviations. */
function massInWater(r: Release, t: number): number {
  const sigma = Math.sqrt(2 * r.dispersion * t);
  const centre = r.velocity * t;
  const n = 4000;
  const dx = (16 * sigma) / n;
  let sum = 0;
  for (let i = 0; i <= n; i++) {
    const c = concentration(r, centre - 8 * sigma + i * dx, t);
    sum += i === 0 || i === n ? c / 2 : c;
  }
  return (sum * dx * r.areaM2) / 1000;
}

describe('advection–dispersion', () => {
  it('conserves mass up to first-order decay: A·∫C dx = M·e^(−kt)', () => {
    for (const t of [600, 3600, 6 * 3600]) {
      const expected = 1000 * Math.exp(-1e-5 * t);
      expect(Math.abs(massInWater(release, t) - expected) / expected).toBeLessThan(1e-6);
    }
    const conservative = { ...release, decayPerS: 0 };
    expect(massInWater(conservative, 7200)).toBeCloseTo(1000, 3);
  });

  it('peaks at x = U·t', () => {
    const t = 7200;
    const peak = peakConcentrationAt(release, t);
    for (const dx of [-50, -5, 5, 50]) expect(concentration(release, 3600 + dx, t)).toBeLessThan(peak);
    // analytic peak: M/(A√(4πKt))·e^(−kt)·1000 = 1000/(80·√(4π·30·7200))·e^(−0.072)·1000
    const analytic = (1000 / (80 * Math.sqrt(4 * Math.PI * 30 * 7200))) * Math.exp(-0.072) * 1000;
    expect(peak).toBeCloseTo(analytic, 10);
    expect(concentration(release, 100, 0)).toBe(0);
  });

  it('Elder and Seo & Cheong coefficients on worked numbers', () => {
    expect(u).toBeCloseTo(0.098995, 5);
    // Elder: 5.93 · 2 · 0.098995 = 1.1741 m²/s
    expect(elderDispersion(2, u)).toBeCloseTo(1.1741, 3);
    // Seo & Cheong: 5.915 · 20^0.62 · (0.5/0.098995)^1.428 · 2 · 0.098995
    //   = 5.915 · 6.4068 · 10.102 · 0.19799 = 75.79 m²/s
    expect(seoCheongDispersion(40, 2, 0.5, u)).toBeCloseTo(75.79, 1);
  });

  it('T90 → k: after T90, 10% remains', () => {
    const k = decayRateFromT90(3600);
    expect(Math.exp(-k * 3600)).toBeCloseTo(0.1, 12);
    expect(decayRateFromT90(Number.POSITIVE_INFINITY)).toBe(0);
  });
});
