/**
 * The numbers a spill-response checklist (预案) needs, for one threatened intake:
 * - intercept dam: a point on the spill → intake path at least `setbackM` above the intake, the
 *   closest to the intake, feasible when the leading edge (earliest credible) reaches it no
 *   earlier than now + mobilisation time; also the furthest-upstream point that still leaves the
 *   mobilisation time (beyond it the crews cannot beat the leading edge);
 * - dilution release: reservoirs/hydropower stations upstream of the intake (on the path or on a
 *   tributary joining above the intake), when to start so the released water is at the intake
 *   by the leading edge, and the peak diluted by Q/(Q + release). The release travels as a
 *   kinematic wave: celerity ≈ 5/3 of the mean velocity (Manning, wide channel), the velocity
 *   being Jobson's most probable one at the raised discharge Q + release, reach by reach;
 * - stop order: the top-ranked suspect enterprise of an upstream trace (else the top suspect).
 */
import { type Arrival, predictArrivals, type SpillQuery } from './arrival.ts';
import { peakVelocity } from './jobson.ts';
import type { Intake, Position, Reservoir } from './network.schema.ts';
import { alongPath, type PathStep, type RiverNetwork, walkUpstream } from './network.ts';
import type { TraceCandidate, TraceResult } from './trace.ts';

export interface PlanInputsQuery {
  spill: SpillQuery;
  /** The intake to protect; default the first intake downstream. */
  intakeId?: string;
  /** Time crews need to reach a site and build the dam, s (default 2 h). */
  mobilisationS?: number;
  /** Minimum distance of the dam above the intake, m (default 500). */
  setbackM?: number;
  /** When the plan is made, epoch ms (default the release time). */
  now?: number;
  trace?: TraceResult;
}

/** A point on the network with its map coordinates and leading-edge timing. */
export interface PlanPoint {
  position: Position;
  reachName: string;
  coordinates: [number, number];
  distanceAboveIntakeM: number;
  leadingEdgeAt: number;
}

export interface InterceptDam extends PlanPoint {
  feasible: boolean;
  /** Leading-edge arrival minus (now + mobilisation), s; negative when infeasible. */
  marginS: number;
  /** Furthest-upstream point the leading edge reaches no earlier than now + mobilisation. */
  upstreamLimit?: PlanPoint;
  explanation: string;
}

export interface DilutionRelease {
  reservoir: Reservoir;
  releaseM3s: number;
  travelTimeToIntakeS: number;
  /** When to open the gates, epoch ms (≤ now means at once). */
  startAt: number;
  startNow: boolean;
  /** Whether released water reaches the intake by the leading edge. */
  inTime: boolean;
  /** Q_intake / (Q_intake + release). */
  dilutionFactor: number;
  peakAfterMgL: number;
  explanation: string;
}

export interface StopOrder {
  candidate: TraceCandidate;
  explanation: string;
}

export interface PlanInputs {
  intake: Intake;
  arrival: Arrival;
  interceptDam: InterceptDam;
  dilutionRelease?: DilutionRelease;
  releaseOptions: DilutionRelease[];
  stopOrder?: StopOrder;
  notes: string[];
}

const HOUR = 3600;
const h = (s: number) => `${(s / HOUR).toFixed(1)} h`;

/** Compute the response-plan inputs for a spill threatening an intake. */
export function planInputs(net: RiverNetwork, query: PlanInputsQuery): PlanInputs {
  const { spill } = query;
  const now = query.now ?? spill.releasedAt;
  const mobilisationS = query.mobilisationS ?? 2 * HOUR;
  const setbackM = query.setbackM ?? 500;
  const { path, arrivals } = predictArrivals(net, spill);
  const arrival = arrivals.find(
    (a) => a.kind === 'intake' && (query.intakeId ? a.id === query.intakeId : true),
  );
  if (!arrival) throw new RangeError(`no intake ${query.intakeId ?? ''} downstream of the spill`);
  const intake = net.data.intakes.find((i) => i.id === arrival.id)!;
  const deadlineS = (now - spill.releasedAt) / 1000 + mobilisationS;

  const interceptDam = placeDam(net, path, arrival, spill, setbackM, deadlineS, mobilisationS);
  const releaseOptions = releases(net, intake, arrival, now);
  const notes = [
    'Plume travel times by Jobson (1996) at the network discharges; a dilution release also raises Q and speeds the plume, which is not modelled here.',
    `Mobilisation time ${h(mobilisationS)}, dam at least ${setbackM} m above the intake.`,
  ];
  return {
    intake,
    arrival,
    interceptDam,
    ...(releaseOptions[0] ? { dilutionRelease: releaseOptions[0] } : {}),
    releaseOptions,
    ...stopOrder(query.trace),
    notes,
  };
}

function pointOn(
  net: RiverNetwork,
  step: PathStep,
  f: number,
  arrival: Arrival,
  releasedAt: number,
): PlanPoint {
  const at = alongPath(net, step, f);
  const reach = net.data.reaches[step.reach]!;
  const position = { reach: reach.id, fraction: f };
  return {
    position,
    reachName: reach.name,
    coordinates: net.pointAt(position),
    distanceAboveIntakeM: arrival.distanceM - at.distanceM,
    leadingEdgeAt: releasedAt + 0.89 * at.maxS * 1000,
  };
}

/** The path step and fraction at distance `d` from the spill. */
function locate(net: RiverNetwork, path: PathStep[], d: number): [PathStep, number] {
  let i = path.length - 1;
  while (i > 0 && path[i]!.distanceM > d) i--;
  const step = path[i]!;
  const f = step.fromFraction + (d - step.distanceM) / net.length[step.reach]!;
  return [step, Math.min(1, Math.max(step.fromFraction, f))];
}

function placeDam(
  net: RiverNetwork,
  path: PathStep[],
  arrival: Arrival,
  spill: SpillQuery,
  setbackM: number,
  deadlineS: number,
  mobilisationS: number,
): InterceptDam {
  const [step, f] = locate(net, path, Math.max(0, arrival.distanceM - setbackM));
  const dam = pointOn(net, step, f, arrival, spill.releasedAt);
  const marginS = (dam.leadingEdgeAt - spill.releasedAt) / 1000 - deadlineS;
  // Furthest upstream: where 0.89·t_max = deadline (t_max is linear within a reach).
  const targetMax = deadlineS / 0.89;
  let upstreamLimit: PlanPoint | undefined;
  for (const s of path) {
    const end = alongPath(net, s, 1);
    if (s.distanceM > arrival.distanceM) break;
    if (end.maxS >= targetMax) {
      const fraction =
        s.fromFraction + ((targetMax - s.timeMaxS) / (end.maxS - s.timeMaxS)) * (1 - s.fromFraction);
      const point = pointOn(net, s, Math.max(s.fromFraction, fraction), arrival, spill.releasedAt);
      if (point.distanceAboveIntakeM >= 0) upstreamLimit = point;
      break;
    }
  }
  const feasible = marginS >= 0;
  const explanation = feasible
    ? `Dam on ${dam.reachName} ${Math.round(dam.distanceAboveIntakeM)} m above ${arrival.name}: the leading edge arrives ${h((dam.leadingEdgeAt - spill.releasedAt) / 1000)} after the release, ${h(marginS)} after the ${h(mobilisationS)} mobilisation.`
    : `No dam site ${Math.round(dam.distanceAboveIntakeM)} m above ${arrival.name} can be ready before the leading edge (short by ${h(-marginS)}): close the intake.`;
  return { ...dam, feasible, marginS, ...(upstreamLimit ? { upstreamLimit } : {}), explanation };
}

function releases(net: RiverNetwork, intake: Intake, arrival: Arrival, now: number): DilutionRelease[] {
  const options: DilutionRelease[] = [];
  const intakeReach = net.reachIndex(intake.reach);
  const qIntake = net.q[intakeReach]!;
  walkUpstream(net, intake, 72 * HOUR, Number.POSITIVE_INFINITY, (r) => {
    for (const reservoir of net.reservoirsOn[r] ?? []) {
      if (r === intakeReach && reservoir.fraction > intake.fraction) continue;
      const travel = releaseTravelTime(net, reservoir, intake, reservoir.releaseCapacityM3s);
      const wanted = arrival.leadingEdgeAt - travel * 1000;
      const startAt = Math.max(now, wanted);
      const factor = qIntake / (qIntake + reservoir.releaseCapacityM3s);
      const inTime = now + travel * 1000 <= arrival.leadingEdgeAt;
      options.push({
        reservoir,
        releaseM3s: reservoir.releaseCapacityM3s,
        travelTimeToIntakeS: travel,
        startAt,
        startNow: wanted <= now,
        inTime,
        dilutionFactor: factor,
        peakAfterMgL: arrival.peakConcentrationMgL * factor,
        explanation: `${reservoir.name}: release ${reservoir.releaseCapacityM3s} m³/s, ${h(travel)} to ${intake.name}; ${
          wanted <= now ? 'start at once' : `start at ${new Date(startAt).toISOString()}`
        }${inTime ? '' : ' (arrives after the leading edge)'}; peak ×${factor.toFixed(2)}.`,
      });
    }
  });
  return options.sort(
    (a, b) =>
      Number(b.inTime) - Number(a.inTime) ||
      b.releaseM3s - a.releaseM3s ||
      a.travelTimeToIntakeS - b.travelTimeToIntakeS,
  );
}

/** Kinematic-wave celerity as a multiple of the mean velocity (Manning, wide rectangular channel). */
export const RELEASE_CELERITY_RATIO = 5 / 3;

/** Time for a release of `releaseM3s` to travel from a reservoir to a point downstream, s. */
export function releaseTravelTime(
  net: RiverNetwork,
  from: { reach: string; fraction: number },
  to: { reach: string; fraction: number },
  releaseM3s: number,
): number {
  const target = net.reachIndex(to.reach);
  let r = net.reachIndex(from.reach);
  let fraction = from.fraction;
  let time = 0;
  for (;;) {
    const reach = net.data.reaches[r]!;
    const v = peakVelocity({ ...reach, q: reach.q + releaseM3s }, 'mostProbable') * RELEASE_CELERITY_RATIO;
    const end = r === target ? to.fraction : 1;
    time += ((end - fraction) * reach.lengthM) / v;
    if (r === target) return time;
    r = net.down[r]!;
    if (r < 0) throw new RangeError('the reservoir is not upstream of the intake');
    fraction = 0;
  }
}

function stopOrder(trace: TraceResult | undefined): { stopOrder?: StopOrder } {
  const suspects = trace?.candidates.filter((c) => c.suspect) ?? [];
  const candidate = suspects.find((c) => c.source.kind === 'enterprise') ?? suspects[0];
  if (!candidate) return {};
  return {
    stopOrder: {
      candidate,
      explanation: `Stop discharges at ${candidate.source.name} (rank ${candidate.rank}, score ${candidate.score.toFixed(3)}).`,
    },
  };
}
