/**
 * Matching a day's parking requests to shared spaces: greedy by start time, nearest feasible
 * space first. Requests are taken in order of their start; each goes to the nearest space within
 * its walking distance whose offered windows cover the request and that is free by then (its
 * last assignment has ended). Processed in start order, a space's assignments are appended in
 * time order, so "free by then" is one comparison with its last end. The nearest-first search is
 * a kd-tree walk (geokdbush) over cells of interchangeable spaces (same position, same windows)
 * that stops at the first cell with a feasible space. README.md says why this and
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

/**
 * The spaces grouped into cells — spaces at one position under the same windows are
 * interchangeable (a site's shared spaces) — with each cell's offered stretches over [from, to),
 * and a kd-tree of the cells.
 */
export function prepareSpaces(spaces: MatchSpace[], from: number, to: number, offsetMin: number) {
  const byWindows = new Map<string, [number, number][]>();
  const cellOf = new Map<string, number>();
  const cells: { lon: number; lat: number; stretches: [number, number][]; members: number[] }[] = [];
  for (const [k, s] of spaces.entries()) {
    const w = JSON.stringify(s.windows);
    let stretches = byWindows.get(w);
    if (!stretches) {
      stretches = occurrences(s.windows, from, to, offsetMin);
      byWindows.set(w, stretches);
    }
    const key = `${s.lon},${s.lat},${w}`;
    let c = cellOf.get(key);
    if (c === undefined) {
      c = cells.length;
      cellOf.set(key, c);
      cells.push({ lon: s.lon, lat: s.lat, stretches, members: [] });
    }
    cells[c]!.members.push(k);
  }
  // kdbush wants at least one point: an empty city gets a far-away dummy no request reaches.
  const index = new KDBush(Math.max(1, cells.length));
  for (const c of cells) index.add(c.lon, c.lat);
  if (cells.length === 0) index.add(-180, -90);
  index.finish();
  return { cells, index };
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
  const { cells, index } = prepareSpaces(spaces, span.from, span.to, span.offsetMin);
  const lastEnd = new Float64Array(spaces.length).fill(-Infinity);
  // Earliest end among a cell's spaces: the cell has a free space at t when it is ≤ t.
  const cellFree = new Float64Array(cells.length).fill(-Infinity);
  const order = requests.map((_, i) => i).sort((a, b) => requests[a]!.from - requests[b]!.from || a - b);
  const assigned = new Int32Array(requests.length).fill(-1);
  const walkM = new Float64Array(requests.length).fill(Number.NaN);
  let matched = 0;
  let bookedMs = 0;
  for (const i of order) {
    const r = requests[i]!;
    const c = around(
      index,
      r.lon,
      r.lat,
      1,
      r.maxWalkM / 1000,
      (k) => cellFree[k]! <= r.from && fits(cells[k]!.stretches, r.from, r.to),
    )[0];
    if (c === undefined || c >= cells.length) continue;
    const cell = cells[c]!;
    let found = -1;
    let min = Infinity;
    for (const k of cell.members) {
      if (found < 0 && lastEnd[k]! <= r.from) {
        found = k;
        lastEnd[k] = r.to;
      }
      min = Math.min(min, lastEnd[k]!);
    }
    cellFree[c] = min;
    assigned[i] = found;
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
  const stretches = spaces.map((s) => occurrences(s.windows, span.from, span.to, span.offsetMin));
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
