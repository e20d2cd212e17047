import { readDepartmentTypes } from './organisation.catalogue.ts';
import { type OrganisationDeps, OrganisationService } from './organisation.service.ts';
import { ResponsibilityService } from './responsibility.service.ts';
import { TeamService } from './team.service.ts';
import { readDemoTeamPlan } from './team-kinds.ts';

/** The module's three services, built together from one set of dependencies. */
export interface Organisation {
  structure: OrganisationService;
  teams: TeamService;
  responsibilities: ResponsibilityService;
}

/** Builds the organisation services; reads and validates the department-type and demo staffing files (default: the shipped v1). */
export function createOrganisation(
  deps: OrganisationDeps,
  options: { departmentTypesFile?: string | URL; demoTeamPlanFile?: string | URL } = {},
): Organisation {
  const catalogue = readDepartmentTypes(options.departmentTypesFile);
  return {
    structure: new OrganisationService(deps, catalogue, readDemoTeamPlan(options.demoTeamPlanFile)),
    teams: new TeamService(deps),
    responsibilities: new ResponsibilityService(deps, catalogue.types),
  };
}
