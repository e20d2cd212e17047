// District regions: Voronoi cells of district generators (seat, centroid, anchors), clipped to the outline.
import { Delaunay } from 'd3-delaunay';
import pc from 'polygon-clipping';
import { KX, type Multi, type Pt, type Ring } from './geo.ts';

export type DistrictSeat = { code: string; name: string; seat: Pt; centroid: Pt };

/** Voronoi cells (lon/lat rings) of points, computed with longitude scaled by KX, within bounds. */
export function voronoiCells(points: Pt[], bounds: [number, number, number, number]): Ring[] {
  const voronoi = Delaunay.from(points.map(([x, y]) => [x * KX, y])).voronoi([
    bounds[0] * KX,
    bounds[1],
    bounds[2] * KX,
    bounds[3],
  ]);
  return points.map((_, i) => {
    const cell = voronoi.cellPolygon(i);
    if (!cell) throw new Error(`no Voronoi cell for point ${i} (duplicate point?)`);
    return cell.map(([x, y]) => [x! / KX, y!] as Pt);
  });
}

/**
 * Partitions the outline into district regions: the hand-drawn Yuzhong peninsula, and for every
 * other district the union of the Voronoi cells of its generators, clipped to the outline minus Yuzhong.
 */
export function districtRegions(
  seats: DistrictSeat[],
  outline: Ring,
  yuzhong: { code: string; ring: Ring },
  anchors: Record<string, Pt[]>,
): Map<string, Multi> {
  const gens: { code: string; at: Pt }[] = [];
  for (const d of seats) {
    if (d.code === yuzhong.code) continue;
    for (const at of [d.seat, d.centroid, ...(anchors[d.code] ?? [])]) gens.push({ code: d.code, at });
  }
  const cells = voronoiCells(
    gens.map((g) => g.at),
    [104, 27, 112, 33],
  );
  const yz = pc.intersection([outline], [yuzhong.ring]);
  const rest = pc.difference([outline], yz);
  const regions = new Map<string, Multi>();
  for (const d of seats) {
    if (d.code === yuzhong.code) {
      regions.set(d.code, yz);
      continue;
    }
    const own = cells.filter((_, i) => gens[i]!.code === d.code).map((c) => [c]);
    regions.set(d.code, pc.intersection(pc.union(own[0]!, ...own.slice(1)), rest));
  }
  return regions;
}
