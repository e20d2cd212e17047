// Checks data/chongqing/jurisdictions.geojson: counts, validity, tiling (sampled and by area), known places.
// Usage: node scripts/check-demo-city.ts [path/to/jurisdictions.geojson]. Exits 1 on any violation.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import area from '@turf/area';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import kinks from '@turf/kinks';
import type { Feature, FeatureCollection, MultiPolygon, Polygon, Position } from 'geojson';
import { KNOWN_PLACES } from './demo-city/hand-data.ts';

type Props = { code: string; name: string; level: string; parent: string | null; seat?: number[] };
type F = Feature<Polygon | MultiPolygon, Props> & { bbox: number[] };

const SAMPLES = 20_000;
const EDGE_EPS = 2e-5; // degrees (~2 m): closer than this to a boundary counts as "on an edge"
const file = resolve(import.meta.dirname, '..', process.argv[2] ?? 'data/chongqing/jurisdictions.geojson');
const fc = JSON.parse(readFileSync(file, 'utf8')) as FeatureCollection<Polygon | MultiPolygon, Props>;
const problems: string[] = [];

/** Outer and inner rings of a polygon or multipolygon. */
function rings(f: F): Position[][] {
  return f.geometry.type === 'Polygon' ? f.geometry.coordinates : f.geometry.coordinates.flat();
}

/** Bounding box [minX, minY, maxX, maxY] of a feature. */
function bboxOf(f: Feature<Polygon | MultiPolygon, Props>): number[] {
  const pts = (f.geometry.type === 'Polygon' ? f.geometry.coordinates : f.geometry.coordinates.flat()).flat();
  const xs = pts.map((p) => p[0]!);
  const ys = pts.map((p) => p[1]!);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/** Distance (degrees) from a point to the nearest boundary segment of a feature. */
function edgeDistance(p: number[], f: F): number {
  let best = Infinity;
  for (const ring of rings(f))
    for (let i = 0; i + 1 < ring.length; i++) {
      const [ax, ay] = ring[i]! as [number, number];
      const [bx, by] = ring[i + 1]! as [number, number];
      const dx = bx - ax;
      const dy = by - ay;
      const t = Math.max(0, Math.min(1, ((p[0]! - ax) * dx + (p[1]! - ay) * dy) / (dx * dx + dy * dy || 1)));
      best = Math.min(best, Math.hypot(p[0]! - ax - t * dx, p[1]! - ay - t * dy));
    }
  return best;
}

const all: F[] = fc.features.map((f) => Object.assign(f, { bbox: bboxOf(f) }));
const byLevel = (level: string) => all.filter((f) => f.properties.level === level);
const [city] = byLevel('city');
const districts = byLevel('district');
const streets = byLevel('street');
const byCode = new Map(all.map((f) => [f.properties.code, f]));
const km2 = (f: F) => area(f) / 1e6;
/** Planar lon/lat area (square degrees): additive under edge subdivision, so exact for tiling checks. */
const planar = (f: F) => {
  const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
  let sum = 0;
  for (const poly of polys)
    poly.forEach((ring, k) => {
      let a = 0;
      for (let i = 0; i + 1 < ring.length; i++)
        a += ring[i]![0]! * ring[i + 1]![1]! - ring[i + 1]![0]! * ring[i]![1]!;
      sum += (k === 0 ? 1 : -1) * Math.abs(a / 2);
    });
  return sum;
};
const containing = (fs: F[], p: number[]) =>
  fs
    .filter((f) => p[0]! >= f.bbox[0]! && p[0]! <= f.bbox[2]! && p[1]! >= f.bbox[1]! && p[1]! <= f.bbox[3]!)
    .filter((f) => booleanPointInPolygon(p, f));
const label = (f: F | undefined) => (f ? `${f.properties.code} ${f.properties.name}` : 'none');

console.log(`file: ${file}`);
console.log(`counts: city ${byLevel('city').length}, district ${districts.length}, street ${streets.length}`);
if (!city || byLevel('city').length !== 1) problems.push('expected exactly one city feature');

// Structure: unique codes, parents, property sets.
if (byCode.size !== all.length) problems.push('duplicate codes');
for (const f of all) {
  const keys = Object.keys(f.properties).sort().join(',');
  const want = {
    city: 'approximate,code,level,name,name_en,parent',
    district: 'approximate,code,level,name,name_en,parent,seat',
  };
  if (
    keys !== (want[f.properties.level as keyof typeof want] ?? 'approximate,code,level,name,name_en,parent')
  )
    problems.push(`${label(f)}: unexpected properties ${keys}`);
  const parent = f.properties.parent === null ? undefined : byCode.get(f.properties.parent);
  const parentLevel = { city: undefined, district: 'city', street: 'district' }[f.properties.level];
  if (parent?.properties.level !== parentLevel)
    problems.push(`${label(f)}: bad parent ${f.properties.parent}`);
}

// Validity: no self-intersections, closed rings.
let kinked = 0;
for (const f of all) {
  const n = kinks(f).features.length;
  if (n > 0) {
    kinked++;
    problems.push(`${label(f)}: ${n} self-intersection(s)`);
  }
  for (const r of rings(f))
    if (r.length < 4 || String(r[0]) !== String(r[r.length - 1])) problems.push(`${label(f)}: bad ring`);
}
console.log(`validity: ${kinked} feature(s) with self-intersections`);

// Exact topology: every street edge is shared by exactly two streets or lies on the city outline,
// and each district's boundary is exactly the unshared edges of its own streets.
const edgeCounts = (fs: F[]) => {
  const counts = new Map<string, number>();
  for (const f of fs)
    for (const r of rings(f))
      for (let i = 0; i + 1 < r.length; i++) {
        const key = [String(r[i]), String(r[i + 1])].sort().join(' ');
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
  return counts;
};
const sameSet = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((k) => b.has(k));
const once = (m: Map<string, number>) => new Set([...m].filter(([, n]) => n === 1).map(([k]) => k));
const streetEdges = edgeCounts(streets);
const overused = [...streetEdges.values()].filter((n) => n > 2).length;
if (overused) problems.push(`${overused} street edge(s) used by more than two streets`);
if (!sameSet(once(streetEdges), new Set(edgeCounts([city!]).keys())))
  problems.push('unshared street edges != city outline');
let badDistricts = 0;
for (const d of districts) {
  const own = streets.filter((s) => s.properties.parent === d.properties.code);
  if (!sameSet(once(edgeCounts(own)), new Set(edgeCounts([d]).keys()))) {
    badDistricts++;
    problems.push(`${label(d)}: boundary != its streets' outer edges`);
  }
}
let badWinding = 0;
for (const f of all)
  for (const poly of f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates)
    poly.forEach((r, k) => {
      let a = 0;
      for (let i = 0; i + 1 < r.length; i++) a += r[i]![0]! * r[i + 1]![1]! - r[i + 1]![0]! * r[i]![1]!;
      if (a > 0 !== (k === 0)) badWinding++;
    });
if (badWinding) problems.push(`${badWinding} ring(s) with non-RFC 7946 winding`);
console.log(
  `topology: ${streetEdges.size} street edges, ${overused} used >2 times, ${badDistricts} district(s) whose boundary differs from their streets' outer edges, ${badWinding} badly wound ring(s)`,
);

// Sampled tiling: each point in the outline lies in exactly one street, whose parent district contains it.
let seed = 0x5eed;
const rand = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const tally = { ok: 0, onEdge: 0, violations: 0 };
const [x0, y0, x1, y1] = city!.bbox as [number, number, number, number];
for (let n = 0; n < SAMPLES; ) {
  const p = [x0 + rand() * (x1 - x0), y0 + rand() * (y1 - y0)];
  if (!booleanPointInPolygon(p, city!)) continue;
  n++;
  const inStreets = containing(streets, p);
  const inDistricts = containing(districts, p);
  const parentOk = inStreets.every((s) => inDistricts.some((d) => d.properties.code === s.properties.parent));
  if (inStreets.length === 1 && inDistricts.length === 1 && parentOk) tally.ok++;
  else if ([...inStreets, ...inDistricts].some((f) => edgeDistance(p, f) < EDGE_EPS) || nearEdge(p))
    tally.onEdge++;
  else {
    tally.violations++;
    problems.push(
      `point ${p.map((v) => v.toFixed(6))}: streets [${inStreets.map(label)}] districts [${inDistricts.map(label)}]`,
    );
  }
}
/** True if the point is within EDGE_EPS of any street boundary (for points that hit no street). */
function nearEdge(p: number[]): boolean {
  const e = EDGE_EPS;
  return streets.some(
    (f) =>
      p[0]! >= f.bbox[0]! - e &&
      p[0]! <= f.bbox[2]! + e &&
      p[1]! >= f.bbox[1]! - e &&
      p[1]! <= f.bbox[3]! + e &&
      edgeDistance(p, f) < e,
  );
}
console.log(
  `samples: ${SAMPLES} points in the outline: ${tally.ok} in exactly one street and its parent district,`,
);
console.log(
  `         ${tally.onEdge} within ${EDGE_EPS}° of a shared edge (ambiguous, fine), ${tally.violations} violations`,
);

// Area tiling (planar, exact up to rounding): streets sum to their district, districts sum to the city.
const TOL = 1e-5; // relative
let districtSum = 0;
console.log('district areas (km², geodesic) and relative mismatch of the sum of its streets (planar):');
for (const d of districts) {
  const a = km2(d);
  districtSum += planar(d);
  const own = streets.filter((s) => s.properties.parent === d.properties.code);
  const sum = own.reduce((t, s) => t + planar(s), 0);
  const rel = Math.abs(sum - planar(d)) / planar(d);
  if (rel > TOL) problems.push(`${label(d)}: streets cover ${(sum / planar(d)) * 100}% of the district`);
  const parts = d.geometry.type === 'MultiPolygon' ? d.geometry.coordinates.length : 1;
  console.log(
    `  ${label(d).padEnd(20, '　')} ${a.toFixed(1).padStart(8)} km²  ${String(own.length).padStart(3)} streets  parts ${parts}  mismatch ${rel.toExponential(1)}`,
  );
}
const cityRel = Math.abs(districtSum - planar(city!)) / planar(city!);
if (cityRel > TOL) problems.push(`districts cover ${(districtSum / planar(city!)) * 100}% of the city`);
console.log(
  `city ${km2(city!).toFixed(1)} km²; sum of districts vs city: relative mismatch ${cityRel.toExponential(1)}`,
);

// Known places.
for (const k of KNOWN_PLACES) {
  const s = containing(streets, k.at);
  const d = containing(districts, k.at);
  const ok =
    d.length === 1 &&
    d[0]!.properties.code === k.district &&
    (!k.street || s[0]?.properties.code === k.street);
  if (!ok) problems.push(`${k.name} lands in ${s.map(label)} / ${d.map(label)}`);
  console.log(
    `known place ${k.name} ${k.at}: street ${s.map(label).join(', ') || 'none'}, district ${d.map(label).join(', ') || 'none'} ${ok ? 'OK' : 'WRONG'}`,
  );
}

console.log(problems.length ? `FAILED: ${problems.length} problem(s)` : 'OK: no violations');
for (const p of problems.slice(0, 50)) console.log(`  - ${p}`);
process.exitCode = problems.length ? 1 : 0;
