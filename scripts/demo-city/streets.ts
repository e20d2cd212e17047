// Street/town seeds inside a district region, and their Voronoi cells clipped to that region.
import pc from 'polygon-clipping';
import { voronoiCells } from './districts.ts';
import { bbox, dist, gaussian, hashString, inMulti, KX, type Multi, mulberry32, type Pt } from './geo.ts';

export type Street = { code: string; name: string };

const URBAN_SUFFIX = '街道';

/** Draws a point inside the region: near the seat (Gaussian, sigma in degrees) or uniformly. */
function draw(rand: () => number, region: Multi, seat: Pt, sigma: number | null): Pt {
  const [x0, y0, x1, y1] = bbox(region);
  for (let tries = 0; tries < 10_000; tries++) {
    const useSeat = sigma !== null && tries < 200;
    const p: Pt = useSeat
      ? [seat[0] + (gaussian(rand) * sigma) / KX, seat[1] + gaussian(rand) * sigma]
      : [x0 + rand() * (x1 - x0), y0 + rand() * (y1 - y0)];
    if (inMulti(p, region)) return p;
  }
  throw new Error('could not place a seed inside a district region');
}

/**
 * One seed per street, deterministic (PRNG keyed on the street code). Pinned seeds are used as given;
 * in a district without pins the first urban street (街道), or else the first street, sits on the seat.
 * Other 街道 cluster around the seat, towns (镇/乡) spread over the district; best-candidate sampling
 * keeps seeds apart.
 */
export function streetSeeds(seat: Pt, region: Multi, streets: Street[], pins: Record<string, Pt>): Pt[] {
  const urban = streets.filter((s) => s.name.endsWith(URBAN_SUFFIX));
  const hasPins = streets.some((s) => pins[s.code]);
  const seatStreet = hasPins ? undefined : (urban[0] ?? streets[0])?.code;
  const sigma = 0.012 * Math.sqrt(Math.max(1, urban.length));
  const seeds = new Map<string, Pt>();
  for (const s of streets) {
    const pin = pins[s.code] ?? (s.code === seatStreet ? seat : undefined);
    if (!pin) continue;
    if (!inMulti(pin, region)) throw new Error(`pinned seed of ${s.code} ${s.name} is outside its district`);
    seeds.set(s.code, pin);
  }
  const order = [...urban, ...streets.filter((s) => !s.name.endsWith(URBAN_SUFFIX))];
  for (const s of order) {
    if (seeds.has(s.code)) continue;
    const rand = mulberry32(hashString(s.code));
    const isUrban = s.name.endsWith(URBAN_SUFFIX);
    let best: Pt | null = null;
    let bestD = -1;
    for (let c = 0; c < (isUrban ? 4 : 12); c++) {
      const p = draw(rand, region, seat, isUrban ? sigma : null);
      const d = Math.min(Infinity, ...[...seeds.values()].map((q) => dist(p, q)));
      if (d > bestD) [best, bestD] = [p, d];
    }
    seeds.set(s.code, best!);
  }
  return streets.map((s) => seeds.get(s.code)!);
}

/** Voronoi cells of the seeds, each intersected with the region: an exact tiling of the region. */
export function streetCells(seeds: Pt[], region: Multi): Multi[] {
  if (seeds.length === 1) return [region];
  const [x0, y0, x1, y1] = bbox(region);
  const cells = voronoiCells(seeds, [x0 - 0.01, y0 - 0.01, x1 + 0.01, y1 + 0.01]);
  return cells.map((cell) => pc.intersection([cell], region));
}
