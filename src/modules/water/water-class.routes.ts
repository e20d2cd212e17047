import { principalOf } from '../../platform/http/principal.ts';
import type { Api } from '../../platform/http/server.ts';
import {
  WaterClassesSchema,
  WaterClassQuerySchema,
  type WaterReadings,
  waterClasses,
} from './water-class.ts';

const tags = ['sensing'];

/** What the water-class route needs: sensing's readings, its clock and its local day. */
export interface WaterClassRouteDeps {
  /** Stations and daily means (`SensingService.queries`). */
  readings: WaterReadings;
  now: () => Date;
  /** Offset of the local day from UTC, in minutes (`SensingService.options.dayOffsetMinutes`). */
  dayOffsetMinutes: number;
}

/** Map layer read from sensing: water class per monitoring section. */
export function registerWaterClassRoutes(app: Api, deps: WaterClassRouteDeps): void {
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
      waterClasses(deps.readings, principalOf(request), request.query, deps.now(), deps.dayOffsetMinutes),
  );
}
