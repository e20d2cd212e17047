import type { LifeCircleCoverage } from '../cockpit/layers.ts';

/** One street of the life circle layer. */
export type LifeCircleStreet = LifeCircleCoverage['streets'][number];

/** Lower bounds of the bins of a street's mean share over the eight categories. */
export const LIFECIRCLE_BINS = [0, 0.4, 0.55, 0.7, 0.85] as const;

/** Bin colours, poor to good (ColorBrewer RdYlGn). */
export const LIFECIRCLE_COLOURS: [number, number, number][] = [
  [215, 48, 39],
  [252, 141, 89],
  [254, 224, 139],
  [145, 207, 96],
  [26, 152, 80],
];

/** Mean share of residents within 15 minutes over the eight categories, 0–1. */
export function meanShare(s: LifeCircleStreet): number {
  const v = Object.values(s.share);
  return v.length ? v.reduce((a, x) => a + x, 0) / v.length : 0;
}

/** The bin (0–4) of a street. */
export function lifeCircleBin(s: LifeCircleStreet): number {
  const m = meanShare(s);
  let bin = 0;
  LIFECIRCLE_BINS.forEach((floor, k) => {
    if (m >= floor) bin = k;
  });
  return bin;
}

/** Streets per bin. */
export function binCounts(streets: readonly LifeCircleStreet[]): number[] {
  const counts = LIFECIRCLE_BINS.map(() => 0);
  for (const s of streets) counts[lifeCircleBin(s)]!++;
  return counts;
}
