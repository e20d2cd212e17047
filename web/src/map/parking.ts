import type { ParkingSites } from '../cockpit/layers.ts';

/** One site of the parking layer. */
export type ParkingSite = ParkingSites['items'][number];

/** Lower bounds of the bins of a site's free spaces over its shared spaces (free / total). */
export const PARKING_BINS = [0, 0.1, 0.3, 0.6] as const;

/** Bin colours, full to plenty free (ColorBrewer RdYlGn); grey: not offered now. */
export const PARKING_COLOURS: [number, number, number][] = [
  [215, 48, 39],
  [253, 174, 97],
  [166, 217, 106],
  [26, 150, 65],
];
export const PARKING_CLOSED: [number, number, number] = [150, 160, 175];

/** Free spaces over shared spaces, 0–1. */
export function freeShare(s: ParkingSite): number {
  return s.total > 0 ? s.free / s.total : 0;
}

/** The bin (0–3) of a site offered now, or -1 when none of its groups is offered now. */
export function parkingBin(s: ParkingSite): number {
  if (!s.sharedNow) return -1;
  const share = freeShare(s);
  let bin = 0;
  PARKING_BINS.forEach((floor, k) => {
    if (share >= floor) bin = k;
  });
  return bin;
}

/** A site's colour. */
export function parkingColour(s: ParkingSite): [number, number, number] {
  const bin = parkingBin(s);
  return bin < 0 ? PARKING_CLOSED : PARKING_COLOURS[bin]!;
}

/** Dot radius in pixels by the number of shared spaces (area ∝ capacity). */
export function parkingRadius(s: ParkingSite): number {
  return 3 + Math.min(9, Math.sqrt(s.total) * 0.8);
}

/** Sites per bin (index 0–3) and not offered now (index 4). */
export function parkingCounts(sites: readonly ParkingSite[]): number[] {
  const counts = [0, 0, 0, 0, 0];
  for (const s of sites) {
    const bin = parkingBin(s);
    counts[bin < 0 ? 4 : bin]!++;
  }
  return counts;
}

/**
 * The weekly windows as text: days as ranges of the given weekday names (1 = Monday),
 * e.g. `Mon–Fri 19:00–07:30; Sat–Sun 00:00–24:00`. Repeated windows are given once.
 */
export function windowsText(windows: ParkingSite['windows'], weekdays: readonly string[]): string {
  const parts = windows.map((w) => `${dayRanges(w.days, weekdays)} ${w.from}–${w.to}`);
  return [...new Set(parts)].join('; ');
}

function dayRanges(days: readonly number[], names: readonly string[]): string {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    const a = names[sorted[i]! - 1] ?? String(sorted[i]);
    const b = names[sorted[j]! - 1] ?? String(sorted[j]);
    out.push(i === j ? a : `${a}–${b}`);
    i = j + 1;
  }
  return out.join(',');
}
