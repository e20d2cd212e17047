/**
 * Downstream arrival of a spill at every intake and monitoring section below it (Jobson 1996):
 * times are summed reach by reach along the path; the leading edge uses the maximum probable
 * velocity (earliest credible arrival, Tl = 0.89·ΣL/Vmax), the peak the most probable velocity
 * (Tp = ΣL/Vp); the peak concentration takes Cup(Tp, Q/Qa) and Q at the arrival reach; the
 * passage time T10d = 2×10⁶/Cup runs from the (most probable) leading edge to 10% of the peak.
 */
import { LEADING_EDGE_RATIO, passageTime, peakConcentration, unitPeakConcentration } from './jobson.ts';
import type { Position } from './network.schema.ts';
import { alongPath, downstreamPath, type PathStep, type RiverNetwork } from './network.ts';

/**
 * Mass of an oil slick from its area, kg: area × thickness × density. Defaults: 0.1 mm (a thick
 * sheen to thin slick; Bonn Agreement appearance codes span ~0.04 µm–>0.2 mm) and 900 kg/m³.
 */
export function slickMassKg(areaM2: number, thicknessM = 1e-4, densityKgM3 = 900): number {
  return areaM2 * thicknessM * densityKgM3;
}

/** A spill (or release) at a place and time. */
export interface SpillQuery {
  at: Position;
  massKg: number;
  /** Epoch milliseconds. */
  releasedAt: number;
  /** Recovered fraction Rr (1 = conservative). */
  recovered?: number;
  /** Optional first-order loss: the peak is further multiplied by 10^(−Tp/T90). */
  t90H?: number;
  maxTravelTimeS?: number;
  maxDistanceM?: number;
}

/** Predicted arrival at one intake or section. */
export interface Arrival {
  kind: 'intake' | 'section';
  id: string;
  name: string;
  position: Position;
  distanceM: number;
  /** Earliest credible arrival (leading edge, maximum probable velocity), s after release. */
  leadingEdgeS: number;
  /** Leading edge with the most probable velocity, s. */
  leadingEdgeMostProbableS: number;
  /** Peak (most probable velocity), s. */
  peakS: number;
  /** Leading edge (most probable) + T10d: the cloud has passed to 10% of its peak, s. */
  trailingS: number;
  passageS: number;
  unitPeak: number;
  peakConcentrationMgL: number;
  leadingEdgeAt: number;
  peakAt: number;
  trailingAt: number;
  population?: number;
}

export interface ArrivalResult {
  path: PathStep[];
  arrivals: Arrival[];
}

/** Predict arrival at every intake and section downstream of a spill, nearest first. */
export function predictArrivals(net: RiverNetwork, spill: SpillQuery): ArrivalResult {
  const path = downstreamPath(
    net,
    spill.at,
    spill.maxTravelTimeS ?? Number.POSITIVE_INFINITY,
    spill.maxDistanceM ?? Number.POSITIVE_INFINITY,
  );
  const arrivals: Arrival[] = [];
  path.forEach((step, i) => {
    const features = [
      ...(net.intakesOn[step.reach] ?? []).map((f) => ({
        kind: 'intake' as const,
        f,
        population: f.population,
      })),
      ...(net.sectionsOn[step.reach] ?? []).map((f) => ({
        kind: 'section' as const,
        f,
        population: undefined,
      })),
    ];
    for (const { kind, f, population } of features) {
      // On the spill's own reach only what lies below the spill.
      if (i === 0 && f.fraction <= step.fromFraction) continue;
      const at = alongPath(net, step, f.fraction);
      arrivals.push({
        kind,
        id: f.id,
        name: f.name,
        position: { reach: f.reach, fraction: f.fraction },
        ...jobsonAt(net, step.reach, at, spill),
        ...(population === undefined ? {} : { population }),
      });
    }
  });
  arrivals.sort((a, b) => a.distanceM - b.distanceM);
  return { path, arrivals };
}

type Timing = Omit<Arrival, 'kind' | 'id' | 'name' | 'position' | 'population'>;

/** Jobson's numbers at a point reached after `at` along the path, on reach r. */
export function jobsonAt(
  net: RiverNetwork,
  r: number,
  at: { distanceM: number; mostS: number; maxS: number },
  spill: Pick<SpillQuery, 'massKg' | 'releasedAt' | 'recovered' | 't90H'>,
): Timing {
  const reach = net.data.reaches[r]!;
  const peakS = at.mostS;
  const leadingEdgeMostProbableS = LEADING_EDGE_RATIO * peakS;
  const unitPeak = unitPeakConcentration(Math.max(peakS, 1) / 3600, reach.q, reach.qa);
  const decay = spill.t90H ? 10 ** (-peakS / (spill.t90H * 3600)) : 1;
  const passageS = passageTime(unitPeak);
  const leadingEdgeS = LEADING_EDGE_RATIO * at.maxS;
  const trailingS = leadingEdgeMostProbableS + passageS;
  return {
    distanceM: at.distanceM,
    leadingEdgeS,
    leadingEdgeMostProbableS,
    peakS,
    trailingS,
    passageS,
    unitPeak,
    peakConcentrationMgL: peakConcentration(unitPeak, spill.massKg, reach.q, (spill.recovered ?? 1) * decay),
    leadingEdgeAt: spill.releasedAt + leadingEdgeS * 1000,
    peakAt: spill.releasedAt + peakS * 1000,
    trailingAt: spill.releasedAt + trailingS * 1000,
  };
}
