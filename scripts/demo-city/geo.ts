// Small geometry and randomness helpers for the demo-city generator (plain lon/lat arrays).
import { readFileSync } from 'node:fs';

export type Pt = [number, number];
export type Ring = Pt[];
export type Poly = Ring[];
export type Multi = Poly[];

/** Longitude scale used for planar work (cos 29.8°), so Voronoi distances are roughly isotropic. */
export const KX = Math.cos((29.8 * Math.PI) / 180);

/** Deterministic 32-bit PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a hash of a string, used to key the PRNG on a division code. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Standard normal sample from a uniform PRNG (Box–Muller). */
export function gaussian(rand: () => number): number {
  const u = 1 - rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** Parses a simple CSV (double-quoted fields without embedded quotes) into header-keyed rows. */
export function readCsv(path: string): Record<string, string>[] {
  const lines = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  const split = (l: string) => l.split(',').map((f) => f.replace(/^"|"$/g, ''));
  const head = split(lines[0] ?? '');
  return lines.slice(1).map((l) => Object.fromEntries(split(l).map((f, i) => [head[i], f])));
}

/** Planar distance between two lon/lat points with longitude scaled by KX. */
export function dist(a: Pt, b: Pt): number {
  return Math.hypot((a[0] - b[0]) * KX, a[1] - b[1]);
}

/** Even-odd point-in-ring test. */
export function inRing(p: Pt, ring: Ring): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Point-in-multipolygon test (holes respected). */
export function inMulti(p: Pt, m: Multi): boolean {
  return m.some((poly) => inRing(p, poly[0]!) && !poly.slice(1).some((h) => inRing(p, h)));
}

/** Signed shoelace area of a ring in square degrees (positive when counter-clockwise). */
export function ringArea(ring: Ring): number {
  let a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    a += (ring[j]![0] - ring[i]![0]) * (ring[j]![1] + ring[i]![1]);
  }
  return a / 2;
}

/** Bounding box [minX, minY, maxX, maxY] of a multipolygon. */
export function bbox(m: Multi): [number, number, number, number] {
  const b: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const poly of m)
    for (const [x, y] of poly[0]!) {
      b[0] = Math.min(b[0], x);
      b[1] = Math.min(b[1], y);
      b[2] = Math.max(b[2], x);
      b[3] = Math.max(b[3], y);
    }
  return b;
}

/** Rounds coordinates, drops repeated vertices and degenerate rings/polygons. */
export function roundMulti(m: Multi, digits = 5): Multi {
  const f = 10 ** digits;
  const r = (v: number) => Math.round(v * f) / f;
  const out: Multi = [];
  for (const poly of m) {
    const rings: Poly = [];
    for (const ring of poly) {
      const pts: Ring = [];
      for (const [x, y] of ring) {
        const q: Pt = [r(x), r(y)];
        const last = pts[pts.length - 1];
        if (!last || last[0] !== q[0] || last[1] !== q[1]) pts.push(q);
      }
      const first = pts[0]!;
      const last = pts[pts.length - 1]!;
      if (first[0] !== last[0] || first[1] !== last[1]) pts.push([first[0], first[1]]);
      if (pts.length >= 4 && Math.abs(ringArea(pts)) > 1e-10) rings.push(pts);
      else if (rings.length === 0) break; // outer ring collapsed: drop the polygon
    }
    if (rings.length > 0) out.push(rings);
  }
  return rewind(out);
}

/** Orients rings as RFC 7946 asks: outer rings counter-clockwise, holes clockwise. */
export function rewind(m: Multi): Multi {
  return m.map((poly) =>
    poly.map((ring, k) => (ringArea(ring) > 0 === (k === 0) ? ring : [...ring].reverse())),
  );
}

/** GeoJSON geometry for a multipolygon: a Polygon when it has one part. */
export function toGeometry(m: Multi): { type: 'Polygon' | 'MultiPolygon'; coordinates: Poly | Multi } {
  return m.length === 1 ? { type: 'Polygon', coordinates: m[0]! } : { type: 'MultiPolygon', coordinates: m };
}
