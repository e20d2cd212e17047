/**
 * One-dimensional advection–dispersion of an instantaneous release after full cross-sectional
 * mixing, with first-order decay, and the longitudinal dispersion coefficients of Elder (1959)
 * and Seo & Cheong (1998). See domain-references.md.
 */
import { G } from './jobson.ts';

/** A uniform channel and a release in it. */
export interface Release {
  massKg: number;
  /** Cross-sectional area A, m². */
  areaM2: number;
  /** Mean velocity U, m/s. */
  velocity: number;
  /** Longitudinal dispersion coefficient K, m²/s. */
  dispersion: number;
  /** First-order decay rate k, 1/s (0 for a conservative substance). */
  decayPerS?: number;
}

/**
 * C(x, t) = M / (A·√(4πKt)) · exp(−(x−Ut)² / (4Kt)) · e^(−kt), in mg/L (= g/m³), for x metres
 * downstream of the release and t seconds after it.
 */
export function concentration(release: Release, x: number, t: number): number {
  if (t <= 0) return 0;
  const { massKg, areaM2, velocity, dispersion, decayPerS = 0 } = release;
  const spread = 4 * dispersion * t;
  const kgPerM3 =
    (massKg / (areaM2 * Math.sqrt(Math.PI * spread))) * Math.exp(-((x - velocity * t) ** 2) / spread);
  return kgPerM3 * Math.exp(-decayPerS * t) * 1000;
}

/** Peak (at x = U·t) concentration at time t, mg/L. */
export function peakConcentrationAt(release: Release, t: number): number {
  return concentration(release, release.velocity * t, t);
}

/** Shear velocity u* = √(g·R·S), m/s, for hydraulic radius R (m) and slope S. */
export function shearVelocity(hydraulicRadiusM: number, slope: number): number {
  return Math.sqrt(G * hydraulicRadiusM * slope);
}

/** Elder (1959): K = 5.93 · h · u*, m²/s. */
export function elderDispersion(depthM: number, shear: number): number {
  return 5.93 * depthM * shear;
}

/** Seo & Cheong (1998): K = 5.915 · (W/h)^0.620 · (U/u*)^1.428 · h · u*, m²/s. */
export function seoCheongDispersion(widthM: number, depthM: number, velocity: number, shear: number): number {
  return 5.915 * (widthM / depthM) ** 0.62 * (velocity / shear) ** 1.428 * depthM * shear;
}

/** First-order rate k (1/s) from T90, the time to lose 90%: k = ln 10 / T90. */
export function decayRateFromT90(t90S: number): number {
  return Number.isFinite(t90S) && t90S > 0 ? Math.LN10 / t90S : 0;
}
