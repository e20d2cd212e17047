import { CATEGORIES, type Category, WALK_BUDGET_M } from './lifecircle.categories.ts';
import type { CityModel, SnappedFacilities } from './lifecircle.model.ts';
import { Walker } from './lifecircle.walk.ts';

/** One street's figures: residents, and residents within 15 minutes of each category and of all. */
export interface StreetCoverage {
  code: string;
  name: string;
  districtCode: string;
  path: string;
  /** [lon, lat] inside the street, where the map draws it. */
  label: [number, number];
  population: number;
  covered: Record<Category, number>;
  share: Record<Category, number>;
  /** Residents within 15 minutes of every category, and their share. */
  allCovered: number;
  allShare: number;
}

/** The city's coverage: per cell a bit per category reached, per street its figures. */
export interface Coverage {
  /** Bit k set: the cell is within the budget of a facility of CATEGORIES[k]. */
  mask: Uint8Array;
  streets: StreetCoverage[];
  population: number;
  allCovered: number;
  computeSeconds: number;
}

const ALL = (1 << CATEGORIES.length) - 1;

/** Sources (facility nodes and start metres) of one category, optionally only those `keep` accepts. */
function sourcesOf(f: SnappedFacilities, category: Category) {
  const nodes: number[] = [];
  const start: number[] = [];
  f.facilities.forEach((x, k) => {
    if (x.category !== category || f.node[k]! < 0) return;
    nodes.push(f.node[k]!);
    start.push(f.snapM[k]!);
  });
  return { nodes, start };
}

/** Marks in `mask` the cells whose walk to the walker's reached nodes fits in the budget. */
function markReached(model: CityModel, walker: Walker, bit: number, mask: Uint8Array, budgetM: number): void {
  const { cellStart, cellIds, cells } = model;
  for (let r = 0; r < walker.reached; r++) {
    const u = walker.order[r]!;
    const d = walker.dist[u]!;
    for (let k = cellStart[u]!; k < cellStart[u + 1]!; k++) {
      const c = cellIds[k]!;
      if (d + cells.snapM[c]! <= budgetM) mask[c]! |= bit;
    }
  }
}

/** Figures of one street from the cell mask. */
export function streetFigures(model: CityModel, s: number, mask: Uint8Array): StreetCoverage {
  const street = model.streets[s]!;
  const covered = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
  let population = 0;
  let all = 0;
  for (const c of model.streetCells[s]!) {
    const p = model.cells.population[c]!;
    population += p;
    const m = mask[c]!;
    CATEGORIES.forEach((cat, k) => {
      if (m & (1 << k)) covered[cat] += p;
    });
    if (m === ALL) all += p;
  }
  const ratio = (x: number) => (population ? Math.round((x / population) * 10_000) / 10_000 : 0);
  return {
    code: street.code,
    name: street.name,
    districtCode: street.districtCode,
    path: street.path,
    label: street.label,
    population,
    covered,
    share: Object.fromEntries(CATEGORIES.map((c) => [c, ratio(covered[c])])) as Record<Category, number>,
    allCovered: all,
    allShare: ratio(all),
  };
}

/** Walks one isochrone per facility (those `keep` accepts) and marks the cells each reaches. */
function markFacilities(
  model: CityModel,
  facilities: SnappedFacilities,
  mask: Uint8Array,
  budgetM: number,
  walker: Walker,
  keep?: (k: number) => boolean,
): void {
  const one = new Int32Array(1);
  const start = new Float64Array(1);
  facilities.facilities.forEach((f, k) => {
    if (facilities.node[k]! < 0 || (keep && !keep(k))) return;
    one[0] = facilities.node[k]!;
    start[0] = facilities.snapM[k]!;
    walker.run(one, start, budgetM);
    markReached(model, walker, 1 << CATEGORIES.indexOf(f.category), mask, budgetM);
  });
}

/**
 * Coverage of every street: one 15-minute isochrone per facility (bounded Dijkstra), each marking
 * the cells it reaches with its category's bit; a cell's residents count as covered when the walk
 * from the cell's centre to its node and on to the facility is within the budget. Per-facility
 * walks stay small and local in memory, which measured faster here than one multi-source walk per
 * category over the whole city (see `coverageByMultiSource` and bench/lifecircle-coverage.ts).
 */
export function computeCoverage(
  model: CityModel,
  facilities: SnappedFacilities,
  budgetM = WALK_BUDGET_M,
  walker = new Walker(model.network),
): Coverage {
  const t0 = performance.now();
  const mask = new Uint8Array(model.cells.count);
  markFacilities(model, facilities, mask, budgetM, walker);
  const streets = model.streets.map((_, s) => streetFigures(model, s, mask));
  const population = streets.reduce((a, s) => a + s.population, 0);
  const allCovered = streets.reduce((a, s) => a + s.allCovered, 0);
  return { mask, streets, population, allCovered, computeSeconds: (performance.now() - t0) / 1000 };
}

/**
 * The same cell mask from one multi-source Dijkstra per category (all its facilities at once: the
 * union of their isochrones). The benchmark's baseline and the tests' cross-check (must be equal).
 */
export function coverageByMultiSource(
  model: CityModel,
  facilities: SnappedFacilities,
  budgetM = WALK_BUDGET_M,
  walker = new Walker(model.network),
): Uint8Array {
  const mask = new Uint8Array(model.cells.count);
  CATEGORIES.forEach((cat, k) => {
    const { nodes, start } = sourcesOf(facilities, cat);
    walker.run(nodes, start, budgetM);
    markReached(model, walker, 1 << k, mask, budgetM);
  });
  return mask;
}

/**
 * Coverage of one street alone: only facilities near enough to matter (within the budget of the
 * street's cells by straight line, a lower bound of the walk) are walked from.
 */
export function streetCoverage(
  model: CityModel,
  facilities: SnappedFacilities,
  s: number,
  budgetM = WALK_BUDGET_M,
  walker = new Walker(model.network),
): StreetCoverage {
  const cells = model.streetCells[s]!;
  const net = model.network;
  let minLon = Infinity;
  let maxLon = -Infinity;
  let minLat = Infinity;
  let maxLat = -Infinity;
  for (const c of cells) {
    const n = model.cells.node[c]!;
    if (n < 0) continue;
    minLon = Math.min(minLon, net.lon[n]!);
    maxLon = Math.max(maxLon, net.lon[n]!);
    minLat = Math.min(minLat, net.lat[n]!);
    maxLat = Math.max(maxLat, net.lat[n]!);
  }
  const padLat = (budgetM + 200) / 111_320;
  const padLon = padLat / Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const near = (k: number) => {
    const n = facilities.node[k]!;
    const lon = net.lon[n]!;
    const lat = net.lat[n]!;
    return (
      lon >= minLon - padLon && lon <= maxLon + padLon && lat >= minLat - padLat && lat <= maxLat + padLat
    );
  };
  const mask = new Uint8Array(model.cells.count);
  markFacilities(model, facilities, mask, budgetM, walker, near);
  return streetFigures(model, s, mask);
}
