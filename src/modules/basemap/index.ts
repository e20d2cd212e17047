/** Public surface of the base map module: vector tiles of the city's own roads, boundaries, rivers and names. */
export { registerBasemapRoutes } from './basemap.routes.ts';
export {
  type BasemapDeps,
  type BasemapOptions,
  BasemapService,
  DEFAULT_BASEMAP_OPTIONS,
  type Tile,
} from './basemap.service.ts';
export type { Area, BasemapSource, River, RoadLine } from './basemap.source.ts';
export { LAYERS, MAX_ZOOM, STREET_LABEL_MINZOOM, TileIndex } from './basemap.tiles.ts';
