/** Public surface of the patrol module: hot spots from reported incidents, PAI, capped plans, displacement. */
export { DEMO_DISTRICTS, demoIncidents } from './patrol.demo.ts';
export { buildStudyArea, CELL_RES, type StreetShape, type StudyArea } from './patrol.grid.ts';
export { patrolMigrations } from './patrol.migrations.ts';
export {
  cellCounts,
  DEFAULT_KERNEL,
  evaluate,
  type Incident,
  prepareIncidents,
  REPORTED_SOURCES,
  stkde,
} from './patrol.model.ts';
export { allocateHours, areaShares, buildBeats, capBreach, displacement } from './patrol.plan.ts';
export { registerPatrolRoutes } from './patrol.routes.ts';
export type { PatrolPlan } from './patrol.schema.ts';
export { PATROL_ALGORITHM, type PatrolDeps, PatrolService } from './patrol.service.ts';
