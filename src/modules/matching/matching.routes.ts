import { principalOf } from '../../platform/http/principal.ts';
import type { Api } from '../../platform/http/server.ts';
import {
  KpisSchema,
  MatchesQuerySchema,
  MatchesSchema,
  NeedsBodySchema,
  ResourcesBodySchema,
  RunSchema,
  StoredSchema,
} from './matching.schema.ts';
import type { MatchingService } from './matching.service.ts';

const tags = ['matching'];
const refused =
  'A bad row refuses the whole request with 422 `invalid_data`, details `{ row, id, field, reason }` (reason e.g. unknown_category, missing_coordinates, window_end_before_start, capacity_not_positive); nothing is stored.';

/** Need — resource — match routes: add needs and resources, run the matching, read matches and KPIs. */
export function registerMatchingRoutes(app: Api, deps: { matching: MatchingService }): void {
  const { matching } = deps;
  app.post(
    '/api/v1/matching/needs',
    {
      config: { access: 'authenticated' },
      bodyLimit: 16 * 1024 * 1024,
      schema: {
        tags,
        summary: 'Add needs (citizen requests, elderly-care needs, service applications), all or nothing',
        description: `${refused} An id already stored: 409 \`conflict\`.`,
        body: NeedsBodySchema,
        response: { 200: StoredSchema },
      },
    },
    async (request) => matching.addNeeds(principalOf(request), request.body.needs),
  );
  app.post(
    '/api/v1/matching/resources',
    {
      config: { access: 'authenticated' },
      bodyLimit: 16 * 1024 * 1024,
      schema: {
        tags,
        summary: 'Add or replace resources (providers, volunteers, facilities), all or nothing',
        description: refused,
        body: ResourcesBodySchema,
        response: { 200: StoredSchema },
      },
    },
    async (request) => matching.addResources(principalOf(request), request.body.resources),
  );
  app.post(
    '/api/v1/matching/runs',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Match every open need: greedy by urgency, then walking distance; earlier matches are kept',
        response: { 200: RunSchema },
      },
    },
    async (request) => matching.run(principalOf(request)),
  );
  app.get(
    '/api/v1/matching/matches',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Decisions (matched or unmet) with their explanations, in your jurisdiction',
        querystring: MatchesQuerySchema,
        response: { 200: MatchesSchema },
      },
    },
    async (request) => matching.matches(principalOf(request), request.query),
  );
  app.get(
    '/api/v1/matching/kpis',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Share of needs met and time to match (median, p90), overall and per category',
        response: { 200: KpisSchema },
      },
    },
    async (request) => matching.kpis(principalOf(request)),
  );
}
