import type { Kysely } from 'kysely';
import { type Principal, requireRole } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import { forTables } from '../../platform/db/database.ts';
import { notFound } from '../../platform/errors.ts';
import type { AuditLog } from '../audit/index.ts';
import { type DepartmentTypesFile, LEVELS, parseWith } from './organisation.catalogue.ts';
import { centresFor, checkNodes, departmentsFor } from './organisation.generate.ts';
import { OrganisationRepository } from './organisation.repository.ts';
import {
  type CentreDto,
  type CentreQuery,
  type DepartmentDto,
  type DepartmentQuery,
  type GenerationResult,
  NodeSchema,
  type OrgNode,
} from './organisation.schema.ts';
import type { OrganisationTables } from './organisation.tables.ts';
import { demoTeams } from './team.generate.ts';
import { TeamRepository } from './team.repository.ts';
import type { DemoTeamPlan } from './team-kinds.ts';

/** What every service of the module is given. */
export interface OrganisationDeps {
  db: Kysely<unknown>;
  audit: AuditLog;
  clock: Clock;
}

/** A page of results. */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** A jurisdiction node as given to `generate`: any level, with its label point. */
export type NodeInput = Omit<OrgNode, 'level'> & { level: string };

/** Options of a generation run. */
export interface GenerateOptions {
  /** Also create the demo field units (default false: departments and centres only). */
  demoTeams?: boolean;
  /** Seed of the demo PRNG (default 20251120). */
  seed?: number;
}

/**
 * Department types, departments and governance centres. Departments and centres are derived from
 * the jurisdiction tree and the department-type file; reads are open to every authenticated caller,
 * since escalation needs to see the units above.
 */
export class OrganisationService {
  private readonly repo = new OrganisationRepository();
  private readonly teams = new TeamRepository();
  private readonly deps: OrganisationDeps;
  private readonly catalogue: DepartmentTypesFile;
  private readonly plan: DemoTeamPlan;

  constructor(deps: OrganisationDeps, catalogue: DepartmentTypesFile, plan: DemoTeamPlan) {
    this.deps = deps;
    this.catalogue = catalogue;
    this.plan = plan;
  }

  /** The department types, from the type file. */
  departmentTypes(): DepartmentTypesFile['types'] {
    return this.catalogue.types;
  }

  /** A page of departments. */
  async listDepartments(query: DepartmentQuery): Promise<Page<DepartmentDto>> {
    const { rows, total } = await this.repo.listDepartments(this.db(), query);
    return { items: rows, total, limit: query.limit, offset: query.offset };
  }

  /** One department; not_found when unknown. */
  async getDepartment(code: string): Promise<DepartmentDto> {
    const department = await this.repo.findDepartment(this.db(), code);
    if (!department) throw notFound('department', code);
    return department;
  }

  /** A page of governance centres. */
  async listCentres(query: CentreQuery): Promise<Page<CentreDto>> {
    const { rows, total } = await this.repo.listCentres(this.db(), query);
    return { items: rows, total, limit: query.limit, offset: query.offset };
  }

  /**
   * Creates the departments and centres of every city, district and street node (finer levels such as
   * grids are ignored) (and, with `demoTeams`, the demo field units)
   * in one transaction with ONE summary audit entry. Idempotent: rows that exist are kept as they are,
   * and a run that adds nothing writes no audit entry.
   */
  async generate(
    actor: Principal,
    nodes: NodeInput[],
    options: GenerateOptions = {},
  ): Promise<GenerationResult> {
    requireRole(actor, 'admin');
    const ours = nodes.filter((n) => (LEVELS as readonly string[]).includes(n.level));
    const checked = ours.map((n) => parseWith(NodeSchema, n, `jurisdiction node '${n.code}'`));
    checkNodes(checked);
    const seed = options.seed ?? 20251120;
    const departments = departmentsFor(checked, this.catalogue.types);
    const centres = centresFor(checked);
    const teams = options.demoTeams ? demoTeams(checked, this.plan, seed, this.deps.clock.now()) : [];
    return this.deps.db.transaction().execute(async (trx) => {
      const db = forTables<OrganisationTables>(trx);
      const result = {
        departments: await this.repo.insertDepartments(db, departments),
        centres: await this.repo.insertCentres(db, centres),
        teams: await this.teams.insert(db, teams),
      };
      if (result.departments + result.centres + result.teams > 0) {
        const root = checked.find((n) => n.parentCode === null)!;
        await this.deps.audit.append(trx, {
          actor,
          action: 'organisation.generated',
          subjectType: 'organisation',
          subjectId: root.code,
          jurisdictionPath: root.path,
          details: {
            nodes: checked.length,
            ...result,
            demoTeams: !!options.demoTeams,
            seed,
            typesVersion: this.catalogue.version,
            planVersion: options.demoTeams ? this.plan.version : undefined,
          },
        });
      }
      return result;
    });
  }

  private db(): Kysely<OrganisationTables> {
    return forTables<OrganisationTables>(this.deps.db);
  }
}
