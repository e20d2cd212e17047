import { CATEGORIES, type Category, WALK_BUDGET_M } from './lifecircle.categories.ts';
import type { Coverage } from './lifecircle.coverage.ts';
import type { CityModel } from './lifecircle.model.ts';
import { Walker } from './lifecircle.walk.ts';

/** One gap: residents of a street beyond 15 minutes of a category. */
export interface Gap {
  code: string;
  name: string;
  districtCode: string;
  category: Category;
  population: number;
  uncovered: number;
  share: number;
  /** Needs of the category in the street the matching left unmet (0 without matching). */
  unmetNeeds: number;
}

/**
 * Street × category gaps, most residents left out first (ties: more unmet needs, lower share, then
 * code). `unmet` (`street|category` → needs) adds the matching's unmet needs; a street with unmet
 * needs is listed even when every resident is within 15 minutes.
 */
export function gapList(
  coverage: Coverage,
  options: { category?: Category; keep?: (path: string) => boolean; unmet?: Map<string, number> } = {},
): Gap[] {
  const gaps: Gap[] = [];
  for (const s of coverage.streets) {
    if (options.keep && !options.keep(s.path)) continue;
    for (const category of options.category ? [options.category] : CATEGORIES) {
      const uncovered = s.population - s.covered[category];
      const unmetNeeds = options.unmet?.get(`${s.code}|${category}`) ?? 0;
      if (uncovered <= 0 && unmetNeeds <= 0) continue;
      gaps.push({
        code: s.code,
        name: s.name,
        districtCode: s.districtCode,
        category,
        population: s.population,
        uncovered,
        share: s.share[category],
        unmetNeeds,
      });
    }
  }
  return gaps.sort(
    (a, b) =>
      b.uncovered - a.uncovered ||
      b.unmetNeeds - a.unmetNeeds ||
      a.share - b.share ||
      a.code.localeCompare(b.code),
  );
}

/** A candidate site and the residents not yet covered that a new facility there would bring within 15 minutes. */
export interface Site {
  node: number;
  lon: number;
  lat: number;
  streetCode: string | null;
  gain: number;
}

/** Walking nodes of the streets `keepStreet` accepts, evenly thinned to at most `max`. */
export function candidateNodes(model: CityModel, keepStreet: (s: number) => boolean, max: number): number[] {
  const all: number[] = [];
  const { street, pathNodes } = model.network;
  for (let i = 0; i < pathNodes; i++) if (keepStreet(street[i]!)) all.push(i);
  if (all.length <= max) return all;
  const step = all.length / max;
  return Array.from({ length: max }, (_, k) => all[Math.floor(k * step)]!);
}

/**
 * Coverage gain of each candidate for one category: a 15-minute isochrone from the candidate,
 * summing residents of the reached cells that no facility of the category covers yet. The best
 * `limit` sites, largest gain first.
 */
export function bestSites(
  model: CityModel,
  coverage: Coverage,
  category: Category,
  candidates: number[],
  limit: number,
  budgetM = WALK_BUDGET_M,
  walker = new Walker(model.network),
): Site[] {
  const bit = 1 << CATEGORIES.indexOf(category);
  const { cellStart, cellIds, cells, network } = model;
  const gains = new Float64Array(candidates.length);
  const one = new Int32Array(1);
  const zero = new Float64Array(1);
  candidates.forEach((node, k) => {
    one[0] = node;
    walker.run(one, zero, budgetM);
    let gain = 0;
    for (let r = 0; r < walker.reached; r++) {
      const u = walker.order[r]!;
      const d = walker.dist[u]!;
      for (let j = cellStart[u]!; j < cellStart[u + 1]!; j++) {
        const c = cellIds[j]!;
        if (!(coverage.mask[c]! & bit) && d + cells.snapM[c]! <= budgetM) gain += cells.population[c]!;
      }
    }
    gains[k] = gain;
  });
  const order = candidates
    .map((_, k) => k)
    .sort((a, b) => gains[b]! - gains[a]! || candidates[a]! - candidates[b]!);
  return order.slice(0, limit).map((k) => {
    const node = candidates[k]!;
    const s = network.street[node]!;
    return {
      node,
      lon: Math.round(network.lon[node]! * 1e6) / 1e6,
      lat: Math.round(network.lat[node]! * 1e6) / 1e6,
      streetCode: s >= 0 ? model.streets[s]!.code : null,
      gain: gains[k]!,
    };
  });
}
