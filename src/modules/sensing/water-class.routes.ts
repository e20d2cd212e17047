import { principalOf } from '../../platform/http/principal.ts';
import type { Api } from '../../platform/http/server.ts';
import { CrowdDensityQuerySchema, CrowdDensitySchema, crowdDensity } from './crowd-density.ts';
import type { SensingService } from './sensing.service.ts';
import { WaterClassesSchema, WaterClassQuerySchema, waterClasses } from './water-class.ts';

const tags = ['sensing'];

/** Map layers read from sensing: water class per monitoring section, latest crowd counts. */
export function registerWaterClassRoutes(app: Api, sensing: SensingService): void {
  app.get(
    '/api/v1/water/sections',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Current GB 3838-2002 class of each monitoring section in your jurisdiction',
        description:
          'From the latest daily means (local day) of the section’s water-quality stations; the worst ' +
          'parameter decides (DO, NH3-N, TP, COD, BOD5, pH). `class` is null when no station reported ' +
          'within `lookbackDays`.',
        querystring: WaterClassQuerySchema,
        response: { 200: WaterClassesSchema },
      },
    },
    async (request) =>
      waterClasses(
        sensing.queries.db,
        principalOf(request),
        request.query,
        sensing.now(),
        sensing.options.dayOffsetMinutes,
      ),
  );
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
    async (request) => crowdDensity(sensing.queries.db, principalOf(request), request.query, sensing.now()),
  );
}
