import { z } from 'zod';
import type { Api } from '../../platform/http/server.ts';
import type { Organisation } from './organisation.module.ts';
import {
  CentreQuerySchema,
  CentreSchema,
  DepartmentQuerySchema,
  DepartmentSchema,
  DepartmentTypeDtoSchema,
  pageOf,
} from './organisation.schema.ts';
import { registerResponsibilityRoutes } from './responsibility.routes.ts';
import { registerTeamRoutes } from './team.routes.ts';

const tags = ['organisation'];

/** Every route of the organisation module: department types, departments, centres, teams, responsibility list. */
export function registerOrganisationRoutes(app: Api, deps: { organisation: Organisation }): void {
  const { structure } = deps.organisation;
  app.get(
    '/api/v1/department-types',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'The municipal department types and the levels that have a counterpart',
        response: { 200: z.object({ items: z.array(DepartmentTypeDtoSchema) }) },
      },
    },
    async () => ({ items: structure.departmentTypes() }),
  );
  app.get(
    '/api/v1/departments',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Departments of the city, districts and streets',
        querystring: DepartmentQuerySchema,
        response: { 200: pageOf(DepartmentSchema) },
      },
    },
    async (request) => structure.listDepartments(request.query),
  );
  app.get(
    '/api/v1/centres',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Governance centres: the city hub, district sub-centres, street/town workstations',
        querystring: CentreQuerySchema,
        response: { 200: pageOf(CentreSchema) },
      },
    },
    async (request) => structure.listCentres(request.query),
  );
  registerTeamRoutes(app, deps.organisation.teams);
  registerResponsibilityRoutes(app, deps.organisation.responsibilities);
}
