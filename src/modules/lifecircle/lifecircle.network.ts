import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { around } from 'geokdbush';
import KDBush from 'kdbush';
import type { StreetShape } from '../jurisdictions/index.ts';
import { haversineM } from '../traffic/index.ts';
import { hash32, seeded } from './lifecircle.random.ts';

/** A street with its shape (the jurisdictions' own type). */
export type StreetInput = StreetShape;

/** A road link of the traffic network. */
export interface RoadInput {
  id: string;
  roadClass: string;
  coordinates: [number, number][];
}

/** The walking graph in flat arrays (CSR): node i's edges are offsets[i]..offsets[i+1]. */
export interface WalkNetwork {
  nodeCount: number;
  lon: Float64Array;
  lat: Float64Array;
  /** Street index of a generated path node; -1 for a node on a road link. */
  street: Int32Array;
  offsets: Int32Array;
  targets: Int32Array;
  lengths: Float32Array;
  /** Undirected edges. */
  edgeCount: number;
  pathNodes: number;
  roadNodes: number;
  /** Spatial index of every node (geokdbush's `around`). */
  index: KDBush;
}

/** How the synthetic paths are generated. */
export interface NetworkOptions {
  /** Spacing of the generated path lattice, m. */
  spacingM: number;
  /** Share of lattice edges left out (blocks, slopes, walls), 0–1. */
  dropShare: number;
  /** Road nodes join the nearest path node within this distance, m. */
  joinM: number;
}

export const DEFAULT_NETWORK_OPTIONS: NetworkOptions = { spacingM: 150, dropShare: 0.08, joinM: 160 };

const M_PER_DEG = 111_320;

/** Side of a street's settlement square, m: urban 街道 3 km, 镇 2 km, 乡 and others 1.2 km. */
export function settlementSideM(name: string): number {
  if (name.endsWith('街道')) return 3000;
  if (name.endsWith('镇')) return 2000;
  return 1200;
}

/** Points of a settlement square's lattice, [lon, lat][] row by row, `n` per row. */
export function latticeOf(street: StreetInput, spacingM: number): { n: number; points: [number, number][] } {
  const side = settlementSideM(street.name);
  const n = Math.max(2, Math.round(side / spacingM) + 1);
  const [lon0, lat0] = street.label;
  const dLat = spacingM / M_PER_DEG;
  const dLon = spacingM / (M_PER_DEG * Math.cos((lat0 * Math.PI) / 180));
  const points: [number, number][] = [];
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      points.push([lon0 + (i - (n - 1) / 2) * dLon, lat0 + (j - (n - 1) / 2) * dLat]);
    }
  }
  return { n, points };
}

/**
 * Which points lie inside the street's shape; when fewer than `min` do (a sliver, or a label near
 * the edge), all of them count, so every street keeps a settlement.
 */
export function insideMask(street: StreetInput, points: [number, number][], min: number): boolean[] {
  const mask = points.map((p) => booleanPointInPolygon(p, street.geometry));
  return mask.filter(Boolean).length >= min ? mask : points.map(() => true);
}

class Builder {
  lon: number[] = [];
  lat: number[] = [];
  street: number[] = [];
  from: number[] = [];
  to: number[] = [];
  len: number[] = [];

  node(lon: number, lat: number, street: number): number {
    this.lon.push(lon);
    this.lat.push(lat);
    this.street.push(street);
    return this.lon.length - 1;
  }

  edge(a: number, b: number, m: number): void {
    if (a === b) return;
    this.from.push(a);
    this.to.push(b);
    this.len.push(m);
  }

  dist(a: number, b: number): number {
    return haversineM([this.lon[a]!, this.lat[a]!], [this.lon[b]!, this.lat[b]!]);
  }
}

/**
 * The walking network: a generated lattice of paths in each street's settlement (clipped to the
 * street) plus the road links of the traffic network (expressways left out: no pedestrians),
 * densified every `spacingM` and joined to the nearest path node. Deterministic.
 */
export function buildWalkNetwork(
  streets: StreetInput[],
  roads: RoadInput[],
  options: Partial<NetworkOptions> = {},
): WalkNetwork {
  const o = { ...DEFAULT_NETWORK_OPTIONS, ...options };
  const b = new Builder();
  streets.forEach((s, si) => {
    const { n, points } = latticeOf(s, o.spacingM);
    const mask = insideMask(s, points, 9);
    const ids = points.map((p, k) => (mask[k] ? b.node(p[0], p[1], si) : -1));
    const rnd = seeded(hash32(s.code));
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        const a = ids[j * n + i]!;
        if (a < 0) continue;
        const right = i + 1 < n ? ids[j * n + i + 1]! : -1;
        const up = j + 1 < n ? ids[(j + 1) * n + i]! : -1;
        if (right >= 0 && rnd() >= o.dropShare) b.edge(a, right, b.dist(a, right));
        if (up >= 0 && rnd() >= o.dropShare) b.edge(a, up, b.dist(a, up));
      }
    }
  });
  const pathNodes = b.lon.length;
  const pathIndex = indexOf(b.lon, b.lat, pathNodes);
  const junction = new Map<string, number>();
  const at = (p: [number, number]) => {
    const key = `${p[0].toFixed(6)},${p[1].toFixed(6)}`;
    let id = junction.get(key);
    if (id === undefined) {
      id = b.node(p[0], p[1], -1);
      junction.set(key, id);
    }
    return id;
  };
  for (const road of roads) {
    if (road.roadClass === 'expressway') continue;
    let prev = at(road.coordinates[0]!);
    for (let k = 1; k < road.coordinates.length; k++) {
      const p = road.coordinates[k - 1]!;
      const q = road.coordinates[k]!;
      const parts = Math.max(1, Math.ceil(haversineM(p, q) / o.spacingM));
      for (let t = 1; t <= parts; t++) {
        const id =
          t === parts
            ? at(q)
            : b.node(p[0] + ((q[0] - p[0]) * t) / parts, p[1] + ((q[1] - p[1]) * t) / parts, -1);
        b.edge(prev, id, b.dist(prev, id));
        prev = id;
      }
    }
  }
  for (let id = pathNodes; id < b.lon.length; id++) {
    const near = pathNodes ? around(pathIndex, b.lon[id]!, b.lat[id]!, 1, o.joinM / 1000) : [];
    if (near.length) b.edge(id, near[0]!, b.dist(id, near[0]!));
  }
  return toCsr(b, pathNodes);
}

function indexOf(lon: ArrayLike<number>, lat: ArrayLike<number>, count: number): KDBush {
  const index = new KDBush(Math.max(1, count));
  for (let i = 0; i < count; i++) index.add(lon[i]!, lat[i]!);
  if (count === 0) index.add(0, 0);
  index.finish();
  return index;
}

function toCsr(b: Builder, pathNodes: number): WalkNetwork {
  const n = b.lon.length;
  const degree = new Int32Array(n + 1);
  for (let e = 0; e < b.from.length; e++) {
    degree[b.from[e]! + 1]!++;
    degree[b.to[e]! + 1]!++;
  }
  for (let i = 0; i < n; i++) degree[i + 1]! += degree[i]!;
  const offsets = degree.slice();
  const fill = degree.slice(0, n);
  const targets = new Int32Array(b.from.length * 2);
  const lengths = new Float32Array(b.from.length * 2);
  for (let e = 0; e < b.from.length; e++) {
    const a = b.from[e]!;
    const c = b.to[e]!;
    targets[fill[a]!] = c;
    lengths[fill[a]!++] = b.len[e]!;
    targets[fill[c]!] = a;
    lengths[fill[c]!++] = b.len[e]!;
  }
  const lon = Float64Array.from(b.lon);
  const lat = Float64Array.from(b.lat);
  return {
    nodeCount: n,
    lon,
    lat,
    street: Int32Array.from(b.street),
    offsets,
    targets,
    lengths,
    edgeCount: b.from.length,
    pathNodes,
    roadNodes: n - pathNodes,
    index: indexOf(lon, lat, n),
  };
}

/** The nearest node to a point within `maxM` (optionally only nodes passing `keep`), with its distance. */
export function snap(
  net: WalkNetwork,
  lon: number,
  lat: number,
  maxM: number,
  keep?: (node: number) => boolean,
): { node: number; m: number } | undefined {
  const near = around(net.index, lon, lat, 1, maxM / 1000, keep);
  if (!near.length) return undefined;
  const node = near[0]!;
  return { node, m: haversineM([lon, lat], [net.lon[node]!, net.lat[node]!]) };
}
