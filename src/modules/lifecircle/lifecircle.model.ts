import type { Facility } from './lifecircle.facilities.ts';
import {
  buildWalkNetwork,
  type NetworkOptions,
  type RoadInput,
  type StreetInput,
  snap,
  type WalkNetwork,
} from './lifecircle.network.ts';
import { type PopulationCells, syntheticPopulation } from './lifecircle.population.ts';

/** A facility on the walking network: its node and the metres walked to reach it. */
export interface SnappedFacilities {
  facilities: Facility[];
  node: Int32Array;
  snapM: Float32Array;
}

/** Facilities farther than this from every walking node reach no one. */
export const FACILITY_SNAP_M = 500;

/** What the computation runs on: streets, the walking network, the population cells. */
export interface CityModel {
  streets: StreetInput[];
  network: WalkNetwork;
  cells: PopulationCells;
  /** Cells attached to node i: cellIds[cellStart[i]..cellStart[i+1]). */
  cellStart: Int32Array;
  cellIds: Int32Array;
  /** Cells of street s: streetCells[s]. */
  streetCells: Int32Array[];
  buildSeconds: number;
}

/** Builds the walking network and the population (synthetic unless a source is given). */
export function buildModel(
  streets: StreetInput[],
  roads: RoadInput[],
  options: {
    network?: Partial<NetworkOptions>;
    population?: (s: StreetInput[], n: WalkNetwork) => PopulationCells;
  } = {},
): CityModel {
  const t0 = performance.now();
  const network = buildWalkNetwork(streets, roads, options.network);
  const cells = (options.population ?? syntheticPopulation)(streets, network);
  const cellStart = new Int32Array(network.nodeCount + 1);
  for (let c = 0; c < cells.count; c++) if (cells.node[c]! >= 0) cellStart[cells.node[c]! + 1]!++;
  for (let i = 0; i < network.nodeCount; i++) cellStart[i + 1]! += cellStart[i]!;
  const fill = cellStart.slice(0, network.nodeCount);
  const cellIds = new Int32Array(cellStart[network.nodeCount]!);
  for (let c = 0; c < cells.count; c++) if (cells.node[c]! >= 0) cellIds[fill[cells.node[c]!]!++] = c;
  const perStreet: number[][] = streets.map(() => []);
  for (let c = 0; c < cells.count; c++) perStreet[cells.street[c]!]!.push(c);
  return {
    streets,
    network,
    cells,
    cellStart,
    cellIds,
    streetCells: perStreet.map((x) => Int32Array.from(x)),
    buildSeconds: (performance.now() - t0) / 1000,
  };
}

/** Puts facilities on the walking network (nearest node within 500 m, else none). */
export function snapFacilities(model: CityModel, facilities: Facility[]): SnappedFacilities {
  const node = new Int32Array(facilities.length);
  const snapM = new Float32Array(facilities.length);
  facilities.forEach((f, k) => {
    const s = snap(model.network, f.lon, f.lat, FACILITY_SNAP_M);
    node[k] = s?.node ?? -1;
    snapM[k] = s?.m ?? 0;
  });
  return { facilities, node, snapM };
}
