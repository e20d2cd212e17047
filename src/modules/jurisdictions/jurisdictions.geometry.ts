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
 * True when the point lies in the polygon or on its boundary (holes excluded, their edges included).
 * Each edge is read from its lower end whatever the ring's direction, so two polygons sharing an
 * edge compute the same crossing and a point near (not on) the edge falls in exactly one of them.
 */
export function polygonContains(polygon: Polygon, x: number, y: number): boolean {
  let inside = false;
  for (const ring of polygon) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const p = ring[j]!;
      const q = ring[i]!;
      const flip = p[1]! > q[1]! || (p[1] === q[1] && p[0]! > q[0]!);
      const ax = flip ? q[0]! : p[0]!;
      const ay = flip ? q[1]! : p[1]!;
      const bx = flip ? p[0]! : q[0]!;
      const by = flip ? p[1]! : q[1]!;
      if (y < ay || y > by) continue;
      const cross = (bx - ax) * (y - ay) - (by - ay) * (x - ax);
      if (cross === 0 && x >= Math.min(ax, bx) && x <= Math.max(ax, bx)) return true;
      // Half-open in y so a ray through a vertex counts it once; cross > 0 means the edge is right of the point.
      if (y < by && cross > 0) inside = !inside;
    }
  }
  return inside;
}

/** True when any polygon of the list contains the point (boundary included). */
export function polygonsContain(polygons: Polygon[], x: number, y: number): boolean {
  return polygons.some((p) => polygonContains(p, x, y));
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
