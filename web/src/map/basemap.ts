import type { StyleSpecification } from 'maplibre-gl';

/**
 * A raster tile URL template (`…/{z}/{x}/{y}.png`) for a base map, when the network has a
 * tile server: from localStorage `citybrain.tileUrl`, else the build-time
 * `VITE_CITYBRAIN_TILE_URL`. Default none: a closed network draws only our own data.
 */
export function configuredTileUrl(): string | undefined {
  const local = globalThis.localStorage?.getItem('citybrain.tileUrl');
  const url = local || import.meta.env.VITE_CITYBRAIN_TILE_URL;
  return typeof url === 'string' && url.includes('{z}') ? url : undefined;
}

/** Colours of the map, shared with the legend. */
export const MAP_COLOURS = {
  background: '#0a1a2c',
  area: '#1f4e79',
  areaHot: '#e4572e',
  areaLine: '#8fb8de',
  focusLine: '#5ec8ff',
  river: '#2f8fd6',
  team: [255, 181, 71] as [number, number, number],
  event: '#ff4d6d',
  /** Devices by status (online, offline, fault), and those with an open alert. */
  device: {
    online: [46, 204, 113] as [number, number, number],
    offline: [138, 155, 176] as [number, number, number],
    fault: [255, 140, 0] as [number, number, number],
  },
  deviceAlert: [255, 61, 240] as [number, number, number],
} as const;

/** The style: a plain background (plus configured tiles, if any); our GeoJSON layers are added on load. */
export function baseStyle(tileUrl = configuredTileUrl()): StyleSpecification {
  return {
    version: 8,
    sources: tileUrl ? { tiles: { type: 'raster', tiles: [tileUrl], tileSize: 256 } } : {},
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': MAP_COLOURS.background } },
      ...(tileUrl ? [{ id: 'tiles', type: 'raster' as const, source: 'tiles' }] : []),
    ],
  };
}

/** Fill colour by open events: one colour while every value is 0, a ramp once there are events. */
export function valueColour(max: number): unknown {
  if (max <= 0) return MAP_COLOURS.area;
  return ['interpolate', ['linear'], ['get', 'value'], 0, MAP_COLOURS.area, max, MAP_COLOURS.areaHot];
}

/** A CSS colour for an RGB triple of the map's colours. */
export function rgb(c: readonly number[]): string {
  return `rgb(${c.join(',')})`;
}
