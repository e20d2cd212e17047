import type { Map as MapLibreMap, StyleSpecification } from 'maplibre-gl';
import { type Label, LabelLayer } from './labels.ts';

/** The platform's own vector tiles (roads, boundaries, rivers, labels), served offline by the API. */
export const STREET_TILES_PATH = '/api/v1/basemap/tiles/{z}/{x}/{y}.pbf';
/** The deepest zoom the server slices (MapLibre over-zooms past it). */
const TILES_MAXZOOM = 14;
/** Chongqing's extent: no tile is requested outside it. */
const CITY_BOUNDS: [number, number, number, number] = [105.2, 28.1, 110.2, 32.2];

/** Colours of the light street map. */
const C = {
  background: '#eef2f6',
  river: '#8cc3ea',
  district: '#7d93ab',
  street: '#b4c2d1',
  expressway: '#f0a04b',
  arterial: '#f7d27a',
  secondary: '#ffffff',
  /** Secondary roads before their casing shows (white would vanish on the background). */
  secondaryFar: '#d3dbe4',
  casing: '#c3ccd6',
} as const;

const width = (at10: number, at15: number): unknown => [
  'interpolate',
  ['linear'],
  ['zoom'],
  10,
  at10,
  15,
  at15,
];

/**
 * The pin map's style: our street base map (roads by class, district and street lines, rivers)
 * from the API's vector tiles; with a configured raster tile URL, that raster instead under our
 * district lines. Names are not in the style: MapLibre text needs a glyph server, which a closed
 * network lacks, so {@link StreetLabels} draws them as HTML.
 */
export function streetStyle(origin: string, rasterUrl?: string): StyleSpecification {
  const city = {
    type: 'vector' as const,
    tiles: [`${origin}${STREET_TILES_PATH}`],
    maxzoom: TILES_MAXZOOM,
    bounds: CITY_BOUNDS,
  };
  const districts = {
    id: 'district-lines',
    type: 'line' as const,
    source: 'city',
    'source-layer': 'boundaries',
    filter: ['==', ['get', 'level'], 'district'],
    paint: { 'line-color': C.district, 'line-width': 1.4 },
  };
  if (rasterUrl)
    return {
      version: 8,
      sources: { tiles: { type: 'raster', tiles: [rasterUrl], tileSize: 256 }, city },
      layers: [
        { id: 'bg', type: 'background', paint: { 'background-color': C.background } },
        { id: 'tiles', type: 'raster', source: 'tiles' },
        districts as StyleSpecification['layers'][number],
      ],
    };
  const road = (cls: 'expressway' | 'arterial' | 'secondary', w: [number, number], minzoom = 0) => ({
    id: `road-${cls}`,
    type: 'line' as const,
    source: 'city',
    'source-layer': 'roads',
    minzoom,
    filter: ['==', ['get', 'class'], cls],
    layout: { 'line-cap': 'round' as const, 'line-join': 'round' as const },
    paint: {
      'line-color': cls === 'secondary' ? ['step', ['zoom'], C.secondaryFar, 12, C.secondary] : C[cls],
      'line-width': width(...w),
    },
  });
  const layers = [
    { id: 'bg', type: 'background', paint: { 'background-color': C.background } },
    {
      id: 'rivers',
      type: 'line',
      source: 'city',
      'source-layer': 'rivers',
      paint: { 'line-color': C.river, 'line-width': width(2, 8) },
    },
    {
      id: 'street-lines',
      type: 'line',
      source: 'city',
      'source-layer': 'boundaries',
      minzoom: 11,
      filter: ['==', ['get', 'level'], 'street'],
      paint: { 'line-color': C.street, 'line-width': 1, 'line-dasharray': [3, 2] },
    },
    {
      id: 'road-casing',
      type: 'line',
      source: 'city',
      'source-layer': 'roads',
      minzoom: 12,
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': C.casing, 'line-width': width(2.5, 9) },
    },
    road('secondary', [0.8, 6], 10),
    road('arterial', [1.5, 7]),
    road('expressway', [2, 8]),
    districts,
  ];
  return { version: 8, sources: { city }, layers: layers as StyleSpecification['layers'] };
}

/**
 * District and street names from the tiles' `labels` layer, as HTML markers (the cockpit's
 * {@link LabelLayer}): districts at every zoom, streets from their `minzoom` (12); in the UI language.
 */
export class StreetLabels {
  readonly #map: MapLibreMap;
  readonly #layer: LabelLayer;
  readonly #english: boolean;
  #shown = '';
  readonly #update = () => this.refresh();

  constructor(map: MapLibreMap, language: string) {
    this.#map = map;
    this.#english = language === 'en';
    this.#layer = new LabelLayer(map);
    map.on('idle', this.#update);
  }

  /** Re-reads the labels of the loaded tiles; replaces the markers only when the set changed. */
  refresh(): void {
    const zoom = this.#map.getZoom();
    const seen = new Map<string, Label>();
    for (const f of this.#map.querySourceFeatures('city', { sourceLayer: 'labels' })) {
      const p = f.properties as {
        code: string;
        level: string;
        name: string;
        name_en: string;
        minzoom: number;
      };
      if (seen.has(p.code) || zoom < p.minzoom || f.geometry.type !== 'Point') continue;
      seen.set(p.code, {
        code: p.code,
        text: this.#english ? p.name_en : p.name,
        at: f.geometry.coordinates as [number, number],
        strong: p.level === 'district',
      });
    }
    // Districts first: they win the declutter over street names.
    const labels = [...seen.values()].sort((a, b) => Number(!!b.strong) - Number(!!a.strong));
    const key = labels.map((l) => l.code).join();
    if (key === this.#shown) return;
    this.#shown = key;
    this.#layer.set(labels);
  }

  remove(): void {
    this.#map.off('idle', this.#update);
    this.#layer.remove();
  }
}
