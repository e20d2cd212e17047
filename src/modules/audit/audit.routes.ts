import { z } from 'zod';
import { requireRole } from '../../platform/access.ts';
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
      schema: {
        tags: ['audit'],
        summary: 'Audit entries in your jurisdiction, newest first',
        querystring: AuditQuerySchema,
        response: { 200: z.object({ items: z.array(AuditEntrySchema) }) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireRole(principal, 'auditor');
      return { items: await deps.audit.list(deps.db, principal, request.query) };
    },
  );
  app.get(
    '/api/v1/audit/verify',
    {
      schema: {
        tags: ['audit'],
        summary: 'Check the hash chain end to end; reports the first broken link',
        response: { 200: VerifyResultSchema },
      },
    },
    async (request) => {
      requireRole(principalOf(request), 'auditor');
      return deps.audit.verify(deps.db);
    },
  );
}
