import { z } from 'zod';
import { ROLE_GROUPS } from '../../platform/access.ts';
import { principalOf } from '../../platform/http/principal.ts';
import type { Api } from '../../platform/http/server.ts';
import type { CrowdScenario } from './crowd.scenario.ts';
import { PlanQuerySchema, PlanSchema } from './plans.schema.ts';
import type { PlanService } from './plans.service.ts';
import { describeScenario, type Scenario } from './scenario.ts';
import { featureLayer, networkLayer } from './water.layers.ts';
import { SpillSchema, type WaterScenario } from './water.scenario.ts';

const tags = ['scenarios'];

/** The catalogue, the scenarios' own actions and the plans. */
export function registerScenarioRoutes(
  app: Api,
  deps: {
    scenarios: Scenario[];
    plans: PlanService;
    water: WaterScenario;
    crowd: CrowdScenario;
    info: () => Record<string, unknown>;
  },
): void {
  const { plans, water, crowd } = deps;
  app.get(
    '/api/v1/scenarios',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Scenario catalogue: device types, rules, analyses, plan templates, layers, KPIs',
      },
    },
    async (req) => ({
      items: await Promise.all(deps.scenarios.map((s) => describeScenario(s, principalOf(req)))),
    }),
  );
  app.get(
    '/api/v1/scenarios/info',
    {
      config: { access: 'authenticated' },
      schema: { tags, summary: 'Where devices publish (for simulators and gateways)' },
    },
    async () => deps.info(),
  );
  app.get(
    '/api/v1/plans',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Response plans in your jurisdiction, with progress',
        querystring: PlanQuerySchema,
        response: { 200: z.object({ items: z.array(PlanSchema) }) },
      },
    },
    async (req) => ({
      items: await plans.list(principalOf(req), req.query),
    }),
  );
  app.get(
    '/api/v1/plans/:id',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'One plan: tasks, acknowledgements, completion against the target time',
        params: z.object({ id: z.string() }),
        response: { 200: PlanSchema },
      },
    },
    async (req) => plans.get(principalOf(req), req.params.id),
  );
  app.post(
    '/api/v1/scenarios/water/spills',
    {
      config: { access: { roles: ROLE_GROUPS.fieldWork } },
      schema: {
        tags,
        summary: 'Report a spill: trace, arrival at intakes, checklist plan dispatched',
        body: SpillSchema,
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const result = await water.reportSpill(p, req.body);
      return reply.code(201).send(result);
    },
  );
  app.get(
    '/api/v1/scenarios/water/layers/network',
    { config: { access: 'public' }, schema: { tags, summary: 'The river network as GeoJSON lines' } },
    async () => networkLayer(water.net),
  );
  app.get(
    '/api/v1/scenarios/water/layers/features',
    {
      config: { access: 'public' },
      schema: { tags, summary: 'Sections, sources, intakes, reservoirs as GeoJSON points' },
    },
    async () => featureLayer(water.net),
  );
  app.get(
    '/api/v1/scenarios/crowd/risk',
    {
      config: { access: 'authenticated' },
      schema: { tags, summary: 'The latest per-area crowd risk and the areas' },
    },
    async () => ({ last: crowd.last, areas: crowd.file.areas }),
  );
  app.post(
    '/api/v1/scenarios/crowd/assess',
    {
      config: { access: { roles: ROLE_GROUPS.operators } },
      schema: { tags, summary: 'Assess crowd risk now (the timer does this every 30 s)' },
    },
    async (req) => {
      const p = principalOf(req);
      const r = await crowd.assess(p);
      return {
        points: r.points.map((x) => ({
          areaId: x.areaId,
          name: x.name,
          level: x.level,
          density: x.density,
          forecastDensity: x.forecastDensity,
        })),
        planId: r.plan?.id ?? null,
      };
    },
  );
}
