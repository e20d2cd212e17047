import { z } from 'zod';
import { principalOf } from '../../platform/http/principal.ts';
import type { Api } from '../../platform/http/server.ts';
import {
  AlgorithmVersionSchema,
  CreateDraftSchema,
  RegisterQuerySchema,
  TransitionRecordSchema,
  TransitionSchema,
  UpdateDraftSchema,
  VersionParamsSchema,
} from './algorithms.schema.ts';
import type { AlgorithmRegistry } from './algorithms.service.ts';
import { registerDecisionRoutes } from './decisions.routes.ts';
import { registerPublicRoutes } from './public.routes.ts';

/** What the algorithm routes need. */
export interface AlgorithmRouteDeps {
  registry: AlgorithmRegistry;
}

const VersionDetailSchema = AlgorithmVersionSchema.extend({ history: z.array(TransitionRecordSchema) });
const tags = ['algorithms'];

/** The register, lifecycle, decision-log, "why", override, metrics and public-register routes. */
export function registerAlgorithmRoutes(app: Api, deps: AlgorithmRouteDeps): void {
  const { register } = deps.registry;
  app.get(
    '/api/v1/algorithms',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'The algorithm register (every version), filtered by status, filing type or key',
        querystring: RegisterQuerySchema,
        response: { 200: z.object({ items: z.array(AlgorithmVersionSchema) }) },
      },
    },
    async (request) => ({ items: await register.list(request.query) }),
  );
  app.post(
    '/api/v1/algorithms',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'File a new algorithm or a new version as a draft (owner department liaison or admin)',
        body: CreateDraftSchema,
        response: { 201: AlgorithmVersionSchema },
      },
    },
    async (request, reply) => {
      const created = await register.create(principalOf(request), request.body);
      return reply.status(201).send(created);
    },
  );
  app.get(
    '/api/v1/algorithms/:key/versions/:version',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'One version with its transition history',
        params: VersionParamsSchema,
        response: { 200: VersionDetailSchema },
      },
    },
    async (request) => {
      const { key, version } = request.params;
      return { ...(await register.get(key, version)), history: await register.transitions(key, version) };
    },
  );
  app.patch(
    '/api/v1/algorithms/:key/versions/:version',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Edit a draft: replaces the given top-level register fields',
        params: VersionParamsSchema,
        body: UpdateDraftSchema,
        response: { 200: AlgorithmVersionSchema },
      },
    },
    async (request) =>
      register.update(principalOf(request), request.params.key, request.params.version, request.body),
  );
  app.post(
    '/api/v1/algorithms/:key/versions/:version/transitions',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary:
          'Move a version along draft → filed → approved → in_use → suspended → retired, with a reason',
        description:
          'Owner liaison files; an auditor (not the filer) approves, puts in use, reinstates and retires; ' +
          'an auditor or admin suspends. Putting a version in use retires the previous one.',
        params: VersionParamsSchema,
        body: TransitionSchema,
        response: { 200: AlgorithmVersionSchema },
      },
    },
    async (request) =>
      register.transition(principalOf(request), request.params.key, request.params.version, request.body),
  );
  registerDecisionRoutes(app, deps.registry);
  registerPublicRoutes(app, deps.registry);
}
