import { around } from 'geokdbush';
import KDBush from 'kdbush';
import { type CityModel, snap, WALK_BUDGET_M, Walker } from '../lifecircle/index.ts';
import { haversineM } from '../traffic/index.ts';
import { DETOUR_FACTOR, NEED_CATEGORIES } from './matching.categories.ts';
import type { Candidate, Need, Resource } from './matching.engine.ts';

/** Needs and resources farther than this from every walking node are off the network (straight line × 1.3). */
export const SNAP_M = 500;

/** Where a point sits on the walking network: its node, the metres to it, and its street (or -1). */
export interface Placed {
  node: Int32Array;
  snapM: Float32Array;
  street: Int32Array;
}

/** Puts points on the walking network (nearest node within 500 m) and in a street (nearest path node's). */
export function place(model: CityModel | undefined, points: { lon: number; lat: number }[]): Placed {
  const node = new Int32Array(points.length).fill(-1);
  const snapM = new Float32Array(points.length);
  const street = new Int32Array(points.length).fill(-1);
  if (!model) return { node, snapM, street };
  const net = model.network;
  points.forEach((p, k) => {
    const s = snap(net, p.lon, p.lat, SNAP_M);
    if (s) {
      node[k] = s.node;
      snapM[k] = s.m;
    }
    const onPath =
      s && net.street[s.node]! >= 0 ? s : snap(net, p.lon, p.lat, SNAP_M, (n) => net.street[n]! >= 0);
    street[k] = onPath ? net.street[onPath.node]! : -1;
  });
  return { node, snapM, street };
}

/**
 * For each need, the resources within reach serving its category, nearest first. Walking distance
 * on the life circle's network (a bounded Dijkstra from each resource, reused arrays) when both
 * ends are on it; else the straight line × 1.3. Reach: the 15-minute walk (1,125 m) for onsite
 * needs, the resource's radius for visits.
 */
export function candidatesOf(
  needs: Need[],
  resources: Resource[],
  model: CityModel | undefined,
  placedNeeds: Placed = place(model, needs),
  placedResources: Placed = place(model, resources),
): Candidate[][] {
  const out: Candidate[][] = needs.map(() => []);
  if (!needs.length || !resources.length) return out;
  const index = new KDBush(needs.length);
  for (const n of needs) index.add(n.lon, n.lat);
  index.finish();
  const walker = model ? new Walker(model.network) : undefined;
  const one = new Int32Array(1);
  const start = new Float64Array(1);
  resources.forEach((res, r) => {
    const serves = new Set(res.categories);
    const farthest = Math.max(res.radiusM, WALK_BUDGET_M);
    const near = around(index, res.lon, res.lat, Infinity, farthest / 1000, (n: number) =>
      serves.has(needs[n]!.category),
    );
    if (!near.length) return;
    const rNode = placedResources.node[r]!;
    let walked = false;
    for (const n of near) {
      const need = needs[n]!;
      const limit = NEED_CATEGORIES[need.category].mode === 'onsite' ? WALK_BUDGET_M : res.radiusM;
      const nNode = placedNeeds.node[n]!;
      let m: number;
      let method: Candidate['method'];
      if (walker && rNode >= 0 && nNode >= 0) {
        if (!walked) {
          one[0] = rNode;
          start[0] = placedResources.snapM[r]!;
          walker.run(one, start, farthest);
          walked = true;
        }
        m = walker.dist[nNode]! + placedNeeds.snapM[n]!;
        method = 'walk';
      } else {
        m = haversineM([need.lon, need.lat], [res.lon, res.lat]) * DETOUR_FACTOR;
        method = 'straight_line';
      }
      if (m <= limit) out[n]!.push({ r, m, method });
    }
  });
  for (const list of out) list.sort((a, b) => a.m - b.m || a.r - b.r);
  return out;
}
