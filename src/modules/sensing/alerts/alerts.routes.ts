import { z } from 'zod';
import { ROLE_GROUPS } from '../../../platform/access.ts';
import { principalOf } from '../../../platform/http/principal.ts';
import type { Api } from '../../../platform/http/server.ts';
import { RuleSchema } from '../rules/rule.schema.ts';
import type { SensingService } from '../sensing.service.ts';
import { AlertQuerySchema, AlertSchema } from './alerts.schema.ts';

const tags = ['sensing'];
const Id = z.object({ id: z.string().min(1) });

/** Rules (read-only) and the alert lifecycle. */
export function registerAlertRoutes(app: Api, sensing: SensingService): void {
  app.get(
    '/api/v1/rules',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'The active detection rules (data/sensing/rules/*.json)',
        response: { 200: z.object({ items: z.array(RuleSchema) }) },
      },
    },
    async () => ({ items: [...sensing.rules] }),
  );
  app.get(
    '/api/v1/alerts',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Alerts in your jurisdiction, newest first',
        querystring: AlertQuerySchema,
        response: { 200: z.object({ items: z.array(AlertSchema) }) },
      },
    },
    async (request) => ({ items: await sensing.alerts.list(principalOf(request), request.query) }),
  );
  app.post(
    '/api/v1/alerts/:id/ack',
    {
      config: { access: { roles: ROLE_GROUPS.responders } },
      schema: { tags, summary: 'Acknowledge an open alert', params: Id, response: { 200: AlertSchema } },
    },
    async (request) => sensing.alerts.acknowledge(principalOf(request), request.params.id),
  );
  app.post(
    '/api/v1/alerts/:id/clear',
    {
      config: { access: { roles: ROLE_GROUPS.responders } },
      schema: {
        tags,
        summary: 'Clear an alert by hand (it also clears itself when the condition recovers)',
        params: Id,
        response: { 200: AlertSchema },
      },
    },
    async (request) => sensing.alerts.clear(principalOf(request), request.params.id),
  );
}
