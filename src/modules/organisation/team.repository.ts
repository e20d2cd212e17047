import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import { sql } from 'kysely';
import { inScope, type Principal } from '../../platform/access.ts';
import { BATCH, underNode } from './organisation.repository.ts';
import type { OrganisationTables } from './organisation.tables.ts';
import type { TeamDto, TeamPointsQuery, TeamQuery } from './team.schema.ts';

type Db = Kysely<OrganisationTables>;
type TeamRow = Selectable<OrganisationTables['org_team']>;

/** SQL for field teams. */
export class TeamRepository {
  /** Inserts teams whose code does not exist yet; returns how many were new. */
  async insert(db: Db, teams: TeamDto[]): Promise<number> {
    let inserted = 0;
    for (let i = 0; i < teams.length; i += BATCH) {
      const done = await db
        .insertInto('org_team')
        .values(teams.slice(i, i + BATCH).map(toRow))
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .execute();
      inserted += done.length;
    }
    return inserted;
  }

  /** One team by id, whatever its jurisdiction (the service checks scope). */
  async find(db: Db, id: string): Promise<TeamDto | undefined> {
    const row = await db.selectFrom('org_team').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toTeam(row);
  }

  /** True when a team has this code. */
  async codeExists(db: Db, code: string): Promise<boolean> {
    const row = await db.selectFrom('org_team').select('id').where('code', '=', code).executeTakeFirst();
    return row !== undefined;
  }

  /** A page of the teams in the principal's scope that match the filters, ordered by code. */
  async list(db: Db, principal: Principal, q: TeamQuery): Promise<{ rows: TeamDto[]; total: number }> {
    let base = db.selectFrom('org_team').where(inScope(principal, 'jurisdiction_path'));
    if (q.kind) base = base.where('kind', '=', q.kind);
    if (q.skill) base = base.where(sql<boolean>`skills @> array[${q.skill}]::text[]`);
    if (q.onDuty !== undefined) base = base.where('on_duty', '=', q.onDuty);
    if (q.department) base = base.where('department_code', '=', q.department);
    if (q.jurisdiction) base = base.where(underNode(q.jurisdiction));
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy('code').limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows: rows.map(toTeam), total: Number(count.n) };
  }

  /** Code, name, kind, path and position of every team matching (no paging: a map layer). */
  async points(
    db: Db,
    principal: Principal,
    q: TeamPointsQuery,
  ): Promise<{ code: string; name: string; kind: string; path: string; lon: number; lat: number }[]> {
    let base = db.selectFrom('org_team').where(inScope(principal, 'jurisdiction_path'));
    if (q.kind) base = base.where('kind', '=', q.kind);
    if (q.onDuty !== undefined) base = base.where('on_duty', '=', q.onDuty);
    if (q.jurisdiction) base = base.where(underNode(q.jurisdiction));
    const rows = await base
      .select([
        'code',
        'name',
        'kind',
        'jurisdiction_path',
        'base_lon',
        'base_lat',
        'position_lon',
        'position_lat',
      ])
      .orderBy('code')
      .execute();
    return rows.map((r) => ({
      code: r.code,
      name: r.name,
      kind: r.kind,
      path: r.jurisdiction_path,
      lon: r.position_lon ?? r.base_lon,
      lat: r.position_lat ?? r.base_lat,
    }));
  }

  /** Writes changed columns of one team and returns it as stored. */
  async update(db: Db, id: string, changes: Updateable<OrganisationTables['org_team']>): Promise<TeamDto> {
    const row = await db
      .updateTable('org_team')
      .set(changes)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toTeam(row);
  }
}

/** Maps a team to its row. */
function toRow(t: TeamDto): Insertable<OrganisationTables['org_team']> {
  return {
    id: t.id,
    code: t.code,
    name: t.name,
    kind: t.kind,
    department_code: t.departmentCode,
    jurisdiction_code: t.jurisdictionCode,
    jurisdiction_path: t.jurisdictionPath,
    base_lon: t.base.lon,
    base_lat: t.base.lat,
    skills: t.skills,
    on_duty: t.onDuty,
    capacity: t.capacity,
    active_tasks: t.activeTasks,
    position_lon: t.position?.lon ?? null,
    position_lat: t.position?.lat ?? null,
    position_at: t.position ? new Date(t.position.at) : null,
    updated_at: new Date(t.updatedAt),
  };
}

function toTeam(r: TeamRow): TeamDto {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    kind: r.kind as TeamDto['kind'],
    departmentCode: r.department_code,
    jurisdictionCode: r.jurisdiction_code,
    jurisdictionPath: r.jurisdiction_path,
    base: { lon: r.base_lon, lat: r.base_lat },
    skills: r.skills as TeamDto['skills'],
    onDuty: r.on_duty,
    capacity: r.capacity,
    activeTasks: r.active_tasks,
    position:
      r.position_lon === null || r.position_lat === null || r.position_at === null
        ? null
        : { lon: r.position_lon, lat: r.position_lat, at: r.position_at.toISOString() },
    updatedAt: r.updated_at.toISOString(),
  };
}
