/**
 * The road-network file (GeoJSON LineStrings with a class), its validation, link lengths and
 * the nearest link of a detector. Pure: the service stores what this returns.
 */
import { z } from 'zod';
import { AppError } from '../../platform/errors.ts';
import { DEFAULT_FREE_FLOW_KMH, ROAD_CLASSES, type RoadClass } from './traffic.levels.ts';

/** A position [lon, lat]. */
export type Position = [number, number];

/** One link as the import reads it. */
export interface LinkInput {
  id: string;
  name: string;
  roadClass: RoadClass;
  coordinates: Position[];
  lengthM: number;
  freeFlowKmh: number;
  approximate: boolean;
}

const Props = z.object({
  id: z.union([z.string().min(1).max(100), z.number().int()]).optional(),
  name: z.string().max(200).optional(),
  class: z.enum(ROAD_CLASSES),
  freeFlowKmh: z.number().positive().max(200).optional(),
  approximate: z.boolean().optional(),
});

const EARTH_M = 6_371_008.8;
const RAD = Math.PI / 180;

/** Great-circle distance between two positions, m. */
export function haversineM(a: Position, b: Position): number {
  const dLat = (b[1] - a[1]) * RAD;
  const dLon = (b[0] - a[0]) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * RAD) * Math.cos(b[1] * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Length of a polyline, m. */
export function lineLengthM(coords: readonly Position[]): number {
  let m = 0;
  for (let i = 1; i < coords.length; i++) m += haversineM(coords[i - 1]!, coords[i]!);
  return m;
}

/** The point halfway along a polyline (where a link is located to a district). */
export function midpoint(coords: readonly Position[]): Position {
  const half = lineLengthM(coords) / 2;
  let run = 0;
  for (let i = 1; i < coords.length; i++) {
    const a = coords[i - 1]!;
    const b = coords[i]!;
    const seg = haversineM(a, b);
    if (run + seg >= half && seg > 0) {
      const f = (half - run) / seg;
      return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f];
    }
    run += seg;
  }
  return coords[0]!;
}

const isPosition = (p: unknown): p is Position =>
  Array.isArray(p) &&
  p.length >= 2 &&
  typeof p[0] === 'number' &&
  typeof p[1] === 'number' &&
  Number.isFinite(p[0]) &&
  Number.isFinite(p[1]) &&
  Math.abs(p[0]) <= 180 &&
  Math.abs(p[1]) <= 90;

/**
 * Reads a FeatureCollection of LineStrings into links, all or nothing: the first broken feature
 * throws `invalid_data` naming it (`feature 12 (id a-7): …`). Properties: `class` (expressway |
 * arterial | secondary, required), `id` (default `link-<n>`), `name`, `freeFlowKmh` (default by
 * class), `approximate`.
 */
export function parseNetwork(input: unknown): LinkInput[] {
  const fc = input as { type?: unknown; features?: unknown };
  if (fc?.type !== 'FeatureCollection' || !Array.isArray(fc.features))
    throw new AppError('invalid_data', 'a road network is a GeoJSON FeatureCollection');
  const seen = new Set<string>();
  return fc.features.map(
    (f: { properties?: unknown; geometry?: { type?: unknown; coordinates?: unknown } }, n) => {
      const rawId = (f?.properties as { id?: unknown } | undefined)?.id;
      const label = `feature ${n}${rawId === undefined ? '' : ` (id ${String(rawId)})`}`;
      const bad = (why: string): never => {
        throw new AppError('invalid_data', `${label}: ${why}`, { feature: n, id: rawId ?? null });
      };
      const props = Props.safeParse(f?.properties ?? {});
      if (!props.success) {
        const issue = props.error.issues[0]!;
        bad(`property ${issue.path.join('.') || '(properties)'}: ${issue.message}`);
      }
      const p = props.data!;
      const g = f?.geometry;
      if (g?.type !== 'LineString') bad(`geometry must be a LineString, not ${String(g?.type ?? 'missing')}`);
      const coords = g!.coordinates;
      if (!Array.isArray(coords) || coords.length < 2) bad('a LineString needs at least 2 positions');
      const list = coords as unknown[];
      const at = list.findIndex((c) => !isPosition(c));
      if (at >= 0) bad(`position ${at} is not a [lon, lat] pair of finite degrees`);
      const positions = list.map((c) => [(c as number[])[0]!, (c as number[])[1]!] as Position);
      const lengthM = lineLengthM(positions);
      if (!(lengthM > 1)) bad('the line has no length');
      const id = rawId === undefined ? `link-${n}` : String(rawId);
      if (seen.has(id)) bad(`duplicate id ${id}`);
      seen.add(id);
      return {
        id,
        name: p.name ?? id,
        roadClass: p.class,
        coordinates: positions,
        lengthM: Math.round(lengthM * 10) / 10,
        freeFlowKmh: p.freeFlowKmh ?? DEFAULT_FREE_FLOW_KMH[p.class],
        approximate: p.approximate ?? false,
      };
    },
  );
}

/** Distance from a point to a segment in a local flat frame (lon scaled by cos lat), m. */
function pointSegmentM(p: Position, a: Position, b: Position): number {
  const k = Math.cos(p[1] * RAD);
  const ax = (a[0] - p[0]) * k;
  const ay = a[1] - p[1];
  const bx = (b[0] - p[0]) * k;
  const by = b[1] - p[1];
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 > 0 ? Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len2)) : 0;
  const x = ax + t * dx;
  const y = ay + t * dy;
  return Math.sqrt(x * x + y * y) * RAD * EARTH_M;
}

/** Which link each point lies on: the nearest within `maxM` metres (a grid of ~1 km cells). */
export function nearestLinks(
  links: readonly { id: string; coordinates: readonly Position[] }[],
  points: readonly { id: string; lon: number; lat: number }[],
  maxM: number,
): Map<string, { linkId: string; distanceM: number }> {
  const CELL = 0.01;
  const key = (x: number, y: number) => `${x},${y}`;
  const grid = new Map<string, number[]>();
  const pad = maxM / 111_000 / CELL + 1;
  links.forEach((l, i) => {
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (const [lon, lat] of l.coordinates) {
      x0 = Math.min(x0, lon);
      y0 = Math.min(y0, lat);
      x1 = Math.max(x1, lon);
      y1 = Math.max(y1, lat);
    }
    for (let x = Math.floor(x0 / CELL - pad); x <= Math.floor(x1 / CELL + pad); x++)
      for (let y = Math.floor(y0 / CELL - pad); y <= Math.floor(y1 / CELL + pad); y++) {
        const k = key(x, y);
        const cell = grid.get(k);
        if (cell) cell.push(i);
        else grid.set(k, [i]);
      }
  });
  const out = new Map<string, { linkId: string; distanceM: number }>();
  for (const pt of points) {
    const p: Position = [pt.lon, pt.lat];
    let best: { linkId: string; distanceM: number } | undefined;
    for (const i of grid.get(key(Math.floor(pt.lon / CELL), Math.floor(pt.lat / CELL))) ?? []) {
      const c = links[i]!.coordinates;
      for (let j = 1; j < c.length; j++) {
        const m = pointSegmentM(p, c[j - 1]!, c[j]!);
        if (m <= maxM && (!best || m < best.distanceM)) best = { linkId: links[i]!.id, distanceM: m };
      }
    }
    if (best) out.set(pt.id, { linkId: best.linkId, distanceM: Math.round(best.distanceM * 10) / 10 });
  }
  return out;
}
