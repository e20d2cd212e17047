/** Public surface of the matching module: needs, resources, the greedy matching, KPIs. */
export {
  DETOUR_FACTOR,
  NEED_CATEGORIES,
  NEED_CATEGORY_CODES,
  type NeedCategory,
  RESOURCE_KINDS,
} from './matching.categories.ts';
export { demoSupplyAndDemand, FACILITY_DEFAULTS, facilityResources } from './matching.demo.ts';
export {
  type Candidate,
  matchNeeds,
  type Need,
  nearestOnly,
  type Outcome,
  priorityOrder,
  type Resource,
} from './matching.engine.ts';
export { matchingMigrations } from './matching.migrations.ts';
export { candidatesOf, place } from './matching.reach.ts';
export { registerMatchingRoutes } from './matching.routes.ts';
export { type MatchingDeps, MatchingService, percentiles } from './matching.service.ts';
