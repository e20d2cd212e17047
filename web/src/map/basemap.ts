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

/**
 * The count at which an area is drawn fully hot: the largest count shown, but never below
 * {@link HOT_FLOOR} — one open event in a quiet district should tint its street, not paint it
 * as red as a street with dozens.
 */
export const HOT_FLOOR = 5;
export const hotTop = (max: number): number => Math.max(max, HOT_FLOOR);

/** Fill colour by open events: one colour while every value is 0, a ramp up to {@link hotTop} once there are events. */
export function valueColour(max: number): unknown {
  if (max <= 0) return MAP_COLOURS.area;
  return ['interpolate', ['linear'], ['get', 'value'], 0, MAP_COLOURS.area, hotTop(max), MAP_COLOURS.areaHot];
}

/** The ramp's colour at `value` (what the legend shows for the largest count), as a CSS colour. */
export function rampColour(value: number, max: number): string {
  const f = max <= 0 ? 0 : Math.min(1, value / hotTop(max));
  const hex = (c: string) => [1, 3, 5].map((i) => Number.parseInt(c.slice(i, i + 2), 16));
  const [a, b] = [hex(MAP_COLOURS.area), hex(MAP_COLOURS.areaHot)];
  return `rgb(${a.map((x, i) => Math.round(x + (b[i]! - x) * f)).join(',')})`;
}

/** A CSS colour for an RGB triple of the map's colours. */
export function rgb(c: readonly number[]): string {
  return `rgb(${c.join(',')})`;
}
