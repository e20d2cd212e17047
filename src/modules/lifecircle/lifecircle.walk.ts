import FlatQueue from 'flatqueue';
import type { WalkNetwork } from './lifecircle.network.ts';

/**
 * Bounded Dijkstra on the walking network, reusing its arrays between runs: after `run`, the
 * first `reached` entries of `order` are the nodes within the budget and `dist` holds their
 * walking distance (m) from the nearest source. Several sources give the union of their isochrones.
 */
export class Walker {
  readonly dist: Float64Array;
  readonly order: Int32Array;
  reached = 0;
  private readonly net: WalkNetwork;
  private readonly queue = new FlatQueue<number>();

  constructor(net: WalkNetwork) {
    this.net = net;
    this.dist = new Float64Array(net.nodeCount).fill(Number.POSITIVE_INFINITY);
    this.order = new Int32Array(net.nodeCount);
  }

  /** Walks out from the sources (each starting `startM` metres away from its node) up to `budgetM`. */
  run(sources: ArrayLike<number>, startM: ArrayLike<number>, budgetM: number): number {
    const { dist, order, queue } = this;
    for (let k = 0; k < this.reached; k++) dist[order[k]!] = Number.POSITIVE_INFINITY;
    this.reached = 0;
    queue.clear();
    for (let k = 0; k < sources.length; k++) {
      const s = sources[k]!;
      const d = startM[k]!;
      if (s < 0 || d > budgetM || d >= dist[s]!) continue;
      if (dist[s] === Number.POSITIVE_INFINITY) order[this.reached++] = s;
      dist[s] = d;
      queue.push(s, d);
    }
    const { offsets, targets, lengths } = this.net;
    while (queue.length) {
      const d = queue.peekValue()!;
      const u = queue.pop()!;
      if (d > dist[u]!) continue;
      for (let e = offsets[u]!; e < offsets[u + 1]!; e++) {
        const v = targets[e]!;
        const nd = d + lengths[e]!;
        if (nd > budgetM || nd >= dist[v]!) continue;
        if (dist[v] === Number.POSITIVE_INFINITY) order[this.reached++] = v;
        dist[v] = nd;
        queue.push(v, nd);
      }
    }
    return this.reached;
  }
}
