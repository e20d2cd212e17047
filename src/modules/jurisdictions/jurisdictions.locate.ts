import Flatbush from 'flatbush';
import { bboxOf, edgesContain, edgesOf, type Polygon, polygonsOf } from './jurisdictions.geometry.ts';
import {
  type AreaGeometry,
  type ChainLink,
  LEVELS,
  type Level,
  type Located,
} from './jurisdictions.schema.ts';

/** What the index needs of a node. */
export interface LocatableNode {
  code: string;
  name: string;
  level: Level;
  parentCode: string | null;
  approximate: boolean;
  geometry: AreaGeometry;
}

/** A point-in-polygon test replacing the built-in one, so the benchmark can compare implementations. */
export type ContainsFn = (polygon: Polygon, lon: number, lat: number) => boolean;

interface Entry extends ChainLink {
  depth: number;
  parentCode: string | null;
  approximate: boolean;
}

interface Part {
  node: Entry;
  polygon: Polygon;
  edges: Float64Array;
}

// The deeper node wins; among nodes of one depth (a point on a shared border) the lowest code wins.
function beats(a: Entry, b: Entry): boolean {
  return a.depth > b.depth || (a.depth === b.depth && a.code < b.code);
}

/**
 * An immutable in-memory index answering "which nodes contain this point" without the database:
 * a packed R-tree (flatbush) over the bounding box of every polygon part of every node, then an
 * exact point-in-polygon test of the candidates that could still beat the best match so far.
 */
export class LocateIndex {
  private readonly tree: Flatbush | undefined;
  private readonly parts: Part[];
  private readonly byCode: Map<string, Entry>;
  private readonly contains: ContainsFn | undefined;

  private constructor(parts: Part[], byCode: Map<string, Entry>, contains: ContainsFn | undefined) {
    this.parts = parts;
    this.byCode = byCode;
    this.contains = contains;
    this.tree = parts.length ? new Flatbush(parts.length) : undefined;
    for (const part of parts) {
      const [w, s, e, n] = bboxOf([part.polygon]);
      this.tree?.add(w, s, e, n);
    }
    this.tree?.finish();
  }

  /** Builds the index over all nodes (every level, so a point in a gap between streets still finds its district). */
  static build(nodes: LocatableNode[], contains?: ContainsFn): LocateIndex {
    const byCode = new Map<string, Entry>();
    const parts: Part[] = [];
    for (const n of nodes) {
      const entry: Entry = {
        code: n.code,
        name: n.name,
        level: n.level,
        depth: LEVELS.indexOf(n.level),
        parentCode: n.parentCode,
        approximate: n.approximate,
      };
      byCode.set(n.code, entry);
      for (const polygon of polygonsOf(n.geometry))
        parts.push({ node: entry, polygon, edges: edgesOf(polygon) });
    }
    return new LocateIndex(parts, byCode, contains);
  }

  /** Number of nodes indexed. */
  get size(): number {
    return this.byCode.size;
  }

  /** The chain from the root to the deepest node containing the point, or undefined when none does. */
  locate(lon: number, lat: number): Located | undefined {
    if (!this.tree) return undefined;
    return this.chainOf(this.pick(this.tree.search(lon, lat, lon, lat), lon, lat));
  }

  /** The same answer by testing every polygon: the baseline of the benchmark and a check in tests. */
  scan(lon: number, lat: number): Located | undefined {
    return this.chainOf(this.pick(this.parts.keys(), lon, lat));
  }

  private pick(candidates: Iterable<number>, lon: number, lat: number): Entry | undefined {
    let best: Entry | undefined;
    for (const i of candidates) {
      const part = this.parts[i]!;
      if (best && !beats(part.node, best)) continue;
      const inside = this.contains
        ? this.contains(part.polygon, lon, lat)
        : edgesContain(part.edges, lon, lat);
      if (inside) best = part.node;
    }
    return best;
  }

  private chainOf(deepest: Entry | undefined): Located | undefined {
    if (!deepest) return undefined;
    const chain: ChainLink[] = [];
    let approximate = false;
    for (
      let node: Entry | undefined = deepest;
      node;
      node = node.parentCode ? this.byCode.get(node.parentCode) : undefined
    ) {
      chain.push({ code: node.code, name: node.name, level: node.level });
      approximate ||= node.approximate;
    }
    return { chain: chain.reverse(), approximate };
  }
}
