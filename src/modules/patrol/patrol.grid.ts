import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { gridDisk, latLngToCell, polygonToCells } from 'h3-js';
import type { StreetShape } from '../jurisdictions/index.ts';

/** H3 resolution of the hot-spot cells: ~0.105 km², edge ~174 m (the 150–250 m grids of the PAI literature). */
export const CELL_RES = 9;

/** A street with its shape (the jurisdictions' own type). */
export type { StreetShape };

/** The study area: every H3 cell of the streets given, each with its street. */
export interface StudyArea {
  streets: StreetShape[];
  h3: string[];
  /** Street index of cell c. */
  street: Int32Array;
  index: Map<string, number>;
  /** Per radius, the rings around each cell (filled on first use; see ringsAround). */
  rings: Map<number, Int32Array[]>;
}

/** Polyfills the streets at CELL_RES (a cell belongs to the street holding its centre). */
export function buildStudyArea(streets: StreetShape[]): StudyArea {
  const h3: string[] = [];
  const owner: number[] = [];
  const index = new Map<string, number>();
  streets.forEach((s, k) => {
    const polys = s.geometry.type === 'Polygon' ? [s.geometry.coordinates] : s.geometry.coordinates;
    for (const p of polys) {
      for (const cell of polygonToCells(p, CELL_RES, true)) {
        if (index.has(cell)) continue;
        index.set(cell, h3.length);
        h3.push(cell);
        owner.push(k);
      }
    }
    // A street smaller than a cell still gets the cell of its label point.
    const own = latLngToCell(s.label[1], s.label[0], CELL_RES);
    if (!index.has(own)) {
      index.set(own, h3.length);
      h3.push(own);
      owner.push(k);
    }
  });
  return { streets, h3, street: Int32Array.from(owner), index, rings: new Map() };
}

/** The cell index of a point, or -1 outside the study area. */
export function cellOf(area: StudyArea, lon: number, lat: number): number {
  return area.index.get(latLngToCell(lat, lon, CELL_RES)) ?? -1;
}

/**
 * The in-area cells around cell c by ring distance, for d = 1..radius, flattened as
 * [count_1, …cells, count_2, …cells, …]; computed on first use and kept.
 */
export function ringsAround(area: StudyArea, c: number, radius: number): Int32Array {
  let byCell = area.rings.get(radius);
  if (!byCell) {
    byCell = [];
    area.rings.set(radius, byCell);
  }
  const cached = byCell[c];
  if (cached) return cached;
  const flat: number[] = [];
  let previous = new Set<string>([area.h3[c]!]);
  for (let d = 1; d <= radius; d++) {
    const disk = gridDisk(area.h3[c]!, d);
    const inArea: number[] = [];
    for (const x of disk) {
      if (previous.has(x)) continue;
      const i = area.index.get(x);
      if (i !== undefined) inArea.push(i);
    }
    previous = new Set(disk);
    flat.push(inArea.length, ...inArea);
  }
  const out = Int32Array.from(flat);
  byCell[c] = out;
  return out;
}

/** Resolution of the coarse cells that tell which districts hold incidents (~5 km²). */
export const COARSE_RES = 7;

/** Finds the district of a point: coarse H3 cells narrow the streets, point-in-polygon decides. */
export function districtLocator(streets: StreetShape[]): (lon: number, lat: number) => string | undefined {
  const byCell = new Map<string, StreetShape[]>();
  const add = (cell: string, s: StreetShape) => {
    const list = byCell.get(cell);
    if (!list) byCell.set(cell, [s]);
    else if (!list.includes(s)) list.push(s);
  };
  for (const s of streets) {
    const polys = s.geometry.type === 'Polygon' ? [s.geometry.coordinates] : s.geometry.coordinates;
    // The cells holding the street, and their neighbours: a street's edge may cross a cell whose centre is outside.
    for (const p of polys)
      for (const cell of polygonToCells(p, COARSE_RES, true)) for (const n of gridDisk(cell, 1)) add(n, s);
    for (const n of gridDisk(latLngToCell(s.label[1], s.label[0], COARSE_RES), 1)) add(n, s);
  }
  return (lon, lat) => {
    const list = byCell.get(latLngToCell(lat, lon, COARSE_RES));
    if (!list) return undefined;
    const districts = new Set(list.map((s) => s.districtCode));
    if (districts.size === 1) return list[0]!.districtCode;
    return list.find((s) => booleanPointInPolygon([lon, lat], s.geometry))?.districtCode;
  };
}
