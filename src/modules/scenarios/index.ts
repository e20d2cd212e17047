/** Public surface of the scenarios module: the scenario engine, response plans, water and crowd scenarios. */
export {
  areaOfDevices,
  CROWD_RISK,
  CrowdScenario,
  JIEFANGBEI_FILE,
  loadCrowdFile,
} from './crowd.scenario.ts';
export { planMigrations } from './plans.migrations.ts';
export { type PlanDto, PlanSchema, type PlanTemplate, PlanTemplateSchema } from './plans.schema.ts';
export {
  DEFAULT_PLANS_DIR,
  fill,
  generateTasks,
  loadPlanTemplates,
  PLAN_GENERATE,
  PlanService,
} from './plans.service.ts';
export type { Kpi, MapLayer, Scenario } from './scenario.ts';
export type { PermitInfo, PermitLookup } from './water.permits.ts';
export { SpillSchema, WATER_ARRIVAL, WATER_TRACE, WaterScenario } from './water.scenario.ts';
export { type ScenarioBus, type ScenarioDeps, type Scenarios, wireScenarios } from './wire.ts';
