import { z } from 'zod';
import { ROLE_GROUPS } from '../../platform/access.ts';
import { principalOf } from '../../platform/http/principal.ts';
import type { Api } from '../../platform/http/server.ts';
import { pageOf } from './organisation.schema.ts';
import {
  TeamCreateSchema,
  TeamPatchSchema,
  TeamPointsQuerySchema,
  TeamPointsSchema,
  TeamPositionSchema,
  TeamQuerySchema,
  TeamSchema,
} from './team.schema.ts';
import type { TeamService } from './team.service.ts';

const tags = ['organisation'];
const IdParams = z.object({ id: z.string().min(1) });

/** Team routes: scoped reads, writes for operators of the team's jurisdiction. */
export function registerTeamRoutes(app: Api, teams: TeamService): void {
  app.get(
    '/api/v1/teams',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Field teams in your jurisdiction',
        querystring: TeamQuerySchema,
        response: { 200: pageOf(TeamSchema) },
      },
    },
    async (request) => teams.list(principalOf(request), request.query),
  );
  app.get(
    '/api/v1/teams/points',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary:
          'Field teams in your jurisdiction as compact columns for a map layer (code, name, kind, place, position)',
        querystring: TeamPointsQuerySchema,
        response: { 200: TeamPointsSchema },
      },
    },
    async (request) => teams.points(principalOf(request), request.query),
  );
  app.get(
    '/api/v1/teams/:id',
    {
      config: { access: 'authenticated' },
      schema: { tags, summary: 'One field team', params: IdParams, response: { 200: TeamSchema } },
    },
    async (request) => teams.get(principalOf(request), request.params.id),
  );
  app.post(
    '/api/v1/teams',
    {
      config: { access: { roles: ROLE_GROUPS.operators } },
      schema: { tags, summary: 'Create a field team', body: TeamCreateSchema, response: { 201: TeamSchema } },
    },
    async (request, reply) => reply.status(201).send(await teams.create(principalOf(request), request.body)),
  );
  app.patch(
    '/api/v1/teams/:id',
    {
      config: { access: { roles: ROLE_GROUPS.operators } },
      schema: {
        tags,
        summary: 'Change a team’s name, base, skills, duty or capacity',
        params: IdParams,
        body: TeamPatchSchema,
        response: { 200: TeamSchema },
      },
    },
    async (request) => teams.update(principalOf(request), request.params.id, request.body),
  );
  app.put(
    '/api/v1/teams/:id/position',
    {
      config: { access: { roles: ROLE_GROUPS.fieldWork } },
      schema: {
        tags,
        summary: 'Report a team’s current position (field app)',
        params: IdParams,
        body: TeamPositionSchema,
        response: { 200: TeamSchema },
      },
    },
    async (request) => teams.setPosition(principalOf(request), request.params.id, request.body),
  );
}
