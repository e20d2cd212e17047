import { principalOf } from '../../platform/http/principal.ts';
import type { Api } from '../../platform/http/server.ts';
import type { EventInsights } from './events.insights.ts';
import { WorkloadSchema } from './events.workload.ts';

/** The choropleth's numbers: open events and overdue tasks per area (tag `events`). */
export function registerWorkloadRoutes(app: Api, insights: EventInsights): void {
  app.get(
    '/api/v1/areas/workload',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['events'],
        summary: 'Open events and overdue tasks per area of your jurisdiction',
        description:
          'Every jurisdiction code on the paths of open events and live tasks in scope, with its counts ' +
          '(a street’s records count for its district and the city too). A task is overdue when it is ' +
          'live and an accept, arrive or resolve limit has passed unmet.',
        response: { 200: WorkloadSchema },
      },
    },
    async (req) => insights.workload(principalOf(req)),
  );
}
