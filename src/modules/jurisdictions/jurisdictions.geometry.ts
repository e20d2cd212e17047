import type { AreaGeometry } from './jurisdictions.schema.ts';

/** A ring of [lon, lat] positions, closed (first = last). */
export type Ring = number[][];
/** A polygon: outer ring, then holes. */
export type Polygon = Ring[];

/** The polygons of a Polygon or MultiPolygon. */
export function polygonsOf(geometry: AreaGeometry): Polygon[] {
  return geometry.type === 'Polygon'
    ? [geometry.coordinates as Polygon]
    : (geometry.coordinates as Polygon[]);
}

/** [west, south, east, north] of the outer rings (holes lie inside them). */
export function bboxOf(polygons: Polygon[]): [number, number, number, number] {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  for (const polygon of polygons) {
    for (const p of polygon[0] ?? []) {
      const x = p[0]!;
      const y = p[1]!;
      if (x < w) w = x;
      if (x > e) e = x;
      if (y < s) s = y;
      if (y > n) n = y;
    }
  }
  return [w, s, e, n];
}

/**
 * The edges of all rings of a polygon as [ax, ay, bx, by, …], each stored from its lower end
 * whatever the ring's direction: two polygons sharing an edge then compute the very same
 * crossing, so a point near (not on) the edge falls in exactly one of them.
 */
export function edgesOf(polygon: Polygon): Float64Array {
  const edges = new Float64Array(polygon.reduce((n, ring) => n + 4 * (ring.length - 1), 0));
  let k = 0;
  for (const ring of polygon) {
    for (let i = 1; i < ring.length; i++) {
      const p = ring[i - 1]!;
      const q = ring[i]!;
      const flip = p[1]! > q[1]! || (p[1] === q[1] && p[0]! > q[0]!);
      const [lo, hi] = flip ? [q, p] : [p, q];
      edges.set([lo[0]!, lo[1]!, hi[0]!, hi[1]!], k);
      k += 4;
    }
  }
  return edges;
}

/**
 * True when the point lies in the polygon (given by `edgesOf`) or on its boundary. Even-odd over the
 * edges of all rings, so holes are excluded; their edges are boundary, so they count as inside.
 */
export function edgesContain(edges: Float64Array, x: number, y: number): boolean {
  let inside = false;
  for (let k = 0; k < edges.length; k += 4) {
    const ay = edges[k + 1]!;
    const by = edges[k + 3]!;
    if (y < ay || y > by) continue;
    const ax = edges[k]!;
    const bx = edges[k + 2]!;
    const cross = (bx - ax) * (y - ay) - (by - ay) * (x - ax);
    if (cross === 0 && x >= Math.min(ax, bx) && x <= Math.max(ax, bx)) return true;
    // Half-open in y so a ray through a vertex counts it once; cross > 0: the edge is right of the point.
    if (y < by && cross > 0) inside = !inside;
  }
  return inside;
}

/** True when the point lies in the polygon or on its boundary (see edgesContain). */
export function polygonContains(polygon: Polygon, x: number, y: number): boolean {
  return edgesContain(edgesOf(polygon), x, y);
}

/** Signed planar area of a ring in square degrees (enough to compare parts of one shape). */
function ringArea(ring: Ring): number {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    sum += ring[j]![0]! * ring[i]![1]! - ring[i]![0]! * ring[j]![1]!;
  }
  return sum / 2;
}

/**
 * A point inside the largest part, for labels: its outer ring's centroid when that lies inside,
 * otherwise the middle of the widest inside stretch of the horizontal line through the centroid
 * (concave shapes and shapes with holes often have their centroid outside).
 */
export function labelPoint(polygons: Polygon[]): [number, number] {
  let best = polygons[0]!;
  for (const p of polygons) if (Math.abs(ringArea(p[0]!)) > Math.abs(ringArea(best[0]!))) best = p;
  const outer = best[0]!;
  const area = ringArea(outer);
  let cx = 0;
  let cy = 0;
  for (let i = 0, j = outer.length - 1; i < outer.length; j = i++) {
    const f = outer[j]![0]! * outer[i]![1]! - outer[i]![0]! * outer[j]![1]!;
    cx += (outer[j]![0]! + outer[i]![0]!) * f;
    cy += (outer[j]![1]! + outer[i]![1]!) * f;
  }
  const [w, s, e, n] = bboxOf([best]);
  if (area === 0) return [(w + e) / 2, (s + n) / 2];
  cx /= 6 * area;
  cy /= 6 * area;
  if (polygonContains(best, cx, cy)) return [cx, cy];
  const xs: number[] = [];
  for (const ring of best) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [ax, ay] = ring[j]! as [number, number];
      const [bx, by] = ring[i]! as [number, number];
      if (ay > cy !== by > cy) xs.push(ax + ((cy - ay) * (bx - ax)) / (by - ay));
    }
  }
  xs.sort((a, b) => a - b);
  let label: [number, number] = [(w + e) / 2, (s + n) / 2];
  let widest = -1;
  for (let i = 0; i + 1 < xs.length; i += 2) {
    if (xs[i + 1]! - xs[i]! > widest) {
      widest = xs[i + 1]! - xs[i]!;
      label = [(xs[i]! + xs[i + 1]!) / 2, cy];
    }
  }
  return label;
}
