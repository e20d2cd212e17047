/**
 * Upstream source screening: from an out-of-standard section (or any point), walk the river
 * network upstream within a travel-time/distance bound; every pollution source on the way is a
 * candidate, scored by
 *
 *   score = match · timing · decay · dilution · monitoring
 *
 * - match: 1 when the source discharges the pollutant (low dissolved oxygen `O2` is matched by
 *   oxygen-demanding discharges bod/cod/NH4), else 0.05 (unreported discharges stay possible);
 * - timing: 1 when the observed onset falls in the window in which the source's own recorded
 *   exceedance would arrive ([exceedance start + leading edge, exceedance end + 1.5·Tp]), else
 *   exp(−½(Δ/σ)²) with Δ the gap and σ = max(1 h, ½·Tp); 1 when the source has no timing record;
 * - decay: 10^(−Tp/T90) with T90 per pollutant (POLLUTANT_T90_H);
 * - dilution: Q at the source's reach / Q at the section (≤ 1), the dilution by tributaries;
 * - monitoring: 2 when the source's online monitor reported a matching exceedance in the
 *   look-back window, 0.5 when it is online and reported none, 1 when it has no online monitor.
 *
 * Candidates are ranked by score (ties: nearer first); `suspect` marks matching candidates
 * scoring at least 10% of the best. Each carries plain-language explanation lines for the
 * algorithm-filing decision log.
 */
import { LEADING_EDGE_RATIO } from './jobson.ts';
import type { PollutionSource, Position } from './network.schema.ts';
import { type RiverNetwork, walkUpstream } from './network.ts';

const HOUR = 3600;

/**
 * T90 (time to lose 90%) per pollutant, hours. Order-of-magnitude assumptions: BOD decay
 * k ≈ 0.23 /d (Streeter–Phelps textbook value) → T90 = ln10/k ≈ 10 d; nitrification ≈ 0.46 /d →
 * 5 d; oil slick weathering ~3 d; faecal bacteria die-off ~1 d; nutrients and metals conservative.
 */
export const POLLUTANT_T90_H: Readonly<Record<string, number>> = {
  O2: 240,
  bod: 240,
  cod: 240,
  NH4: 120,
  NH3: 120,
  oil: 72,
  escherichiaColi: 24,
};

/** Discharged pollutants that explain an observed parameter being out of standard. */
export const POLLUTANT_MATCHES: Readonly<Record<string, readonly string[]>> = {
  O2: ['O2', 'bod', 'cod', 'NH4', 'NH3'],
  NH4: ['NH4', 'NH3'],
  NH3: ['NH4', 'NH3'],
};

/** Whether a source discharging `discharged` explains `observed`. */
export function pollutantMatches(observed: string, discharged: readonly string[]): boolean {
  const wanted = (POLLUTANT_MATCHES[observed] ?? [observed]).map((p) => p.toLowerCase());
  return discharged.some((p) => wanted.includes(p.toLowerCase()));
}

/** An upstream screening request. Times are epoch milliseconds. */
export interface TraceQuery {
  /** The section id, or a position on the network. */
  at: string | Position;
  /** FIWARE attribute out of standard: `O2` (low DO), `NH4`, `cod`, `oil`, … */
  pollutant: string;
  observedAt: number;
  /** When the exceedance began (defaults to observedAt). */
  onsetAt?: number;
  /** Walk bound, default 72 h of most-probable travel time. */
  maxTravelTimeS?: number;
  maxDistanceM?: number;
  /** Override the pollutant's T90, hours. */
  t90H?: number;
  /** Look-back for a source's own exceedances before the onset, default 72 h. */
  lookBackS?: number;
}

/** The five factors of the score. */
export interface TraceFactors {
  match: number;
  timing: number;
  decay: number;
  dilution: number;
  monitoring: number;
}

/** A ranked candidate source. */
export interface TraceCandidate {
  rank: number;
  source: PollutionSource;
  score: number;
  /** score / sum of all scores. */
  share: number;
  suspect: boolean;
  distanceM: number;
  /** Peak travel time source → section (most probable), s. */
  travelTimeS: number;
  /** Earliest credible arrival (leading edge, maximum probable velocity), s. */
  earliestS: number;
  factors: TraceFactors;
  explanation: string[];
}

/** Result of a trace, with the formula for the decision log. */
export interface TraceResult {
  origin: Position;
  pollutant: string;
  candidates: TraceCandidate[];
  reachesVisited: number;
  formula: string;
}

export const TRACE_FORMULA =
  'score = match · timing · 10^(−Tp/T90) · (Q_source/Q_section) · monitoring; Tp by Jobson (1996) reach by reach';

const hours = (s: number) => `${(s / HOUR).toFixed(1)} h`;
const km = (m: number) => `${(m / 1000).toFixed(1)} km`;

/** Rank the pollution sources upstream of a section or point. */
export function traceUpstream(net: RiverNetwork, query: TraceQuery): TraceResult {
  const origin = typeof query.at === 'string' ? net.positionOf(query.at) : query.at;
  if (!origin) throw new RangeError(`unknown section ${String(query.at)}`);
  const originReach = net.reachIndex(origin.reach);
  const t90 = (query.t90H ?? POLLUTANT_T90_H[query.pollutant] ?? Number.POSITIVE_INFINITY) * HOUR;
  const onset = query.onsetAt ?? query.observedAt;
  const lookBack = query.lookBackS ?? 72 * HOUR;
  const qSection = net.q[originReach]!;
  const found: Omit<TraceCandidate, 'rank' | 'share' | 'suspect'>[] = [];

  const reachesVisited = walkUpstream(
    net,
    origin,
    query.maxTravelTimeS ?? 72 * HOUR,
    query.maxDistanceM ?? Number.POSITIVE_INFINITY,
    (r, timeMostS, timeMaxS, distanceM) => {
      const sources = net.sourcesOn[r];
      if (!sources) return;
      const length = net.length[r]!;
      for (const source of sources) {
        if (r === originReach && source.fraction > origin.fraction) continue;
        const below = (1 - source.fraction) * length;
        const travelTimeS = timeMostS + below / net.vMost[r]!;
        // Earliest credible arrival: leading edge with the maximum probable velocity.
        const earliestS = LEADING_EDGE_RATIO * (timeMaxS + below / net.vMax[r]!);
        found.push(
          score(source, {
            distanceM: distanceM + below,
            travelTimeS,
            earliestS,
            pollutant: query.pollutant,
            onset,
            observedAt: query.observedAt,
            lookBack,
            t90,
            dilution: Math.min(1, net.q[r]! / qSection),
          }),
        );
      }
    },
  );

  found.sort((a, b) => b.score - a.score || a.distanceM - b.distanceM);
  const total = found.reduce((s, c) => s + c.score, 0);
  const best = found[0]?.score ?? 0;
  const candidates = found.map((c, i) => ({
    ...c,
    rank: i + 1,
    share: total > 0 ? c.score / total : 0,
    suspect: c.factors.match === 1 && c.score >= 0.1 * best && best > 0,
  }));
  return { origin, pollutant: query.pollutant, candidates, reachesVisited, formula: TRACE_FORMULA };
}

interface Context {
  distanceM: number;
  travelTimeS: number;
  earliestS: number;
  pollutant: string;
  onset: number;
  observedAt: number;
  lookBack: number;
  t90: number;
  dilution: number;
}

function score(source: PollutionSource, c: Context): Omit<TraceCandidate, 'rank' | 'share' | 'suspect'> {
  const explanation: string[] = [
    `${source.name} (${source.kind}) is ${km(c.distanceM)} upstream; peak travel time ${hours(c.travelTimeS)}, leading edge from ${hours(c.earliestS)} (Jobson 1996)`,
  ];
  const matched = pollutantMatches(c.pollutant, source.pollutants);
  const match = matched ? 1 : 0.05;
  explanation.push(
    matched
      ? `discharges ${source.pollutants.join(', ')}, which explains ${c.pollutant}`
      : `discharges ${source.pollutants.join(', ')}, not known to cause ${c.pollutant} (×0.05)`,
  );

  const relevant = source.monitoring.exceedances.filter((e) => pollutantMatches(c.pollutant, [e.pollutant]));
  let timing = 1;
  if (relevant.length > 0) {
    const sigma = Math.max(HOUR, c.travelTimeS / 2);
    let bestGap = Number.POSITIVE_INFINITY;
    for (const e of relevant) {
      const lo = Date.parse(e.from) + c.earliestS * 1000;
      const hi = (e.to ? Date.parse(e.to) : c.observedAt) + 1.5 * c.travelTimeS * 1000;
      bestGap = Math.min(bestGap, c.onset < lo ? lo - c.onset : c.onset > hi ? c.onset - hi : 0);
    }
    timing = Math.exp(-0.5 * (bestGap / 1000 / sigma) ** 2);
    explanation.push(
      bestGap === 0
        ? 'its own recorded exceedance would reach the section when the exceedance began (timing 1)'
        : `its recorded exceedance misses the onset by ${hours(bestGap / 1000)} (timing ${timing.toFixed(2)})`,
    );
  } else {
    explanation.push('no timing record from the source; timing not constraining (1)');
  }

  const decay = Number.isFinite(c.t90) ? 10 ** (-c.travelTimeS / c.t90) : 1;
  explanation.push(
    Number.isFinite(c.t90)
      ? `decay 10^(−${hours(c.travelTimeS)}/${hours(c.t90)}) = ${decay.toFixed(2)}`
      : 'treated as conservative (no decay)',
  );
  explanation.push(`dilution by tributaries: Q at source / Q at section = ${c.dilution.toFixed(2)}`);

  const recent = relevant.filter((e) => {
    const from = Date.parse(e.from);
    const to = e.to ? Date.parse(e.to) : Number.POSITIVE_INFINITY;
    return from <= c.observedAt && to >= c.onset - c.lookBack - c.travelTimeS * 1000;
  });
  let monitoring = 1;
  if (source.monitoring.online) {
    monitoring = recent.length > 0 ? 2 : 0.5;
    explanation.push(
      recent.length > 0
        ? `its online monitor reported ${recent.map((e) => `${e.pollutant} from ${e.from}`).join('; ')} (×2)`
        : 'its online monitor reported no matching exceedance (×0.5)',
    );
  } else {
    explanation.push('no online monitoring at the outfall (×1)');
  }
  const limits = Object.entries(source.permit).map(([p, v]) => `${p} ≤ ${v} mg/L`);
  if (limits.length > 0) explanation.push(`permit limits: ${limits.join(', ')}`);

  const factors = { match, timing, decay, dilution: c.dilution, monitoring };
  const total = match * timing * decay * c.dilution * monitoring;
  explanation.push(
    `score = ${[match, timing, decay, c.dilution, monitoring].map((x) => x.toFixed(2)).join(' × ')} = ${total.toFixed(3)}`,
  );
  return {
    source,
    score: total,
    distanceM: c.distanceM,
    travelTimeS: c.travelTimeS,
    earliestS: c.earliestS,
    factors,
    explanation,
  };
}
