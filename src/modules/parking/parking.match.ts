/**
 * Matching a day's parking requests to shared spaces: greedy by start time, nearest feasible
 * space first. Requests are taken in order of their start; each goes to the nearest space within
 * its walking distance whose offered windows cover the request and that is free by then (its
 * last assignment has ended). Processed in start order, a space's assignments are appended in
 * time order, so "free by then" is one comparison with its last end. The nearest-first search is
 * a kd-tree walk (geokdbush) that stops at the first feasible space. README.md says why this and
 * not a min-cost assignment.
 */

import { around } from 'geokdbush';
import KDBush from 'kdbush';
import { type OfferWindow, occurrences } from './parking.windows.ts';

/** A space as the matcher sees it. */
export interface MatchSpace {
  id: string;
  lon: number;
  lat: number;
  windows: OfferWindow[];
}

/** A citizen's request: near a destination, for [from, to) epoch ms, walking at most `maxWalkM`. */
export interface MatchRequest {
  id: string;
  lon: number;
  lat: number;
  from: number;
  to: number;
  maxWalkM: number;
}

/** What a matching did. */
export interface MatchResult {
  /** Space index per request (in the input order), -1 when unmatched. */
  assigned: Int32Array;
  /** Walking distance (m) per request, NaN when unmatched. */
  walkM: Float64Array;
  matched: number;
  /** Assigned request time, ms. */
  bookedMs: number;
}

/** The spaces' offered stretches over [from, to), prepared once for many feasibility checks. */
export function prepareSpaces(spaces: MatchSpace[], from: number, to: number, offsetMin: number) {
  // Spaces share windows by the thousand: compute each distinct window set once.
  const byKey = new Map<string, [number, number][]>();
  const stretches = spaces.map((s) => {
    const key = JSON.stringify(s.windows);
    let o = byKey.get(key);
    if (!o) {
      o = occurrences(s.windows, from, to, offsetMin);
      byKey.set(key, o);
    }
    return o;
  });
  const index = new KDBush(spaces.length);
  for (const s of spaces) index.add(s.lon, s.lat);
  index.finish();
  return { stretches, index };
}

const fits = (stretches: [number, number][], from: number, to: number) => {
  for (const [s, e] of stretches) if (s <= from && to <= e) return true;
  return false;
};

/** Great-circle distance in metres. */
export function distanceM(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const r = Math.PI / 180;
  const a =
    Math.sin(((lat2 - lat1) * r) / 2) ** 2 +
    Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(((lon2 - lon1) * r) / 2) ** 2;
  return 12_742_000 * Math.asin(Math.sqrt(Math.min(1, a)));
}

/** Matches the requests of [dayFrom, dayTo) to the spaces: greedy by start, nearest feasible first. */
export function matchRequests(
  spaces: MatchSpace[],
  requests: MatchRequest[],
  span: { from: number; to: number; offsetMin: number },
): MatchResult {
  const { stretches, index } = prepareSpaces(spaces, span.from, span.to, span.offsetMin);
  const lastEnd = new Float64Array(spaces.length).fill(-Infinity);
  const order = requests.map((_, i) => i).sort((a, b) => requests[a]!.from - requests[b]!.from || a - b);
  const assigned = new Int32Array(requests.length).fill(-1);
  const walkM = new Float64Array(requests.length).fill(Number.NaN);
  let matched = 0;
  let bookedMs = 0;
  for (const i of order) {
    const r = requests[i]!;
    const found = around(
      index,
      r.lon,
      r.lat,
      1,
      r.maxWalkM / 1000,
      (k) => lastEnd[k]! <= r.from && fits(stretches[k]!, r.from, r.to),
    )[0];
    if (found === undefined) continue;
    assigned[i] = found;
    lastEnd[found] = r.to;
    const s = spaces[found]!;
    walkM[i] = distanceM(r.lon, r.lat, s.lon, s.lat);
    matched++;
    bookedMs += r.to - r.from;
  }
  return { assigned, walkM, matched, bookedMs };
}

/**
 * The naive matcher, for comparison: the same greedy order, but every request scans every space
 * (all pairs) for the nearest feasible one. Over `limit` requests of the start order.
 */
export function matchNaive(
  spaces: MatchSpace[],
  requests: MatchRequest[],
  span: { from: number; to: number; offsetMin: number },
  limit = requests.length,
): { matched: number; considered: number } {
  const { stretches } = prepareSpaces(spaces, span.from, span.to, span.offsetMin);
  const lastEnd = new Float64Array(spaces.length).fill(-Infinity);
  const order = requests.map((_, i) => i).sort((a, b) => requests[a]!.from - requests[b]!.from || a - b);
  let matched = 0;
  for (const i of order.slice(0, limit)) {
    const r = requests[i]!;
    let best = -1;
    let bestD = r.maxWalkM;
    for (let k = 0; k < spaces.length; k++) {
      const s = spaces[k]!;
      const d = distanceM(r.lon, r.lat, s.lon, s.lat);
      if (d <= bestD && lastEnd[k]! <= r.from && fits(stretches[k]!, r.from, r.to)) {
        best = k;
        bestD = d;
      }
    }
    if (best < 0) continue;
    lastEnd[best] = r.to;
    matched++;
  }
  return { matched, considered: Math.min(limit, requests.length) };
}
