import { randomUUID } from 'node:crypto';
import type { Kysely, Updateable } from 'kysely';
import { assertVisible, canSee, type Principal, ROLE_GROUPS, requireRole } from '../../platform/access.ts';
import { forTables } from '../../platform/db/database.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { coordinateRounder } from '../../platform/http/map-points.ts';
import { OrganisationRepository } from './organisation.repository.ts';
import type { OrganisationDeps, Page } from './organisation.service.ts';
import type { OrganisationTables } from './organisation.tables.ts';
import { TeamRepository } from './team.repository.ts';
import type {
  TeamCreate,
  TeamDto,
  TeamPatch,
  TeamPointsDto,
  TeamPointsQuery,
  TeamQuery,
} from './team.schema.ts';

/** Field teams: listing and reading scoped to the caller's jurisdiction, changes audited. */
export class TeamService {
  private readonly repo = new TeamRepository();
  private readonly org = new OrganisationRepository();
  private readonly deps: OrganisationDeps;

  constructor(deps: OrganisationDeps) {
    this.deps = deps;
  }

  /** A page of the teams in the principal's jurisdiction. */
  async list(principal: Principal, query: TeamQuery): Promise<Page<TeamDto>> {
    const { rows, total } = await this.repo.list(this.db(), principal, query);
    return { items: rows, total, limit: query.limit, offset: query.offset };
  }

  /**
   * Every team in the principal's jurisdiction matching the filters, as map columns: kinds and
   * paths as indexes into the lists of those present (a city's teams in a fraction of the list's bytes).
   */
  async points(principal: Principal, query: TeamPointsQuery): Promise<TeamPointsDto> {
    const rows = await this.repo.points(this.db(), principal, query);
    const kinds: TeamPointsDto['kinds'] = [];
    const paths: string[] = [];
    const kindCode = new Map<string, number>();
    const pathCode = new Map<string, number>();
    const codeOf = <T extends string>(list: T[], codes: Map<string, number>, value: T) => {
      let code = codes.get(value);
      if (code === undefined) {
        code = list.push(value) - 1;
        codes.set(value, code);
      }
      return code;
    };
    const round = coordinateRounder(query.decimals);
    return {
      count: rows.length,
      codes: rows.map((r) => r.code),
      names: rows.map((r) => r.name),
      kinds,
      kind: rows.map((r) => codeOf(kinds, kindCode, r.kind as TeamPointsDto['kinds'][number])),
      paths,
      path: rows.map((r) => codeOf(paths, pathCode, r.path)),
      lon: rows.map((r) => round(r.lon)),
      lat: rows.map((r) => round(r.lat)),
    };
  }

  /** One team; not_found when unknown or outside the principal's jurisdiction. */
  async get(principal: Principal, id: string): Promise<TeamDto> {
    return this.visible(this.db(), principal, id);
  }

  private async visible(db: Kysely<OrganisationTables>, principal: Principal, id: string): Promise<TeamDto> {
    const team = await this.repo.find(db, id);
    if (!team) throw notFound('team', id);
    assertVisible(principal, team.jurisdictionPath, 'team', id);
    return team;
  }

  /** Creates a team at a node in the principal's jurisdiction, under a department at that node or above. */
  async create(principal: Principal, input: TeamCreate): Promise<TeamDto> {
    requireRole(principal, ...ROLE_GROUPS.operators);
    return this.deps.db.transaction().execute(async (trx) => {
      const db = forTables<OrganisationTables>(trx);
      const node = await this.org.findCentreOf(db, input.jurisdictionCode);
      if (!node || !canSee(principal, node.jurisdictionPath))
        throw notFound('jurisdiction', input.jurisdictionCode);
      const department = await this.org.findDepartment(db, input.departmentCode);
      if (!department) {
        throw new AppError('invalid_data', `department '${input.departmentCode}' does not exist`, {
          field: 'departmentCode',
        });
      }
      const path = node.jurisdictionPath;
      if (path !== department.jurisdictionPath && !path.startsWith(`${department.jurisdictionPath}/`)) {
        // A department of another district or street is outside the caller's jurisdiction: not_found.
        if (!canSee(principal, department.jurisdictionPath))
          throw notFound('department', input.departmentCode);
        throw new AppError(
          'invalid_data',
          `department '${department.code}' is not at or above '${node.jurisdictionCode}'`,
          {
            field: 'departmentCode',
          },
        );
      }
      if (await this.repo.codeExists(db, input.code)) {
        throw new AppError('conflict', `team code '${input.code}' is taken`, { field: 'code' });
      }
      const now = this.deps.clock.now().toISOString();
      const team: TeamDto = {
        ...input,
        id: randomUUID(),
        jurisdictionPath: path,
        activeTasks: 0,
        position: null,
        updatedAt: now,
      };
      await this.repo.insert(db, [team]);
      await this.deps.audit.append(trx, {
        actor: principal,
        action: 'team.created',
        subjectType: 'team',
        subjectId: team.id,
        jurisdictionPath: path,
        details: { code: team.code, kind: team.kind, departmentCode: team.departmentCode },
      });
      return team;
    });
  }

  /** Changes name, base, skills, duty or capacity of a team in the principal's jurisdiction. */
  async update(principal: Principal, id: string, patch: TeamPatch): Promise<TeamDto> {
    requireRole(principal, ...ROLE_GROUPS.operators);
    return this.change(principal, id, 'team.updated', (team) => {
      const changes: Updateable<OrganisationTables['org_team']> = {};
      if (patch.name !== undefined) changes.name = patch.name;
      if (patch.base) Object.assign(changes, { base_lon: patch.base.lon, base_lat: patch.base.lat });
      if (patch.skills) changes.skills = patch.skills;
      if (patch.onDuty !== undefined) changes.on_duty = patch.onDuty;
      if (patch.capacity !== undefined) changes.capacity = patch.capacity;
      const before = Object.fromEntries(Object.keys(patch).map((k) => [k, team[k as keyof TeamDto]]));
      return { changes, details: { before, after: patch } };
    });
  }

  /** Records a team's current position (from the field app); field officers may do this too. */
  async setPosition(principal: Principal, id: string, at: { lon: number; lat: number }): Promise<TeamDto> {
    requireRole(principal, ...ROLE_GROUPS.fieldWork);
    return this.change(principal, id, 'team.position_reported', () => ({
      changes: { position_lon: at.lon, position_lat: at.lat, position_at: this.deps.clock.now() },
      details: { lon: at.lon, lat: at.lat },
    }));
  }

  private async change(
    principal: Principal,
    id: string,
    action: string,
    build: (team: TeamDto) => {
      changes: Updateable<OrganisationTables['org_team']>;
      details: Record<string, unknown>;
    },
  ): Promise<TeamDto> {
    return this.deps.db.transaction().execute(async (trx) => {
      const db = forTables<OrganisationTables>(trx);
      const team = await this.visible(db, principal, id);
      const { changes, details } = build(team);
      const updated = await this.repo.update(db, id, { ...changes, updated_at: this.deps.clock.now() });
      await this.deps.audit.append(trx, {
        actor: principal,
        action,
        subjectType: 'team',
        subjectId: id,
        jurisdictionPath: team.jurisdictionPath,
        details: { code: team.code, ...details },
      });
      return updated;
    });
  }

  private db(): Kysely<OrganisationTables> {
    return forTables<OrganisationTables>(this.deps.db);
  }
}
