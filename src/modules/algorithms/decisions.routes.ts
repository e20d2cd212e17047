import { z } from 'zod';
import { ROLE_GROUPS } from '../../platform/access.ts';
import { principalOf } from '../../platform/http/principal.ts';
import type { Api } from '../../platform/http/server.ts';
import { AlgorithmKeySchema, VersionParamsSchema } from './algorithms.schema.ts';
import type { AlgorithmRegistry } from './algorithms.service.ts';
import {
  DecisionPageSchema,
  DecisionSchema,
  MetricsResponseSchema,
  OverrideRequestSchema,
  ReviewAlertSchema,
  SubjectSchema,
  WhyQuerySchema,
} from './decisions.schema.ts';

const tags = ['algorithms'];

/** Decision log, "why", overrides and metrics. */
export function registerDecisionRoutes(app: Api, registry: AlgorithmRegistry): void {
  app.get(
    '/api/v1/algorithms/:key/versions/:version/decisions',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Decision log of a version, newest first (auditors, owner department liaison)',
        params: VersionParamsSchema,
        querystring: DecisionPageSchema,
        response: { 200: z.object({ items: z.array(DecisionSchema) }) },
      },
    },
    async (request) => {
      const { key, version } = request.params;
      return { items: await registry.decisionsOf(principalOf(request), key, version, request.query) };
    },
  );
  app.get(
    '/api/v1/algorithms/:key/metrics',
    {
      config: { access: { roles: ['auditor', 'department_liaison', 'city_operator'] } },
      schema: {
        tags,
        summary: 'Calls, refusals, p50/p95 latency and override rate per version; review alerts',
        params: z.object({ key: AlgorithmKeySchema }),
        querystring: z.object({ windowDays: z.coerce.number().int().min(1).max(366).optional() }),
        response: { 200: MetricsResponseSchema },
      },
    },
    async (request) => registry.decisions.metrics(request.params.key, request.query.windowDays),
  );
  app.get(
    '/api/v1/why',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary:
          'The algorithm decisions that shaped an event, task or complaint, in order, with explanations',
        querystring: WhyQuerySchema,
        response: { 200: z.object({ subject: SubjectSchema, decisions: z.array(DecisionSchema) }) },
      },
    },
    async (request) => {
      const subject = { type: request.query.subjectType, id: request.query.subjectId };
      return { subject, decisions: await registry.decisions.why(principalOf(request), subject) };
    },
  );
  app.post(
    '/api/v1/decisions/:id/override',
    {
      config: { access: { roles: ROLE_GROUPS.responders } },
      schema: {
        tags,
        summary:
          'Record that a person corrected a decision (reassigned, re-categorised); counts toward the override rate',
        params: z.object({ id: z.uuid() }),
        body: OverrideRequestSchema,
        response: {
          201: z.object({
            overrideId: z.number().int(),
            decisionId: z.string(),
            alert: ReviewAlertSchema.nullable(),
          }),
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { reason, newOutput } = request.body;
      return reply
        .status(201)
        .send(await registry.recordOverride(request.params.id, principal, reason, newOutput));
    },
  );
}
