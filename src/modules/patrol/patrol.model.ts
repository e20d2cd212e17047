import { cellOf, ringsAround, type StudyArea } from './patrol.grid.ts';

/** An incident as the model sees it: where, when, and through which channel it became known. */
export interface Incident {
  id: string;
  lon: number;
  lat: number;
  /** When it happened or was reported (ms since epoch). */
  at: number;
  /** The event centre's source: 'citizen' (reports and hotline calls), 'patrol', 'sensor_alert', 'system'. */
  source: string;
  synthetic: boolean;
}

/**
 * The only sources the model learns from: incidents people reported (the citizen channel, which
 * includes 12345 hotline calls entered by operators). Never 'patrol' — incidents patrols found
 * themselves would send patrols back to where patrols already are (Ensign et al. 2018).
 */
export const REPORTED_SOURCES: readonly string[] = ['citizen'];

/** Parameters of the space-time kernel density. */
export interface KernelParams {
  /** Spatial bandwidth in H3 rings (quartic kernel, zero beyond it). */
  bandwidthRings: number;
  /** Half-life of an incident's weight, days (exponential temporal kernel). */
  halfLifeDays: number;
  /** Training window, days before the prediction time. */
  windowDays: number;
}

/** Default kernel: 2 rings (~350 m), half-life 6 weeks, a year of history. */
export const DEFAULT_KERNEL: KernelParams = { bandwidthRings: 2, halfLifeDays: 42, windowDays: 364 };

const DAY = 86_400_000;
/** One week in ms. */
export const WEEK = 7 * DAY;

/** Reported incidents in the study area, by time; what was left out is counted. */
export interface Prepared {
  cell: Int32Array;
  at: Float64Array;
  count: number;
  /** Incidents left out, by source (patrol-discovered and other unreported channels). */
  excluded: Record<string, number>;
  /** Reported incidents outside the study area's cells. */
  outside: number;
  /** Sources of the incidents kept (always a subset of REPORTED_SOURCES). */
  sources: string[];
  synthetic: number;
}

/** Keeps reported incidents only, maps them to cells and sorts them by time. */
export function prepareIncidents(area: StudyArea, incidents: Incident[]): Prepared {
  const kept: { cell: number; at: number }[] = [];
  const excluded: Record<string, number> = {};
  const sources = new Set<string>();
  let outside = 0;
  let synthetic = 0;
  for (const x of incidents) {
    if (!REPORTED_SOURCES.includes(x.source)) {
      excluded[x.source] = (excluded[x.source] ?? 0) + 1;
      continue;
    }
    const cell = cellOf(area, x.lon, x.lat);
    if (cell < 0) {
      outside++;
      continue;
    }
    sources.add(x.source);
    if (x.synthetic) synthetic++;
    kept.push({ cell, at: x.at });
  }
  kept.sort((a, b) => a.at - b.at);
  return {
    cell: Int32Array.from(kept, (k) => k.cell),
    at: Float64Array.from(kept, (k) => k.at),
    count: kept.length,
    excluded,
    outside,
    sources: [...sources].sort(),
    synthetic,
  };
}

/** First index with at ≥ t (incidents are sorted by time). */
export function lowerBound(at: Float64Array, t: number): number {
  let lo = 0;
  let hi = at.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (at[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A score per cell for a prediction made at `until` from incidents before it. */
export type Scorer = (area: StudyArea, p: Prepared, until: number) => Float64Array;

/**
 * Space-time kernel density (Nakaya & Yano 2010; the prospective hot-spotting of Bowers, Johnson
 * & Pease 2004): each incident in the window adds w_t · K(d) to the cells within the bandwidth,
 * w_t = 2^(−age/half-life), K(d) = (1 − (d/(h+1))²)² the quartic kernel of ring distance d.
 */
export function stkde(params: KernelParams = DEFAULT_KERNEL): Scorer {
  const h = params.bandwidthRings;
  const k = Array.from({ length: h + 1 }, (_, d) => (1 - (d / (h + 1)) ** 2) ** 2);
  const decay = Math.LN2 / (params.halfLifeDays * DAY);
  return (area, p, until) => {
    const score = new Float64Array(area.h3.length);
    const start = lowerBound(p.at, until - params.windowDays * DAY);
    const end = lowerBound(p.at, until);
    // Sum the temporal weights per cell first: the spatial spread then runs once per cell, not per incident.
    const w = new Float64Array(area.h3.length);
    const touched: number[] = [];
    for (let i = start; i < end; i++) {
      const c = p.cell[i]!;
      if (w[c] === 0) touched.push(c);
      w[c]! += Math.exp(-decay * (until - p.at[i]!));
    }
    for (const c of touched) {
      const wc = w[c]!;
      score[c]! += wc * k[0]!;
      const rings = ringsAround(area, c, h);
      let o = 0;
      for (let d = 1; d <= h; d++) {
        const n = rings[o++]!;
        const kd = wc * k[d]!;
        for (let j = 0; j < n; j++) score[rings[o++]!]! += kd;
      }
    }
    return score;
  };
}

/** The baseline: a plain count per cell over the same window (what a pin map shows). */
export function cellCounts(windowDays = DEFAULT_KERNEL.windowDays): Scorer {
  return (area, p, until) => {
    const score = new Float64Array(area.h3.length);
    const end = lowerBound(p.at, until);
    for (let i = lowerBound(p.at, until - windowDays * DAY); i < end; i++) score[p.cell[i]!]! += 1;
    return score;
  };
}

/** Cell indexes by score, highest first (ties: lower index); only cells `keep` allows. */
export function ranking(score: Float64Array, keep?: (c: number) => boolean): Int32Array {
  const ids: number[] = [];
  for (let c = 0; c < score.length; c++) if (!keep || keep(c)) ids.push(c);
  ids.sort((a, b) => score[b]! - score[a]! || a - b);
  return Int32Array.from(ids);
}

/** The area shares the PAI curve is given at. */
export const AREA_SHARES = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2] as const;
/** The area share of the headline PAI. */
export const HEADLINE_SHARE = 0.01;

/** One point of the PAI curve. */
export interface PaiPoint {
  areaShare: number;
  cells: number;
  hits: number;
  hitRate: number;
  pai: number;
}

/** Held-out accuracy: PAI at each area share over the test weeks. */
export interface Accuracy {
  testWeeks: { from: string; to: string; incidents: number; hitsAtHeadline: number }[];
  testIncidents: number;
  cells: number;
  curve: PaiPoint[];
  pai: number;
}

/**
 * Prediction accuracy index (Chainey, Tompson & Uhlig 2008): PAI = (hits / incidents) / (cells
 * flagged / all cells), on held-out weeks — for each of the last `weeks` weeks before `end`, the
 * model is fitted on the incidents before the week and tested on the week's incidents.
 */
export function evaluate(
  area: StudyArea,
  p: Prepared,
  scorer: Scorer,
  end: number,
  weeks: number,
  shares: readonly number[] = AREA_SHARES,
): Accuracy {
  const N = area.h3.length;
  const flagged = shares.map((s) => Math.max(1, Math.round(s * N)));
  const hits = shares.map(() => 0);
  const testWeeks: Accuracy['testWeeks'] = [];
  let total = 0;
  const head = shares.indexOf(HEADLINE_SHARE);
  for (let w = weeks; w >= 1; w--) {
    const from = end - w * WEEK;
    const to = from + WEEK;
    const order = ranking(scorer(area, p, from));
    const rank = new Int32Array(N);
    for (let r = 0; r < order.length; r++) rank[order[r]!] = r;
    const a = lowerBound(p.at, from);
    const b = lowerBound(p.at, to);
    const weekHits = shares.map(() => 0);
    for (let i = a; i < b; i++) {
      const r = rank[p.cell[i]!]!;
      flagged.forEach((n, s) => {
        if (r < n) weekHits[s]!++;
      });
    }
    weekHits.forEach((h, s) => {
      hits[s]! += h;
    });
    total += b - a;
    testWeeks.push({
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      incidents: b - a,
      hitsAtHeadline: head >= 0 ? weekHits[head]! : 0,
    });
  }
  const curve = shares.map((areaShare, s) => {
    const hitRate = total ? hits[s]! / total : 0;
    const share = flagged[s]! / N;
    return {
      areaShare,
      cells: flagged[s]!,
      hits: hits[s]!,
      hitRate: round(hitRate),
      pai: round(hitRate / share),
    };
  });
  const headline = curve.find((c) => c.areaShare === HEADLINE_SHARE) ?? curve[0]!;
  return { testWeeks, testIncidents: total, cells: N, curve, pai: headline.pai };
}

/** Rounds to 4 decimals. */
export function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
