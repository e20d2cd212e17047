/** Public surface of the dispatch module. */
export { NEAREST_TEAM } from './dispatch.assign.ts';
export type {
  DispatchDeps,
  EventForDispatch,
  Gatekeeper,
  RuleForDispatch,
  TaskListener,
} from './dispatch.deps.ts';
export { sniffImage } from './dispatch.evidence.ts';
export { dispatchMigrations } from './dispatch.migrations.ts';
export {
  type Candidate,
  type IndexedTeam,
  type NearestQuery,
  nearestByScan,
  TeamIndex,
} from './dispatch.nearest.ts';
export { tasksByPath } from './dispatch.overdue.ts';
export { registerDispatchRoutes } from './dispatch.routes.ts';
export {
  CENTRE_LEVELS,
  type FieldEvent,
  type FieldTaskDto,
  type TaskDto,
  TaskSchema,
  type TaskStatus,
} from './dispatch.schema.ts';
export { DispatchService, type TaskPlan, type TaskRouting } from './dispatch.service.ts';
export { dispatchSubjects } from './dispatch.subjects.ts';
export { TeamDirectory, type TeamSource } from './dispatch.teams.ts';
export { EscalationScheduler } from './dispatch.timers.ts';
