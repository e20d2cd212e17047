import { describe, expect, it } from 'vitest';
import { fitHolt, forecastAt, holt, resample, trendPerMinute } from './forecast.ts';

const MIN = 60_000;

describe('resample', () => {
  it('interpolates irregular samples onto a fixed step ending at the last sample', () => {
    const r = resample(
      [
        { t: 0, value: 0 },
        { t: 50_000, value: 50 },
        { t: 130_000, value: 130 },
      ],
      MIN,
    );
    expect(r.map((s) => s.t)).toEqual([10_000, 70_000, 130_000]);
    expect(r.map((s) => s.value)).toEqual([10, 70, 130]);
    expect(resample([], MIN)).toEqual([]);
    expect(resample([{ t: 5, value: 3 }], MIN)).toEqual([{ t: 5, value: 3 }]);
  });
});

describe("Holt's linear method", () => {
  it('continues a linear ramp exactly', () => {
    // 100 + 20 per minute, sampled at irregular times
    const samples = [0, 0.4, 1.1, 2, 2.7, 3.5, 4.2, 5, 6, 7.3, 8, 9, 10].map((m) => ({
      t: m * MIN,
      value: 100 + 20 * m,
    }));
    const fit = fitHolt(samples, { alpha: 0.5, beta: 0.3 });
    expect(fit.level).toBeCloseTo(300, 9);
    expect(trendPerMinute(fit)).toBeCloseTo(20, 9);
    // 15 minutes ahead: 300 + 15·20 = 600
    expect(forecastAt(fit, 15 * MIN)).toBeCloseTo(600, 6);
  });

  it('recursion by hand on three points', () => {
    // y = 10, 14, 16; α = 0.5, β = 0.5; ℓ0 = 10, b0 = 4
    // t=1: ℓ = 0.5·14 + 0.5·(10+4) = 14; b = 0.5·(14−10) + 0.5·4 = 4; error 14 − 14 = 0
    // t=2: ℓ = 0.5·16 + 0.5·(14+4) = 17; b = 0.5·(17−14) + 0.5·4 = 3.5; error 16 − 18 = −2
    expect(holt([10, 14, 16], 0.5, 0.5)).toEqual({ level: 17, trend: 3.5, sse: 4 });
  });

  it('on noise around a constant level the forecast stays near the level', () => {
    let seed = 7;
    const noise = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32 - 0.5;
    };
    const samples = Array.from({ length: 60 }, (_, k) => ({ t: k * 30_000, value: 1000 + 40 * noise() }));
    const fit = fitHolt(samples);
    expect(Math.abs(forecastAt(fit, 15 * MIN) - 1000)).toBeLessThan(60);
    expect(Math.abs(trendPerMinute(fit))).toBeLessThan(4);
    expect(fit.alpha).toBeGreaterThanOrEqual(0.1);
  });

  it('on a noisy ramp the fitted trend is near the true slope', () => {
    const samples = Array.from({ length: 41 }, (_, k) => ({
      t: k * 30_000,
      value: 500 + 10 * k + (k % 2 ? 6 : -6),
    }));
    const fit = fitHolt(samples);
    expect(trendPerMinute(fit)).toBeGreaterThan(17);
    expect(trendPerMinute(fit)).toBeLessThan(23);
  });
});
