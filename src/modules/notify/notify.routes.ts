import { z } from 'zod';
import { ROLE_GROUPS } from '../../platform/access.ts';
import { principalOf } from '../../platform/http/principal.ts';
import type { Api } from '../../platform/http/server.ts';
import { NotificationQuerySchema, NotificationSchema } from './notify.schema.ts';
import type { NotifyService } from './notify.service.ts';

/** GET /api/v1/notifications: what was sent about records in your jurisdiction (centre inboxes included). */
export function registerNotifyRoutes(app: Api, deps: { notify: NotifyService }): void {
  app.get(
    '/api/v1/notifications',
    {
      config: { access: { roles: ROLE_GROUPS.oversight } },
      schema: {
        tags: ['notify'],
        summary: 'Notifications about records in your jurisdiction',
        querystring: NotificationQuerySchema,
        response: { 200: z.object({ items: z.array(NotificationSchema) }) },
      },
    },
    async (request) => ({ items: await deps.notify.list(principalOf(request), request.query) }),
  );
}
