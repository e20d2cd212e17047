// Noding: make shared boundaries carry identical vertex lists, so rounding keeps the tiling exact.
import Flatbush from 'flatbush';
import type { Multi, Pt, Ring } from './geo.ts';

/**
 * Inserts every vertex of every polygon that lies on an edge of another ring (within tol degrees)
 * into that edge. Afterwards two polygons that share a boundary list the same vertices along it, so
 * rounding moves both sides identically and leaves no gaps or overlaps.
 */
export function node(polys: Multi[], tol = 1e-9): Multi[] {
  const unique = new Map<string, Pt>();
  for (const m of polys)
    for (const poly of m) for (const ring of poly) for (const p of ring) unique.set(`${p[0]},${p[1]}`, p);
  const pts = [...unique.values()];
  const index = new Flatbush(Math.max(1, pts.length));
  for (const [x, y] of pts) index.add(x, y, x, y);
  if (pts.length === 0) index.add(0, 0, 0, 0);
  index.finish();

  const nodeRing = (ring: Ring): Ring => {
    const out: Ring = [];
    for (let i = 0; i + 1 < ring.length; i++) {
      const a = ring[i]!;
      const b = ring[i + 1]!;
      out.push(a);
      const dx = b[0] - a[0];
      const dy = b[1] - a[1];
      const len2 = dx * dx + dy * dy;
      if (len2 === 0) continue;
      const hits: [number, Pt][] = [];
      const found = index.search(
        Math.min(a[0], b[0]) - tol,
        Math.min(a[1], b[1]) - tol,
        Math.max(a[0], b[0]) + tol,
        Math.max(a[1], b[1]) + tol,
      );
      for (const k of found) {
        const v = pts[k]!;
        const t = ((v[0] - a[0]) * dx + (v[1] - a[1]) * dy) / len2;
        const off = Math.abs((v[0] - a[0]) * dy - (v[1] - a[1]) * dx) / Math.sqrt(len2);
        if (
          t > 0 &&
          t < 1 &&
          off < tol &&
          (v[0] !== a[0] || v[1] !== a[1]) &&
          (v[0] !== b[0] || v[1] !== b[1])
        )
          hits.push([t, v]);
      }
      hits.sort((p, q) => p[0] - q[0] || p[1][0] - q[1][0] || p[1][1] - q[1][1]);
      for (const [, v] of hits) out.push(v);
    }
    out.push(ring[ring.length - 1]!);
    return out;
  };
  return polys.map((m) => m.map((poly) => poly.map(nodeRing)));
}
