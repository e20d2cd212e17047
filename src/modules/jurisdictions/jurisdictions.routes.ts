import { z } from 'zod';
import { AppError } from '../../platform/errors.ts';
import { principalOf } from '../../platform/http/principal.ts';
import type { Api } from '../../platform/http/server.ts';
import {
  FeatureCollectionOutSchema,
  ImportOptionsSchema,
  ImportResultSchema,
  JurisdictionSchema,
  JurisdictionSummarySchema,
  ListQuerySchema,
  LocatedSchema,
  LocateQuerySchema,
} from './jurisdictions.schema.ts';
import type { JurisdictionService } from './jurisdictions.service.ts';

const tags = ['jurisdictions'];
const CodeParams = z.object({ code: z.string().min(1).max(40) });
const ListResponse = z.object({
  items: z.array(JurisdictionSummarySchema),
  approximate: z.boolean().describe('true when any listed shape is approximate'),
});
// Real boundary files run to tens of megabytes; the server-wide limit stays small for everything else.
const IMPORT_BODY_LIMIT = 50 * 1024 * 1024;

/** Routes under /api/v1/jurisdictions: public reads of the tree and locate, and the admin-only import. */
export function registerJurisdictionRoutes(app: Api, deps: { jurisdictions: JurisdictionService }): void {
  const { jurisdictions } = deps;
  app.get(
    '/api/v1/jurisdictions',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Jurisdictions, without geometry',
        querystring: ListQuerySchema,
        response: { 200: ListResponse },
      },
    },
    async (request) => {
      const items = await jurisdictions.list(request.query);
      return { items, approximate: items.some((i) => i.approximate) };
    },
  );
  app.get(
    '/api/v1/jurisdictions/locate',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'The chain of jurisdictions containing a point; 422 outside_city outside them all',
        querystring: LocateQuerySchema,
        response: { 200: LocatedSchema },
      },
    },
    async (request) => {
      const { lon, lat } = request.query;
      const located = await jurisdictions.locate(lon, lat);
      if (!located)
        throw new AppError('outside_city', `(${lon}, ${lat}) lies outside the city`, { lon, lat });
      return located;
    },
  );
  app.get(
    '/api/v1/jurisdictions.geojson',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Jurisdictions as a GeoJSON FeatureCollection, for map layers',
        querystring: ListQuerySchema.pick({ level: true, parent: true }),
        response: { 200: FeatureCollectionOutSchema },
      },
    },
    async (request, reply) => {
      reply.type('application/geo+json');
      return jurisdictions.geojson(request.query);
    },
  );
  app.get(
    '/api/v1/jurisdictions/:code',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'One jurisdiction with its geometry',
        params: CodeParams,
        response: { 200: JurisdictionSchema },
      },
    },
    async (request) => jurisdictions.get(request.params.code),
  );
  app.get(
    '/api/v1/jurisdictions/:code/children',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'The direct children of a jurisdiction',
        params: CodeParams,
        response: { 200: ListResponse },
      },
    },
    async (request) => {
      const items = await jurisdictions.children(request.params.code);
      return { items, approximate: items.some((i) => i.approximate) };
    },
  );
  app.post(
    '/api/v1/jurisdictions/import',
    {
      config: { access: { roles: ['admin'] } },
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Import a GeoJSON FeatureCollection of boundaries (admin); all or nothing',
        querystring: ImportOptionsSchema,
        body: z.unknown().describe('GeoJSON FeatureCollection of Polygon/MultiPolygon features'),
        response: { 200: ImportResultSchema },
      },
    },
    async (request) =>
      jurisdictions.importGeoJson(principalOf(request), request.body, request.query, 'http upload'),
  );
}
