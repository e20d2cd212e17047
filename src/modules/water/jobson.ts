/**
 * Travel time and attenuation of a soluble spill in rivers, after Jobson (1996), USGS
 * Water-Resources Investigations Report 96-4013 (also J. Hydraul. Eng. 123(11), 1997), in SI
 * units as the USGS TravelTimeService implements it (Jobson.cs). Equations and coefficients
 * exactly as in docs domain-references.md; see README.md of this module.
 */

/** Gravitational acceleration used by Jobson's dimensionless drainage area, m/s². */
export const G = 9.8;

/** Ratio of leading-edge time to time of peak (Jobson 1996). */
export const LEADING_EDGE_RATIO = 0.89;

/** Most probable velocity (best estimate) or maximum probable velocity (earliest credible arrival). */
export type VelocityCase = 'mostProbable' | 'maximumProbable';

/** What Jobson's velocity equations need to know about a reach. */
export interface JobsonReach {
  /** Drainage area at the reach, m². */
  drainageAreaM2: number;
  /** Discharge at the time of the spill, m³/s. */
  q: number;
  /** Mean annual discharge, m³/s. */
  qa: number;
  /** Water-surface slope, m/m; omit (or 0) to use the equation without slope. */
  slope?: number;
}

/** D′a = Da^1.25 · √g / Qa (dimensionless drainage area). */
export function dimensionlessDrainageArea(drainageAreaM2: number, qa: number): number {
  return (drainageAreaM2 ** 1.25 * Math.sqrt(G)) / qa;
}

/** Q′a = Q / Qa (relative discharge). */
export function relativeDischarge(q: number, qa: number): number {
  return q / qa;
}

const WITH_SLOPE = {
  mostProbable: { a: 0.094, b: 0.0143 },
  maximumProbable: { a: 0.25, b: 0.02 },
} as const;

const WITHOUT_SLOPE = {
  mostProbable: { a: 0.02, b: 0.051 },
  maximumProbable: { a: 0.2, b: 0.093 },
} as const;

/** Peak velocity with slope, m/s: Vp = a + b · D′a^0.919 · Q′a^−0.469 · S^0.159 · Q/Da. */
export function peakVelocityWithSlope(
  reach: Required<JobsonReach>,
  kind: VelocityCase = 'mostProbable',
): number {
  const { a, b } = WITH_SLOPE[kind];
  const { drainageAreaM2: da, q, qa, slope } = reach;
  const dPrime = dimensionlessDrainageArea(da, qa);
  return a + b * dPrime ** 0.919 * relativeDischarge(q, qa) ** -0.469 * slope ** 0.159 * (q / da);
}

/** Peak velocity without slope, m/s: Vp = a + b · D′a^0.821 · Q′a^−0.465 · Q/Da. */
export function peakVelocityWithoutSlope(reach: JobsonReach, kind: VelocityCase = 'mostProbable'): number {
  const { a, b } = WITHOUT_SLOPE[kind];
  const { drainageAreaM2: da, q, qa } = reach;
  const dPrime = dimensionlessDrainageArea(da, qa);
  return a + b * dPrime ** 0.821 * relativeDischarge(q, qa) ** -0.465 * (q / da);
}

/** Peak velocity, m/s: the slope equation when a positive slope is known, otherwise the one without. */
export function peakVelocity(reach: JobsonReach, kind: VelocityCase = 'mostProbable'): number {
  if (!(reach.q > 0 && reach.qa > 0 && reach.drainageAreaM2 > 0)) {
    throw new RangeError('Jobson velocity needs positive Q, Qa and drainage area');
  }
  const slope = reach.slope ?? 0;
  return slope > 0 ? peakVelocityWithSlope({ ...reach, slope }, kind) : peakVelocityWithoutSlope(reach, kind);
}

/** Time of peak at distance L (m) for velocity Vp (m/s), seconds: Tp = L / Vp. */
export function timeOfPeak(lengthM: number, velocity: number): number {
  return lengthM / velocity;
}

/** Leading-edge arrival time, seconds: Tl = 0.890 · Tp. */
export function leadingEdgeTime(timeOfPeakS: number): number {
  return LEADING_EDGE_RATIO * timeOfPeakS;
}

/**
 * Unit-peak concentration Cup (Jobson's normalised peak, 10⁶·Cp·Q/(Rr·Mi)), Tp in hours:
 * Cup = 857 · Tp^(−0.760 · (Q/Qa)^−0.079); when Qa is unknown the envelope Cup = 1025 · Tp^−0.887.
 */
export function unitPeakConcentration(timeOfPeakH: number, q?: number, qa?: number): number {
  if (!(timeOfPeakH > 0)) throw new RangeError('time of peak must be positive');
  if (q === undefined || qa === undefined || !(qa > 0) || !(q > 0)) return 1025 * timeOfPeakH ** -0.887;
  return 857 * timeOfPeakH ** (-0.76 * (q / qa) ** -0.079);
}

/**
 * Peak concentration, mg/L: Cp = Cup · Rr · Mi / (10⁶ · Q) with Mi in mg and Q in L/s.
 * Takes the mass in kg and Q in m³/s and converts (1 kg = 10⁶ mg, 1 m³/s = 1000 L/s).
 */
export function peakConcentration(unitPeak: number, massKg: number, qM3s: number, recovered = 1): number {
  return (unitPeak * recovered * massKg * 1e6) / (1e6 * qM3s * 1000);
}

/** Passage time from the leading edge to 10% of the peak on the falling limb, seconds: T10d = 2×10⁶ / Cup. */
export function passageTime(unitPeak: number): number {
  return 2e6 / unitPeak;
}

/** Everything Jobson predicts at distance L downstream of a spill, for one uniform reach. */
export interface JobsonPrediction {
  velocityMostProbable: number;
  velocityMaximumProbable: number;
  /** Time of peak with the most probable velocity, s. */
  peakS: number;
  /** Leading edge with the maximum probable velocity (earliest credible arrival), s. */
  leadingEdgeS: number;
  /** Leading edge with the most probable velocity, s. */
  leadingEdgeMostProbableS: number;
  unitPeak: number;
  peakConcentrationMgL: number;
  passageS: number;
}

/** Jobson's prediction at distance `lengthM` on a single uniform reach, for a spill of `massKg`. */
export function predictReach(
  reach: JobsonReach,
  lengthM: number,
  massKg: number,
  recovered = 1,
): JobsonPrediction {
  const vMost = peakVelocity(reach, 'mostProbable');
  const vMax = peakVelocity(reach, 'maximumProbable');
  const peakS = timeOfPeak(lengthM, vMost);
  const unitPeak = unitPeakConcentration(peakS / 3600, reach.q, reach.qa);
  return {
    velocityMostProbable: vMost,
    velocityMaximumProbable: vMax,
    peakS,
    leadingEdgeS: leadingEdgeTime(timeOfPeak(lengthM, vMax)),
    leadingEdgeMostProbableS: leadingEdgeTime(peakS),
    unitPeak,
    peakConcentrationMgL: peakConcentration(unitPeak, massKg, reach.q, recovered),
    passageS: passageTime(unitPeak),
  };
}
