import { z } from 'zod';
import type { Db } from '../../platform/db/database.ts';
import { principalOf } from '../../platform/http/principal.ts';
import type { Api } from '../../platform/http/server.ts';
import { AuditEntrySchema, AuditQuerySchema, VerifyResultSchema } from './audit.schema.ts';
import type { AuditLog } from './audit.service.ts';

/** GET /api/v1/audit and /api/v1/audit/verify, for auditors and admins. */
export function registerAuditRoutes(app: Api, deps: { db: Db; audit: AuditLog }): void {
  app.get(
    '/api/v1/audit',
    {
      config: { access: { roles: ['auditor'] } },
      schema: {
        tags: ['audit'],
        summary: 'Audit entries in your jurisdiction, newest first',
        querystring: AuditQuerySchema,
        response: { 200: z.object({ items: z.array(AuditEntrySchema) }) },
      },
    },
    async (request) => ({ items: await deps.audit.list(deps.db, principalOf(request), request.query) }),
  );
  app.get(
    '/api/v1/audit/verify',
    {
      config: { access: { roles: ['auditor'] } },
      schema: {
        tags: ['audit'],
        summary: 'Check the hash chain end to end; reports the first broken link',
        response: { 200: VerifyResultSchema },
      },
    },
    async () => deps.audit.verify(deps.db),
  );
}
