import { type Kysely, type Selectable, sql } from 'kysely';
import { inScope, type Principal } from '../../platform/access.ts';
import type { RiskClass } from './catalogue.ts';
import type { EnterpriseDto, EnterpriseQuery, InspectorDto, VisitDto } from './enforcement.schema.ts';
import type { EnforcementTables } from './enforcement.tables.ts';
import type { Visit } from './merge.ts';
import type { GeneratedEnterprise } from './register.generate.ts';

type Db = Kysely<EnforcementTables>;
type EnterpriseRow = Selectable<EnforcementTables['en_enterprise']>;
type VisitRow = Selectable<EnforcementTables['en_visit']>;
/** Rows per INSERT: 11 parameters each stays far under PostgreSQL's limit. */
const BATCH = 1000;

const json = (v: unknown) => JSON.stringify(v);
const arr = (v: unknown): string[] => (typeof v === 'string' ? JSON.parse(v) : (v as string[]));

export const toEnterprise = (r: EnterpriseRow): EnterpriseDto => ({
  creditCode: r.credit_code,
  name: r.name,
  industry: r.industry,
  streetCode: r.street_code,
  districtCode: r.district_code,
  creditScore: r.credit_score,
  riskClass: r.risk_class as RiskClass,
  hasKey: r.public_key !== null,
  synthetic: r.synthetic,
});

export const toVisit = (r: VisitRow, inspections: number): VisitDto => ({
  id: r.id,
  enterpriseCode: r.enterprise_code,
  departments: arr(r.departments),
  leadDepartment: r.lead_department,
  items: arr(r.items),
  inspectors: arr(r.inspectors),
  start: r.start_date,
  end: r.end_date,
  status: r.status as VisitDto['status'],
  flagged: r.flagged,
  reason: r.reason,
  inspections,
});

/** The SQL of the register, inspectors and visits (draws, records and codes: records.repository.ts). */
export class EnforcementRepository {
  /**
   * Inserts enterprises (existing credit codes are kept as they are): 5,000 rows per statement as one
   * JSON parameter expanded by jsonb_to_recordset (one parameter instead of 11 per row: the
   * 20,000-enterprise demo register loads in about a third of the time on PGlite).
   */
  async insertEnterprises(db: Db, rows: readonly GeneratedEnterprise[], at: Date): Promise<number> {
    let inserted = 0;
    for (let i = 0; i < rows.length; i += 5000) {
      const chunk = rows.slice(i, i + 5000).map((e) => ({
        credit_code: e.creditCode,
        name: e.name,
        industry: e.industry,
        street_code: e.streetCode,
        district_code: e.districtCode,
        jurisdiction_path: e.jurisdictionPath,
        credit_score: e.creditScore,
        risk_class: e.riskClass,
        synthetic: e.synthetic,
      }));
      const r = await sql`
        insert into en_enterprise (credit_code, name, industry, street_code, district_code, jurisdiction_path,
          credit_score, risk_class, public_key, synthetic, updated_at)
        select credit_code, name, industry, street_code, district_code, jurisdiction_path,
          credit_score, risk_class, null, synthetic, ${at}
        from jsonb_to_recordset(${JSON.stringify(chunk)}::jsonb) as x(credit_code text, name text, industry text,
          street_code text, district_code text, jurisdiction_path text, credit_score int, risk_class text, synthetic boolean)
        on conflict (credit_code) do nothing`.execute(db);
      inserted += Number(r.numAffectedRows ?? 0);
    }
    return inserted;
  }

  async countEnterprises(db: Db): Promise<number> {
    const r = await db
      .selectFrom('en_enterprise')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async enterprise(db: Db, code: string, forUpdate = false): Promise<EnterpriseRow | undefined> {
    let q = db.selectFrom('en_enterprise').selectAll().where('credit_code', '=', code);
    if (forUpdate) q = q.forUpdate();
    return q.executeTakeFirst();
  }

  async listEnterprises(db: Db, principal: Principal, q: EnterpriseQuery): Promise<EnterpriseDto[]> {
    let query = db.selectFrom('en_enterprise').selectAll().where(inScope(principal, 'jurisdiction_path'));
    if (q.districtCode) query = query.where('district_code', '=', q.districtCode);
    if (q.industry) query = query.where('industry', '=', q.industry);
    if (q.riskClass) query = query.where('risk_class', '=', q.riskClass);
    const rows = await query.orderBy('credit_code').limit(q.limit).offset(q.offset).execute();
    return rows.map(toEnterprise);
  }

  /** The jurisdiction path of a district, read off one of its enterprises (undefined: none registered). */
  async districtPath(db: Db, district: string): Promise<string | undefined> {
    const row = await db
      .selectFrom('en_enterprise')
      .select('jurisdiction_path')
      .where('district_code', '=', district)
      .limit(1)
      .executeTakeFirst();
    return row?.jurisdiction_path.split('/').slice(0, -1).join('/');
  }

  /** A district's population for a draw: code, industry, class. */
  async population(
    db: Db,
    district: string,
  ): Promise<{ code: string; industry: string; riskClass: RiskClass }[]> {
    const rows = await db
      .selectFrom('en_enterprise')
      .select(['credit_code', 'industry', 'risk_class'])
      .where('district_code', '=', district)
      .execute();
    return rows.map((r) => ({
      code: r.credit_code,
      industry: r.industry,
      riskClass: r.risk_class as RiskClass,
    }));
  }

  async setCredit(db: Db, code: string, score: number, riskClass: RiskClass, at: Date): Promise<void> {
    await db
      .updateTable('en_enterprise')
      .set({ credit_score: score, risk_class: riskClass, updated_at: at })
      .where('credit_code', '=', code)
      .execute();
  }

  async setEnterpriseKey(db: Db, code: string, publicKey: string, at: Date): Promise<void> {
    await db
      .updateTable('en_enterprise')
      .set({ public_key: publicKey, updated_at: at })
      .where('credit_code', '=', code)
      .execute();
  }

  async upsertInspectors(
    db: Db,
    rows: readonly (InspectorDto & { jurisdictionPath: string })[],
  ): Promise<void> {
    for (let i = 0; i < rows.length; i += BATCH) {
      const values = rows.slice(i, i + BATCH).map((r) => ({
        id: r.id,
        username: r.username,
        name: r.name,
        department: r.department,
        district_code: r.districtCode,
        jurisdiction_path: r.jurisdictionPath,
        qualifications: json(r.qualifications),
        public_key: null,
      }));
      await db
        .insertInto('en_inspector')
        .values(values)
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    }
  }

  async inspector(db: Db, id: string): Promise<Selectable<EnforcementTables['en_inspector']> | undefined> {
    return db.selectFrom('en_inspector').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The inspector a user signs in as (their username), if any. */
  async inspectorByUsername(
    db: Db,
    username: string,
  ): Promise<Selectable<EnforcementTables['en_inspector']> | undefined> {
    return db
      .selectFrom('en_inspector')
      .selectAll()
      .where('username', '=', username)
      .orderBy('id')
      .executeTakeFirst();
  }

  /** Departments of these inspectors, by id. */
  async departmentsOf(db: Db, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await db
      .selectFrom('en_inspector')
      .select(['id', 'department'])
      .where('id', 'in', ids)
      .execute();
    return new Map(rows.map((r) => [r.id, r.department]));
  }

  /** Planned visits in scope whose window holds the day, earliest first (at most 500). */
  async plannedVisitsOn(db: Db, principal: Principal, day: string): Promise<VisitDto[]> {
    const rows = await db
      .selectFrom('en_visit as v')
      .selectAll('v')
      .select((eb) =>
        eb
          .selectFrom('en_inspection as i')
          .whereRef('i.visit_id', '=', 'v.id')
          .select(eb.fn.countAll<string>().as('n'))
          .as('n'),
      )
      .where(inScope(principal, 'v.jurisdiction_path'))
      .where('v.status', '=', 'planned')
      .where('v.start_date', '<=', day)
      .where('v.end_date', '>=', day)
      .orderBy('v.start_date')
      .orderBy('v.id')
      .limit(500)
      .execute();
    return rows.map((r) => toVisit(r, Number(r.n ?? 0)));
  }

  async inspectorsOf(
    db: Db,
    district: string,
  ): Promise<{ id: string; department: string; qualifications: string[] }[]> {
    const rows = await db
      .selectFrom('en_inspector')
      .select(['id', 'department', 'qualifications'])
      .where('district_code', '=', district)
      .execute();
    return rows.map((r) => ({ id: r.id, department: r.department, qualifications: arr(r.qualifications) }));
  }

  async setInspectorKey(db: Db, id: string, publicKey: string): Promise<void> {
    await db.updateTable('en_inspector').set({ public_key: publicKey }).where('id', '=', id).execute();
  }

  /** The enterprise's visits (for placing an inspection), oldest first. */
  async visitsOf(db: Db, enterprise: string, forUpdate = false): Promise<VisitRow[]> {
    let q = db
      .selectFrom('en_visit')
      .selectAll()
      .where('enterprise_code', '=', enterprise)
      .orderBy('start_date');
    if (forUpdate) q = q.forUpdate();
    return q.execute();
  }

  async visit(db: Db, id: string): Promise<VisitRow | undefined> {
    return db.selectFrom('en_visit').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async saveVisit(db: Db, v: Visit, path: string, at: Date, isNew: boolean): Promise<void> {
    const row = {
      enterprise_code: v.enterprise,
      departments: json(v.departments),
      lead_department: v.leadDepartment,
      items: json(v.items),
      inspectors: json(v.inspectors),
      start_date: v.start,
      end_date: v.end,
      status: v.done ? 'done' : 'planned',
      flagged: v.flagged,
      reason: v.reason,
      jurisdiction_path: path,
    };
    if (isNew)
      await db
        .insertInto('en_visit')
        .values({ id: v.id, ...row, created_at: at, done_at: null })
        .execute();
    else await db.updateTable('en_visit').set(row).where('id', '=', v.id).execute();
  }

  async markVisitDone(db: Db, id: string, at: Date): Promise<void> {
    await db.updateTable('en_visit').set({ status: 'done', done_at: at }).where('id', '=', id).execute();
  }

  async insertInspection(
    db: Db,
    i: {
      id: string;
      enterprise: string;
      department: string;
      start: string;
      end: string;
      items: string[];
      inspectors: string[];
    },
    extra: { source: 'draw' | 'targeted'; drawId: string | null; visitId: string; path: string; at: Date },
  ): Promise<void> {
    await db
      .insertInto('en_inspection')
      .values({
        id: i.id,
        enterprise_code: i.enterprise,
        department: i.department,
        start_date: i.start,
        end_date: i.end,
        items: json(i.items),
        inspectors: json(i.inspectors),
        source: extra.source,
        draw_id: extra.drawId,
        visit_id: extra.visitId,
        jurisdiction_path: extra.path,
        created_at: extra.at,
      })
      .execute();
  }

  async listVisits(
    db: Db,
    principal: Principal,
    q: { enterpriseCode?: string; districtCode?: string; limit: number },
  ): Promise<VisitDto[]> {
    let query = db
      .selectFrom('en_visit as v')
      .selectAll('v')
      .select((eb) =>
        eb
          .selectFrom('en_inspection as i')
          .whereRef('i.visit_id', '=', 'v.id')
          .select(eb.fn.countAll<string>().as('n'))
          .as('n'),
      )
      .where(inScope(principal, 'v.jurisdiction_path'));
    if (q.enterpriseCode) query = query.where('v.enterprise_code', '=', q.enterpriseCode);
    if (q.districtCode) query = query.where('v.jurisdiction_path', 'like', `%/${q.districtCode}/%`);
    const rows = await query.orderBy('v.start_date', 'desc').orderBy('v.id').limit(q.limit).execute();
    return rows.map((r) => toVisit(r, Number(r.n ?? 0)));
  }

  /** Enterprises under `path` with a visit ending on or after `from` and starting before `before` (the quiet period). */
  async visitedBetween(db: Db, path: string, from: string, before: string): Promise<string[]> {
    const rows = await db
      .selectFrom('en_visit')
      .select('enterprise_code')
      .distinct()
      .where('jurisdiction_path', 'like', `${path}/%`)
      .where('end_date', '>=', from)
      .where('start_date', '<', before)
      .execute();
    return rows.map((r) => r.enterprise_code);
  }

  async inspectionCount(db: Db, visitId: string): Promise<number> {
    const r = await db
      .selectFrom('en_inspection')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('visit_id', '=', visitId)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Visits and inspections in scope, per district (the KPI's counts). */
  async kpiCounts(db: Db, principal: Principal, from: string, to: string) {
    const visits = await db
      .selectFrom('en_visit')
      .select([
        sql<string>`split_part(jurisdiction_path, '/', 2)`.as('district'),
        sql<string>`count(*)`.as('visits'),
        sql<string>`count(*) filter (where jsonb_array_length(departments) > 1)`.as('joint'),
        sql<string>`count(*) filter (where flagged)`.as('flagged'),
        sql<string>`count(distinct enterprise_code)`.as('enterprises'),
      ])
      .where(inScope(principal, 'jurisdiction_path'))
      .where('start_date', '>=', from)
      .where('start_date', '<=', to)
      .groupBy(sql`split_part(jurisdiction_path, '/', 2)`)
      .execute();
    const inspections = await db
      .selectFrom('en_inspection')
      .select([
        sql<string>`split_part(jurisdiction_path, '/', 2)`.as('district'),
        sql<string>`count(*)`.as('n'),
      ])
      .where(inScope(principal, 'jurisdiction_path'))
      .where('start_date', '>=', from)
      .where('start_date', '<=', to)
      .groupBy(sql`split_part(jurisdiction_path, '/', 2)`)
      .execute();
    const departments = await db
      .selectFrom('en_inspection as i')
      .innerJoin('en_visit as v', 'v.id', 'i.visit_id')
      .select([
        'i.department',
        sql<string>`count(*)`.as('n'),
        sql<string>`count(*) filter (where jsonb_array_length(v.departments) > 1)`.as('joint'),
      ])
      .where(inScope(principal, 'i.jurisdiction_path'))
      .where('i.start_date', '>=', from)
      .where('i.start_date', '<=', to)
      .groupBy('i.department')
      .execute();
    const records = await db
      .selectFrom('en_record as r')
      .innerJoin('en_visit as v', 'v.id', 'r.visit_id')
      .select([sql<string>`jsonb_array_length(r.body -> 'findings')`.as('answered'), 'v.items'])
      .where(inScope(principal, 'r.jurisdiction_path'))
      .where('v.start_date', '>=', from)
      .where('v.start_date', '<=', to)
      .execute();
    return {
      visits,
      inspections,
      departments,
      records: records.map((r) => ({ answered: Number(r.answered), items: arr(r.items) })),
    };
  }
}
