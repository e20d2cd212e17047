import { cellToLatLng, polygonToCells } from 'h3-js';
import { haversineM } from '../traffic/index.ts';
import {
  insideMask,
  type StreetInput,
  settlementSideM,
  snap,
  type WalkNetwork,
} from './lifecircle.network.ts';
import { hash32, seeded } from './lifecircle.random.ts';

/** H3 resolution of the population cells: res 9, ~0.105 km² (edge ~174 m). */
export const H3_RESOLUTION = 9;

/** Residents per H3 cell, each cell in one street and attached to its nearest walking node. */
export interface PopulationCells {
  count: number;
  h3: string[];
  street: Int32Array;
  population: Float64Array;
  /** Walking node the cell's residents start from (-1: none within 500 m, never covered). */
  node: Int32Array;
  /** Distance from the cell's centre to its node, m (walked too). */
  snapM: Float32Array;
  /** Where the numbers come from: `synthetic` (generated, labelled) or a real source's name. */
  source: string;
}

/** Districts of the central city, denser in the synthetic population. */
const CENTRAL = new Set(['500103', '500104', '500105', '500106', '500107', '500108']);

/** A street's synthetic resident count: 街道 ~45,000 (×1.5 in the central districts), 镇 ~18,000, 乡 ~7,000, ±40%. */
export function syntheticStreetPopulation(street: StreetInput): number {
  const rnd = seeded(hash32(`pop:${street.code}`));
  const base = street.name.endsWith('街道')
    ? 45_000 * (CENTRAL.has(street.districtCode) ? 1.5 : 1)
    : street.name.endsWith('镇')
      ? 18_000
      : 7_000;
  return Math.round(base * (0.6 + 0.8 * rnd()));
}

/**
 * The synthetic population: each street's resident count spread over the H3 cells of its
 * settlement square (clipped to the street) with a Gaussian fall-off from the centre (σ = side/3),
 * each cell attached to the nearest walking node of its street.
 */
export function syntheticPopulation(streets: StreetInput[], net: WalkNetwork): PopulationCells {
  const h3: string[] = [];
  const street: number[] = [];
  const population: number[] = [];
  const node: number[] = [];
  const snapM: number[] = [];
  streets.forEach((s, si) => {
    const side = settlementSideM(s.name);
    const [lon0, lat0] = s.label;
    const half = side / 2 + 100;
    const dLat = half / 111_320;
    const dLon = half / (111_320 * Math.cos((lat0 * Math.PI) / 180));
    const square = [
      [lon0 - dLon, lat0 - dLat],
      [lon0 + dLon, lat0 - dLat],
      [lon0 + dLon, lat0 + dLat],
      [lon0 - dLon, lat0 + dLat],
      [lon0 - dLon, lat0 - dLat],
    ];
    const cells = polygonToCells([square], H3_RESOLUTION, true);
    const centres = cells.map((c) => {
      const [lat, lon] = cellToLatLng(c);
      return [lon, lat] as [number, number];
    });
    const mask = insideMask(s, centres, 3);
    const sigma = side / 3;
    const weights = centres.map((p, k) =>
      mask[k] ? Math.exp(-(haversineM(p, s.label) ** 2) / (2 * sigma * sigma)) : 0,
    );
    const total = weights.reduce((a, w) => a + w, 0);
    const people = syntheticStreetPopulation(s);
    cells.forEach((cell, k) => {
      if (!mask[k] || total === 0) return;
      const p = centres[k]!;
      const near = snap(net, p[0], p[1], 500, (id) => net.street[id] === si) ?? snap(net, p[0], p[1], 500);
      h3.push(cell);
      street.push(si);
      population.push(Math.round((people * weights[k]!) / total));
      node.push(near?.node ?? -1);
      snapM.push(near?.m ?? 0);
    });
  });
  return {
    count: h3.length,
    h3,
    street: Int32Array.from(street),
    population: Float64Array.from(population),
    node: Int32Array.from(node),
    snapM: Float32Array.from(snapM),
    source: 'synthetic',
  };
}
