/** Public surface of the organisation module. */
export { LEVELS, type Level } from './organisation.catalogue.ts';
export { organisationMigrations } from './organisation.migrations.ts';
export { createOrganisation, type Organisation } from './organisation.module.ts';
export { registerOrganisationRoutes } from './organisation.routes.ts';
export type { CentreDto, DepartmentDto, GenerationResult, OrgNode } from './organisation.schema.ts';
export {
  type GenerateOptions,
  type NodeInput,
  type OrganisationDeps,
  OrganisationService,
} from './organisation.service.ts';
export type { Domain, Rule } from './responsibility.file.ts';
export type { RevisionDto, RuleVersion } from './responsibility.schema.ts';
export { ResponsibilityService } from './responsibility.service.ts';
export type { TeamDto } from './team.schema.ts';
export { TeamService } from './team.service.ts';
export { SKILLS, type Skill, TEAM_KINDS, type TeamKind } from './team-kinds.ts';
