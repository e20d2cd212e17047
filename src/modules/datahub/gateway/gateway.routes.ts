import { z } from 'zod';
import { AppError } from '../../../platform/errors.ts';
import { principalOf } from '../../../platform/http/principal.ts';
import type { Api } from '../../../platform/http/server.ts';
import {
  ApplicationSchema,
  ConsumerBodySchema,
  ConsumerCreatedSchema,
  ExchangeBodySchema,
  ExchangePendingSchema,
  ExchangeResultSchema,
  LogVerifySchema,
} from './gateway.schema.ts';
import type { ExchangeGateway } from './gateway.service.ts';

const tags = ['datahub'];
const Id = z.object({ id: z.string().max(64) });

/** Consumers, the exchange, conditional-access applications and the log's verification under /api/v1/datahub. */
export function registerGatewayRoutes(app: Api, deps: { gateway: ExchangeGateway }): void {
  const { gateway } = deps;
  app.post(
    '/api/v1/datahub/consumers',
    {
      config: { access: { roles: ['data_authority'] } },
      schema: {
        tags,
        summary:
          'Register a department application as a gateway consumer; its key is shown once (data_authority)',
        body: ConsumerBodySchema,
        response: { 201: ConsumerCreatedSchema },
      },
    },
    async (request, reply) => {
      reply.code(201);
      return gateway.consumers.register(principalOf(request), request.body);
    },
  );
  app.post(
    '/api/v1/datahub/exchange',
    {
      // The gateway authenticates the consumer application's key itself (401 without one).
      config: { access: 'public' },
      schema: {
        tags,
        summary:
          'Exchange: a consumer application (x-api-key) reads a resource for a purpose — 403 citing the negative-list entries, 202 with an application when the owner must approve, 429 over quota, 503 source down',
        body: ExchangeBodySchema,
        response: { 200: ExchangeResultSchema, 202: ExchangePendingSchema },
      },
    },
    async (request, reply) => {
      try {
        const answer = await gateway.exchange(request.principal, request.body);
        reply.code(answer.status);
        return answer.body;
      } catch (error) {
        const retry = retryAfter(error);
        if (retry) reply.header('retry-after', String(retry));
        throw error;
      }
    },
  );
  app.get(
    '/api/v1/datahub/applications',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Pending applications for conditional access (of one owner department when given)',
        querystring: z.object({ ownerDepartment: z.string().max(64).optional() }),
        response: { 200: z.object({ items: z.array(ApplicationSchema) }) },
      },
    },
    async (request) => ({ items: await gateway.applications.pending(request.query.ownerDepartment) }),
  );
  for (const action of ['approve', 'reject'] as const) {
    app.post(
      `/api/v1/datahub/applications/:id/${action}`,
      {
        config: { access: { roles: ['department_liaison', 'data_authority'] } },
        schema: {
          tags,
          summary: `${action === 'approve' ? 'Approve' : 'Reject'} an application (a liaison of the owner department, or the data authority)`,
          params: Id,
          response: { 200: ApplicationSchema },
        },
      },
      async (request) =>
        gateway.applications.decide(principalOf(request), request.params.id, action === 'approve'),
    );
  }
  app.get(
    '/api/v1/datahub/exchange-log/verify',
    {
      config: { access: { roles: ['auditor', 'data_authority'] } },
      schema: {
        tags,
        summary: 'Recompute the exchange log’s hash chain (auditor, data_authority)',
        response: { 200: LogVerifySchema },
      },
    },
    async () => gateway.verify(),
  );
}

function retryAfter(error: unknown): number | undefined {
  if (!(error instanceof AppError)) return undefined;
  const seconds = (error.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  return typeof seconds === 'number' ? seconds : undefined;
}
