import { GeoJSONVT } from '@maplibre/geojson-vt';
import { fromGeojsonVt } from '@maplibre/vt-pbf';
import type { Feature, FeatureCollection, Geometry, Position } from 'geojson';
import type { Area, River, RoadLine } from './basemap.source.ts';

/** The deepest zoom served; MapLibre over-zooms beyond it. Street-level detail is in by z14. */
export const MAX_ZOOM = 14;
/** The layer names of every tile. */
export const LAYERS = ['roads', 'boundaries', 'rivers', 'labels'] as const;
export type LayerName = (typeof LAYERS)[number];

/** From this zoom the client shows street names (district names at every zoom). */
export const STREET_LABEL_MINZOOM = 12;

/** The sliced layers: one geojson-vt index per layer, built once from the source data. */
export class TileIndex {
  readonly #layers: Record<LayerName, GeoJSONVT>;
  /** How many features went into each layer. */
  readonly counts: Record<LayerName, number>;

  constructor(data: { roads: RoadLine[]; areas: Area[]; rivers: River[] }) {
    const collections: Record<LayerName, FeatureCollection> = {
      roads: collection(data.roads.map(roadFeature)),
      boundaries: collection(data.areas.flatMap(boundaryFeatures)),
      rivers: collection(data.rivers.map(riverFeature)),
      labels: collection(data.areas.map(labelFeature)),
    };
    // indexMaxZoom 5 (the default) pre-slices only the top; deeper tiles are sliced on first
    // request and kept by geojson-vt, so the first request of a tile pays for its slicing.
    const options = { maxZoom: MAX_ZOOM, indexMaxZoom: 5, tolerance: 3, extent: 4096, buffer: 64 };
    this.#layers = Object.fromEntries(
      LAYERS.map((name) => [name, new GeoJSONVT(collections[name], options)]),
    ) as Record<LayerName, GeoJSONVT>;
    this.counts = Object.fromEntries(
      LAYERS.map((name) => [name, collections[name].features.length]),
    ) as Record<LayerName, number>;
  }

  /** The tile as Mapbox Vector Tile bytes (version 2), or undefined when no layer has a feature there. */
  encode(z: number, x: number, y: number): Uint8Array | undefined {
    const layers: Record<string, NonNullable<ReturnType<GeoJSONVT['getTile']>>> = {};
    for (const name of LAYERS) {
      const tile = this.#layers[name].getTile(z, x, y);
      if (tile && tile.features.length > 0) layers[name] = tile;
    }
    if (Object.keys(layers).length === 0) return undefined;
    return fromGeojsonVt(layers, { version: 2, extent: 4096 });
  }
}

const collection = (features: Feature[]): FeatureCollection => ({ type: 'FeatureCollection', features });

function feature(geometry: Geometry, properties: Record<string, string | number>): Feature {
  return { type: 'Feature', geometry, properties };
}

function roadFeature(r: RoadLine): Feature {
  return feature(
    { type: 'LineString', coordinates: r.coordinates },
    { id: r.id, name: r.name, class: r.roadClass },
  );
}

// Outlines as lines, not polygons: the map draws boundaries, never fills, and a street's edge is
// then one line per ring instead of a polygon clipped into every tile it covers.
function boundaryFeatures(a: Area): Feature[] {
  const polygons: Position[][][] =
    a.geometry.type === 'Polygon' ? [a.geometry.coordinates] : a.geometry.coordinates;
  return [
    feature({ type: 'MultiLineString', coordinates: polygons.flat() }, { code: a.code, level: a.level }),
  ];
}

function riverFeature(r: River): Feature {
  return feature(r.geometry, { name: r.name, name_en: r.nameEn });
}

function labelFeature(a: Area): Feature {
  return feature(
    { type: 'Point', coordinates: a.label },
    {
      code: a.code,
      level: a.level,
      name: a.name,
      name_en: a.nameEn ?? a.name,
      minzoom: a.level === 'street' ? STREET_LABEL_MINZOOM : 0,
    },
  );
}
