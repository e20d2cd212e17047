import {
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type Selectable,
  type SqlBool,
  sql,
} from 'kysely';
import type { Level } from './organisation.catalogue.ts';
import type { CentreDto, CentreQuery, DepartmentDto, DepartmentQuery } from './organisation.schema.ts';
import type { OrganisationTables } from './organisation.tables.ts';

type Db = Kysely<OrganisationTables>;

/** Rows per INSERT: well under PostgreSQL's 65,535 bind parameters for every table here. */
export const BATCH = 1000;

/** Keeps rows whose path has `code` as one of its segments: the node itself and everything below it. */
export function underNode<T extends keyof OrganisationTables>(code: string) {
  return (eb: ExpressionBuilder<OrganisationTables, T>): Expression<SqlBool> =>
    eb(
      sql`'/' || ${eb.ref('jurisdiction_path' as never)} || '/'`,
      'like',
      `%/${code.replace(/[\\%_]/g, '\\$&')}/%`,
    );
}

/** SQL for departments and governance centres. */
export class OrganisationRepository {
  /** Inserts departments that do not exist yet; returns how many were new. */
  async insertDepartments(db: Db, rows: DepartmentDto[]): Promise<number> {
    let inserted = 0;
    for (let i = 0; i < rows.length; i += BATCH) {
      const values = rows.slice(i, i + BATCH).map((d) => ({
        code: d.code,
        type: d.type,
        name: d.name,
        level: d.level,
        jurisdiction_code: d.jurisdictionCode,
        jurisdiction_path: d.jurisdictionPath,
      }));
      const done = await db
        .insertInto('org_department')
        .values(values)
        .onConflict((oc) => oc.column('code').doNothing())
        .returning('code')
        .execute();
      inserted += done.length;
    }
    return inserted;
  }

  /** Inserts centres that do not exist yet; returns how many were new. */
  async insertCentres(db: Db, rows: CentreDto[]): Promise<number> {
    let inserted = 0;
    for (let i = 0; i < rows.length; i += BATCH) {
      const values = rows.slice(i, i + BATCH).map((c) => ({
        code: c.code,
        name: c.name,
        level: c.level,
        jurisdiction_code: c.jurisdictionCode,
        jurisdiction_path: c.jurisdictionPath,
        lon: c.point.lon,
        lat: c.point.lat,
      }));
      const done = await db
        .insertInto('org_centre')
        .values(values)
        .onConflict((oc) => oc.column('code').doNothing())
        .returning('code')
        .execute();
      inserted += done.length;
    }
    return inserted;
  }

  /** A page of departments matching the filters, ordered by path then type. */
  async listDepartments(db: Db, q: DepartmentQuery): Promise<{ rows: DepartmentDto[]; total: number }> {
    let base = db.selectFrom('org_department');
    if (q.jurisdiction) base = base.where(underNode(q.jurisdiction));
    if (q.type) base = base.where('type', '=', q.type);
    if (q.level) base = base.where('level', '=', q.level);
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy('jurisdiction_path').orderBy('type').limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows: rows.map(toDepartment), total: Number(count.n) };
  }

  /** One department by code. */
  async findDepartment(db: Db, code: string): Promise<DepartmentDto | undefined> {
    const row = await db.selectFrom('org_department').selectAll().where('code', '=', code).executeTakeFirst();
    return row && toDepartment(row);
  }

  /** A page of centres matching the filters, ordered by path. */
  async listCentres(db: Db, q: CentreQuery): Promise<{ rows: CentreDto[]; total: number }> {
    let base = db.selectFrom('org_centre');
    if (q.level) base = base.where('level', '=', q.level);
    if (q.jurisdiction) base = base.where(underNode(q.jurisdiction));
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy('jurisdiction_path').limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows: rows.map(toCentre), total: Number(count.n) };
  }

  /** The centre of a node, which also tells the node's path and level. */
  async findCentreOf(db: Db, jurisdictionCode: string): Promise<CentreDto | undefined> {
    const row = await db
      .selectFrom('org_centre')
      .selectAll()
      .where('jurisdiction_code', '=', jurisdictionCode)
      .executeTakeFirst();
    return row && toCentre(row);
  }

  /** Path of the city node (the root), or '' before any structure exists. */
  async cityPath(db: Db): Promise<string> {
    const row = await db
      .selectFrom('org_centre')
      .select('jurisdiction_path')
      .where('level', '=', 'city')
      .executeTakeFirst();
    return row?.jurisdiction_path ?? '';
  }
}

function toDepartment(r: Selectable<OrganisationTables['org_department']>): DepartmentDto {
  return {
    code: r.code,
    type: r.type,
    name: r.name,
    level: r.level as Level,
    jurisdictionCode: r.jurisdiction_code,
    jurisdictionPath: r.jurisdiction_path,
  };
}

function toCentre(r: Selectable<OrganisationTables['org_centre']>): CentreDto {
  return {
    code: r.code,
    name: r.name,
    level: r.level as Level,
    jurisdictionCode: r.jurisdiction_code,
    jurisdictionPath: r.jurisdiction_path,
    point: { lon: r.lon, lat: r.lat },
  };
}
