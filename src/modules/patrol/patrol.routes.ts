import { z } from 'zod';
import { principalOf } from '../../platform/http/principal.ts';
import type { Api } from '../../platform/http/server.ts';
import {
  DisplacementQuerySchema,
  DisplacementSchema,
  HotspotsQuerySchema,
  HotspotsSchema,
  MyBeatsSchema,
  PatrolPlanSchema,
  PlanRequestSchema,
} from './patrol.schema.ts';
import type { PatrolService } from './patrol.service.ts';

const tags = ['patrol'];
const Id = z.object({ id: z.uuid() });

/** The patrol routes: hot spots with their accuracy, plans (capped, logged decisions), displacement. */
export function registerPatrolRoutes(app: Api, deps: { patrol: PatrolService }): void {
  const { patrol } = deps;
  app.get(
    '/api/v1/patrol/hotspots',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Hot cells from reported incidents only, with the held-out PAI curve and its count baseline',
        querystring: HotspotsQuerySchema,
        response: { 200: HotspotsSchema },
      },
    },
    async (request) => patrol.hotspots(principalOf(request), request.query),
  );
  app.post(
    '/api/v1/patrol/plans',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'A patrol plan: beats over the hottest cells, hours capped per area; a logged decision',
        description:
          'Operators. An area above `shareCap` of the hours: 422 `share_cap_exceeded`, details `{ area, areaName, level, share, shareCap, decisionId }`.',
        body: PlanRequestSchema,
        response: { 200: PatrolPlanSchema },
      },
    },
    async (request) => patrol.plan(principalOf(request), request.body),
  );
  app.get(
    '/api/v1/patrol/plans',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'The newest patrol plans in your jurisdiction',
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }),
        response: { 200: z.object({ items: z.array(PatrolPlanSchema) }) },
      },
    },
    async (request) => ({ items: await patrol.plans(principalOf(request), request.query.limit) }),
  );
  app.get(
    '/api/v1/patrol/beats/mine',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'My beats: those in my area of the newest patrol plan covering it (the field app)',
        response: { 200: MyBeatsSchema },
      },
    },
    async (request) => patrol.myBeats(principalOf(request)),
  );
  app.get(
    '/api/v1/patrol/plans/:id',
    {
      config: { access: 'authenticated' },
      schema: { tags, summary: 'One patrol plan', params: Id, response: { 200: PatrolPlanSchema } },
    },
    async (request) => patrol.getPlan(principalOf(request), request.params.id),
  );
  app.get(
    '/api/v1/patrol/plans/:id/displacement',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Displacement check: weighted displacement quotient of the rings around the plan’s cells',
        params: Id,
        querystring: DisplacementQuerySchema,
        response: { 200: DisplacementSchema },
      },
    },
    async (request) => patrol.displacement(principalOf(request), request.params.id, request.query),
  );
}
