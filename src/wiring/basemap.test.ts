import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerBasemapRoutes } from '../modules/basemap/index.ts';
import type { Database } from '../platform/db/database.ts';
import { openTestDatabase, testBackends } from '../platform/db/testing.ts';
import type { Api } from '../platform/http/server.ts';
import { createTestApi } from '../platform/http/testing.ts';
import { demoBasemap } from './basemap.fixture.ts';

/** Web Mercator tile of a point. */
function tileOf(lon: number, lat: number, z: number): [number, number] {
  const n = 2 ** z;
  const r = (lat * Math.PI) / 180;
  return [
    Math.floor(((lon + 180) / 360) * n),
    Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n),
  ];
}
const JIEFANGBEI: [number, number] = [106.5775, 29.5585];

describe.each(testBackends)('base map tiles over the demo city on %s', (kind) => {
  let database: Database;
  let app: Api;
  const get = (url: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url, headers });

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    const basemap = await demoBasemap(database);
    app = await createTestApi({});
    registerBasemapRoutes(app, { basemap });
    await app.ready();
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  it('serves a central Yuzhong tile with roads by class, boundaries, rivers and bilingual labels', async () => {
    const [x, y] = tileOf(...JIEFANGBEI, 13);
    const res = await get(`/api/v1/basemap/tiles/13/${x}/${y}.pbf`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.mapbox-vector-tile');
    const tile = new VectorTile(new PbfReader(res.rawPayload));
    expect(Object.keys(tile.layers).sort()).toEqual(['boundaries', 'labels', 'rivers', 'roads']);
    const roads = tile.layers.roads!;
    const classes = new Set(
      Array.from({ length: roads.length }, (_, i) => roads.feature(i).properties.class),
    );
    expect(classes).toContain('arterial');
    expect(classes).toContain('secondary');
    const levels = new Set(
      Array.from(
        { length: tile.layers.boundaries!.length },
        (_, i) => tile.layers.boundaries!.feature(i).properties.level,
      ),
    );
    expect(levels).toEqual(new Set(['district', 'street']));
    const labels = tile.layers.labels!;
    const names = Array.from({ length: labels.length }, (_, i) => labels.feature(i).properties);
    expect(names).toContainEqual(
      expect.objectContaining({
        level: 'street',
        name: '解放碑街道',
        name_en: expect.stringMatching(/Jiefangbei/),
        minzoom: 12,
      }),
    );
    // A feature decodes back to the place it came from.
    const road = roads.feature(0).toGeoJSON(x, y, 13);
    expect(road.geometry.type).toMatch(/LineString/);
  });

  it('answers caching headers, and 304 for a known entity tag', async () => {
    const [x, y] = tileOf(...JIEFANGBEI, 12);
    const first = await get(`/api/v1/basemap/tiles/12/${x}/${y}.pbf`);
    expect(first.headers['cache-control']).toBe('public, max-age=3600');
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^".+"$/);
    const again = await get(`/api/v1/basemap/tiles/12/${x}/${y}.pbf`);
    expect(again.headers.etag).toBe(etag);
    const revalidated = await get(`/api/v1/basemap/tiles/12/${x}/${y}.pbf`, { 'if-none-match': etag });
    expect(revalidated.statusCode).toBe(304);
    expect(revalidated.rawPayload.length).toBe(0);
  });

  it('answers 204 far from the city (the Atlantic); the whole city at z8 has its expressways', async () => {
    const empty = await get('/api/v1/basemap/tiles/10/300/400.pbf');
    expect(empty.statusCode).toBe(204);
    expect(empty.headers['cache-control']).toBe('public, max-age=3600');
    const [x, y] = tileOf(...JIEFANGBEI, 8);
    const city = await get(`/api/v1/basemap/tiles/8/${x}/${y}.pbf`);
    expect(city.statusCode).toBe(200);
    const roads = new VectorTile(new PbfReader(city.rawPayload)).layers.roads!;
    const classes = new Set(
      Array.from({ length: roads.length }, (_, i) => roads.feature(i).properties.class),
    );
    expect(classes).toContain('expressway');
  });

  it('refuses bad addresses with 400 invalid_tile', async () => {
    for (const [url, reason] of [
      ['15/26000/13000', 'zoom_beyond_max'],
      ['3/8/0', 'outside_zoom'],
      ['a/1/1', 'not_integers'],
      ['-1/0/0', 'not_integers'],
      ['1.5/0/0', 'not_integers'],
    ] as const) {
      const res = await get(`/api/v1/basemap/tiles/${url}.pbf`);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'invalid_tile', details: { reason, maxZoom: 14 } });
    }
  });
});
