import type { GeoJSONSource, Map as MapLibreMap } from 'maplibre-gl';
import riversUrl from '../../../data/chongqing/rivers.geojson?url';
import type { Boundaries, Jurisdiction } from '../api/types.ts';
import { MAP_COLOURS, valueColour } from './basemap.ts';
import type { MapEvent } from './CityMap.types.ts';

/** The highest choropleth value among the areas (0 when none has one). */
export function areaMax(areas: Boundaries, values: ReadonlyMap<string, number>): number {
  return Math.max(0, ...areas.features.map((f) => values.get(f.properties.code) ?? 0));
}

/** Our GeoJSON sources and layers, bottom to top: areas, rivers, area edges, focus outline, events. */
export function addLayers(m: MapLibreMap): void {
  const empty = { type: 'FeatureCollection', features: [] } as GeoJSON.FeatureCollection;
  m.addSource('areas', { type: 'geojson', data: empty, promoteId: 'code' });
  m.addSource('focus', { type: 'geojson', data: empty });
  m.addSource('rivers', { type: 'geojson', data: riversUrl });
  m.addLayer({
    id: 'areas-fill',
    type: 'fill',
    source: 'areas',
    paint: {
      'fill-color': MAP_COLOURS.area,
      'fill-opacity': [
        'case',
        ['boolean', ['feature-state', 'hover'], false],
        0.85,
        ['get', 'highlight'],
        0.9,
        ['get', 'selectable'],
        0.6,
        0.35,
      ],
    },
  });
  m.addLayer({
    id: 'rivers',
    type: 'line',
    source: 'rivers',
    layout: { 'line-cap': 'round', 'line-join': 'round' },
    paint: {
      'line-color': MAP_COLOURS.river,
      'line-width': ['interpolate', ['linear'], ['zoom'], 6, 1.5, 12, 5],
    },
  });
  m.addLayer({
    id: 'areas-line',
    type: 'line',
    source: 'areas',
    paint: { 'line-color': MAP_COLOURS.areaLine, 'line-opacity': 0.7, 'line-width': 1 },
  });
  m.addLayer({
    id: 'focus-line',
    type: 'line',
    source: 'focus',
    paint: { 'line-color': MAP_COLOURS.focusLine, 'line-width': 2.5 },
  });
  addEventLayer(m, empty);
}

/** The event dots, on top: open ones red, closed ones grey. */
function addEventLayer(m: MapLibreMap, empty: GeoJSON.FeatureCollection): void {
  m.addSource('events', { type: 'geojson', data: empty });
  m.addLayer({
    id: 'events',
    type: 'circle',
    source: 'events',
    paint: {
      'circle-color': ['case', ['get', 'open'], MAP_COLOURS.event, '#8a9bb0'],
      'circle-radius': ['interpolate', ['linear'], ['zoom'], 8, 4, 14, 9],
      'circle-stroke-color': '#ffffff',
      'circle-stroke-width': 1.5,
    },
  });
}

/** What the area layers draw. */
export interface AreaData {
  focus: Jurisdiction;
  areas: Boundaries;
  highlight: string | undefined;
  selectable: ReadonlySet<string>;
  values: ReadonlyMap<string, number>;
}

/** Fills the area and focus sources, ramps the fill colour to the highest value and fits the focus. */
export function showAreas(m: MapLibreMap, { focus, areas, highlight, selectable, values }: AreaData): void {
  const features = areas.features.map((f) => ({
    ...f,
    properties: {
      ...f.properties,
      value: values.get(f.properties.code) ?? 0,
      selectable: selectable.has(f.properties.code),
      highlight: f.properties.code === highlight,
    },
  }));
  (m.getSource('areas') as GeoJSONSource).setData({
    type: 'FeatureCollection',
    features,
  } as GeoJSON.FeatureCollection);
  (m.getSource('focus') as GeoJSONSource).setData({
    type: 'Feature',
    properties: {},
    geometry: focus.geometry as GeoJSON.Geometry,
  });
  const max = Math.max(0, ...features.map((f) => f.properties.value));
  m.setPaintProperty('areas-fill', 'fill-color', valueColour(max) as string);
}

/** Fills the event source: one point per event, `open` unless closed or merged. */
export function showEvents(source: GeoJSONSource, events: readonly MapEvent[] | undefined): void {
  source.setData({
    type: 'FeatureCollection',
    features: (events ?? []).map((e) => ({
      type: 'Feature',
      properties: { id: e.id, open: e.status !== 'closed' && e.status !== 'merged' },
      geometry: { type: 'Point', coordinates: [e.location.lon, e.location.lat] },
    })),
  });
}
