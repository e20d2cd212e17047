import { z } from 'zod';
import type { Api } from '../../platform/http/server.ts';
import type { BasemapService } from './basemap.service.ts';
import { LAYERS, MAX_ZOOM } from './basemap.tiles.ts';

const tags = ['basemap'];
/** Tiles change only when the network or boundaries are re-imported; an hour, then revalidated by ETag. */
const CACHE_CONTROL = 'public, max-age=3600';
const Params = z.object({ z: z.string().max(8), x: z.string().max(8), y: z.string().max(8) });

/** `GET /api/v1/basemap/tiles/{z}/{x}/{y}.pbf`: the street base map as Mapbox Vector Tiles, public. */
export function registerBasemapRoutes(app: Api, deps: { basemap: BasemapService }): void {
  const { basemap } = deps;
  app.get(
    '/api/v1/basemap/tiles/:z/:x/:y.pbf',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: `A base map tile (application/vnd.mapbox-vector-tile; layers ${LAYERS.join(', ')}); 204 where there is nothing; 400 invalid_tile for a bad address or z > ${MAX_ZOOM}`,
        params: Params,
      },
    },
    async (req, reply) => {
      const tile = await basemap.tile(req.params.z, req.params.x, req.params.y);
      reply.header('cache-control', CACHE_CONTROL).header('etag', tile.etag);
      if (req.headers['if-none-match'] === tile.etag) return reply.code(304).send();
      if (!tile.bytes) return reply.code(204).send();
      return reply.type('application/vnd.mapbox-vector-tile').send(Buffer.from(tile.bytes));
    },
  );
}
