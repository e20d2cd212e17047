import { z } from 'zod';
import { principalOf } from '../../platform/http/principal.ts';
import type { Api } from '../../platform/http/server.ts';
import {
  BestSitesQuerySchema,
  BestSitesSchema,
  CoverageQuerySchema,
  CoverageSchema,
  GapsQuerySchema,
  GapsSchema,
  ImportBodySchema,
  ImportResultSchema,
  StreetSchema,
} from './lifecircle.schema.ts';
import type { LifeCircleService } from './lifecircle.service.ts';

const tags = ['lifecircle'];

/** The life circle routes: coverage per street, one street, gap list, best sites, facility import. */
export function registerLifeCircleRoutes(app: Api, deps: { lifecircle: LifeCircleService }): void {
  const { lifecircle } = deps;
  app.get(
    '/api/v1/lifecircle/coverage',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary:
          'Per street in your jurisdiction: share of residents within a 15-minute walk of each facility category',
        querystring: CoverageQuerySchema,
        response: { 200: CoverageSchema },
      },
    },
    async (request) => lifecircle.report(principalOf(request), request.query),
  );
  app.get(
    '/api/v1/lifecircle/streets/:code',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'One street’s 15-minute coverage, computed for it alone',
        params: z.object({ code: z.string().regex(/^[0-9A-Za-z_-]{1,32}$/) }),
        response: { 200: StreetSchema },
      },
    },
    async (request) => lifecircle.street(principalOf(request), request.params.code),
  );
  app.get(
    '/api/v1/lifecircle/gaps',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Gap list: street × category, most residents beyond a 15-minute walk first',
        querystring: GapsQuerySchema,
        response: { 200: GapsSchema },
      },
    },
    async (request) => lifecircle.gaps(principalOf(request), request.query),
  );
  app.get(
    '/api/v1/lifecircle/best-sites',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary:
          'Where one more facility (default an elderly canteen: elderly_care) would cover the most residents',
        querystring: BestSitesQuerySchema,
        response: { 200: BestSitesSchema },
      },
    },
    async (request) => lifecircle.bestSites(principalOf(request), request.query),
  );
  app.post(
    '/api/v1/lifecircle/facilities',
    {
      config: { access: { roles: ['admin'] } },
      bodyLimit: 32 * 1024 * 1024,
      schema: {
        tags,
        summary: 'Import facilities (CSV or JSON), all or nothing; a refused row is named',
        description:
          'Categories of TD/T 1062-2021: education, health, elderly_care, culture_sport, commerce, transit, ' +
          'public_service, park (or their zh-CN names). A row without coordinates or with an unknown category: ' +
          '422 `invalid_data`, details `{ row, id, reason }`, nothing stored.',
        body: ImportBodySchema,
        response: { 200: ImportResultSchema },
      },
    },
    async (request) =>
      lifecircle.importFacilities(principalOf(request), request.body.format, request.body.content),
  );
}
