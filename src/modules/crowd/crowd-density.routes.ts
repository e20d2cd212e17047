import { principalOf } from '../../platform/http/principal.ts';
import type { Api } from '../../platform/http/server.ts';
import type { SensingService } from '../sensing/index.ts';
import { CrowdDensityQuerySchema, CrowdDensitySchema, crowdDensity } from './crowd-density.ts';

const tags = ['sensing'];

/** Map layer read from sensing: latest crowd counts. */
export function registerCrowdDensityRoutes(app: Api, deps: { sensing: SensingService }): void {
  const { sensing } = deps;
  app.get(
    '/api/v1/crowd/density',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Latest people count of each crowd counter in your jurisdiction (density layer)',
        querystring: CrowdDensityQuerySchema,
        response: { 200: CrowdDensitySchema },
      },
    },
    async (request) => crowdDensity(sensing.queries, principalOf(request), request.query, sensing.now()),
  );
}
