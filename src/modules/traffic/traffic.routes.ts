import { z } from 'zod';
import { principalOf } from '../../platform/http/principal.ts';
import type { Api } from '../../platform/http/server.ts';
import { ROLE_GROUPS } from '../../platform/roles.ts';
import {
  AlertsQuerySchema,
  AlertsSchema,
  ImportResultSchema,
  IndexQuerySchema,
  IndexSchema,
  LevelsSchema,
  LinksQuerySchema,
  LinksSchema,
} from './traffic.schema.ts';
import type { TrafficService } from './traffic.service.ts';

const tags = ['traffic'];

/** The traffic routes: links layer, index, arterial speed, alerts, network import. */
export function registerTrafficRoutes(app: Api, deps: { traffic: TrafficService }): void {
  const { traffic } = deps;
  app.get(
    '/api/v1/traffic/links',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Road links in your jurisdiction with their latest travel-time index and level (map layer)',
        querystring: LinksQuerySchema,
        response: { 200: LinksSchema },
      },
    },
    async (request) => traffic.queries.links(principalOf(request), request.query),
  );
  app.get(
    '/api/v1/traffic/levels',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'The links layer without geometry: each link’s latest level, speed and index (live refresh)',
        description:
          'Parallel arrays in link id order, as `/api/v1/traffic/links` lists them: a map that holds the ' +
          'geometry refetches this when a detector reports.',
        querystring: LinksQuerySchema,
        response: { 200: LevelsSchema },
      },
    },
    async (request) => traffic.queries.levels(principalOf(request), request.query),
  );
  app.get(
    '/api/v1/traffic/index',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary:
          'Congestion index (travel-time index) of a day for the city or a district, with its 5-minute curve',
        description:
          'Per link and slot, free-flow speed / mean detector speed (≥ 1); aggregated weighted by length × flow. ' +
          'Peaks 07–09 and 17–19 local; arterial speed is vehicle-km / vehicle-hours on arterials and expressways.',
        querystring: IndexQuerySchema,
        response: { 200: IndexSchema },
      },
    },
    async (request) => traffic.queries.index(principalOf(request), request.query),
  );
  app.get(
    '/api/v1/traffic/arterial-speed',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Average arterial speed of a day (whole day, peaks, 5-minute curve)',
        querystring: IndexQuerySchema.pick({ day: true, area: true }),
        response: {
          200: z.object({
            day: z.string(),
            area: z.string().nullable(),
            speedKmh: z.number().nullable(),
            peakSpeedKmh: z.number().nullable(),
            curve: z.array(z.number().nullable()),
          }),
        },
      },
    },
    async (request) => {
      const x = await traffic.queries.index(principalOf(request), request.query);
      return {
        day: x.figures.day,
        area: x.area,
        speedKmh: x.figures.arterialSpeedKmh,
        peakSpeedKmh: x.figures.peakArterialSpeedKmh,
        curve: x.arterialSpeedCurve,
      };
    },
  );
  app.get(
    '/api/v1/traffic/alerts',
    {
      config: { access: { roles: ROLE_GROUPS.oversight } },
      schema: {
        tags,
        summary: 'Congestion alerts of links in your jurisdiction, newest first',
        querystring: AlertsQuerySchema,
        response: { 200: AlertsSchema },
      },
    },
    async (request) => ({ items: await traffic.alerts(principalOf(request), request.query) }),
  );
  app.post(
    '/api/v1/traffic/network',
    {
      config: { access: { roles: ['admin'] } },
      bodyLimit: 64 * 1024 * 1024,
      schema: {
        tags,
        summary: 'Replace the road network with a GeoJSON FeatureCollection of LineStrings (all or nothing)',
        description:
          'Feature properties: `class` (expressway | arterial | secondary), `id`, `name`, `freeFlowKmh`, `approximate`. ' +
          'A broken feature imports nothing: 400 `invalid_data` naming it. Detectors are mapped to their nearest link.',
        body: z.object({ type: z.literal('FeatureCollection'), features: z.array(z.unknown()) }),
        response: { 200: ImportResultSchema },
      },
    },
    async (request) => traffic.importNetwork(principalOf(request), request.body),
  );
}
