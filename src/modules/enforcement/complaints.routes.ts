import { z } from 'zod';
import { principalOf } from '../../platform/http/principal.ts';
import type { Api } from '../../platform/http/server.ts';
import { ROLE_GROUPS } from '../../platform/roles.ts';
import { ComplaintBodySchema, ComplaintQuerySchema, ComplaintSchema } from './complaints.schema.ts';
import type { Enforcement } from './enforcement.module.ts';

const tags = ['enforcement'];
const P = '/api/v1/enforcement/complaints';

/** The complaints register about repeated inspections under /api/v1/enforcement/complaints. */
export function registerComplaintRoutes(app: Api, deps: { enforcement: Enforcement }): void {
  const { complaints } = deps.enforcement;
  app.post(
    P,
    {
      config: { access: { roles: ROLE_GROUPS.operators } },
      schema: {
        tags,
        summary:
          'Record a complaint about repeated inspections (12345 hotline, portal, Open311), assessed at intake: substantiated when the enterprise had at least two visits within the quiet period ending at its date (400 invalid_credit_code; 422 for an enterprise not in the register or an unknown department, details.field names it; 404 outside the caller’s jurisdiction)',
        body: ComplaintBodySchema,
        response: { 201: ComplaintSchema },
      },
    },
    async (request, reply) => {
      const c = await complaints.record(principalOf(request), request.body);
      reply.code(201);
      return c;
    },
  );
  app.get(
    P,
    {
      config: { access: { roles: ROLE_GROUPS.oversight } },
      schema: {
        tags,
        summary:
          'Complaints about repeated inspections in the caller’s jurisdiction, received between the dates',
        querystring: ComplaintQuerySchema,
        response: { 200: z.object({ items: z.array(ComplaintSchema) }) },
      },
    },
    async (request) => ({ items: await complaints.list(principalOf(request), request.query) }),
  );
}
