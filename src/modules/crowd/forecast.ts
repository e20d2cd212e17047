/**
 * Holt's linear (double exponential) smoothing of people counts, after resampling irregular
 * observations onto a fixed step by linear interpolation:
 *   level  ℓt = α·yt + (1 − α)(ℓt−1 + bt−1)
 *   trend  bt = β(ℓt − ℓt−1) + (1 − β)·bt−1
 *   forecast ŷt+h = ℓt + h·bt
 * initialised with ℓ0 = y0, b0 = y1 − y0. α, β fixed or fitted on one-step-ahead squared error.
 */

export interface Sample {
  /** Epoch milliseconds. */
  t: number;
  value: number;
}

/** Linear interpolation onto t_last − k·step (k ≥ 0), oldest first, ending at the last sample. */
export function resample(samples: readonly Sample[], stepMs: number): Sample[] {
  const sorted = [...samples].sort((a, b) => a.t - b.t);
  if (sorted.length === 0) return [];
  const first = sorted[0]!.t;
  const last = sorted.at(-1)!.t;
  const out: Sample[] = [];
  let j = 0;
  for (let t = last - Math.floor((last - first) / stepMs) * stepMs; t <= last; t += stepMs) {
    while (j < sorted.length - 2 && sorted[j + 1]!.t < t) j++;
    const a = sorted[j]!;
    const b = sorted[Math.min(j + 1, sorted.length - 1)]!;
    const w = b.t > a.t ? Math.min(1, Math.max(0, (t - a.t) / (b.t - a.t))) : 0;
    out.push({ t, value: a.value + (b.value - a.value) * w });
  }
  return out;
}

export interface HoltFit {
  alpha: number;
  beta: number;
  level: number;
  /** Trend per step. */
  trend: number;
  stepMs: number;
  /** Time of the last resampled point. */
  t: number;
  /** Sum of squared one-step-ahead errors. */
  sse: number;
  points: number;
}

/** Run Holt's recursion over equally spaced values. */
export function holt(
  values: readonly number[],
  alpha: number,
  beta: number,
): { level: number; trend: number; sse: number } {
  if (values.length === 0) return { level: 0, trend: 0, sse: 0 };
  let level = values[0]!;
  let trend = values.length > 1 ? values[1]! - values[0]! : 0;
  let sse = 0;
  for (let i = 1; i < values.length; i++) {
    const y = values[i]!;
    sse += (y - (level + trend)) ** 2;
    const previous = level;
    level = alpha * y + (1 - alpha) * (level + trend);
    trend = beta * (level - previous) + (1 - beta) * trend;
  }
  return { level, trend, sse };
}

export interface ForecastOptions {
  stepMs?: number;
  /** Fixed smoothing constants; omit to fit both on a 0.1…0.9 grid. */
  alpha?: number;
  beta?: number;
}

/** Fit Holt's method to recent samples (resampled to `stepMs`, default 1 min). */
export function fitHolt(samples: readonly Sample[], options: ForecastOptions = {}): HoltFit {
  const stepMs = options.stepMs ?? 60_000;
  const series = resample(samples, stepMs);
  const values = series.map((s) => s.value);
  const grid = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
  const alphas = options.alpha === undefined ? grid : [options.alpha];
  const betas = options.beta === undefined ? grid : [options.beta];
  let best = { alpha: alphas[0]!, beta: betas[0]!, ...holt(values, alphas[0]!, betas[0]!) };
  for (const alpha of alphas) {
    for (const beta of betas) {
      const run = holt(values, alpha, beta);
      if (run.sse < best.sse - 1e-12) best = { alpha, beta, ...run };
    }
  }
  return { ...best, stepMs, t: series.at(-1)?.t ?? 0, points: series.length };
}

/** Forecast `horizonMs` after the last point. */
export function forecastAt(fit: HoltFit, horizonMs: number): number {
  return fit.level + (horizonMs / fit.stepMs) * fit.trend;
}

/** Trend per minute. */
export function trendPerMinute(fit: HoltFit): number {
  return (fit.trend * 60_000) / fit.stepMs;
}
