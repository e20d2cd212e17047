import { type Kysely, type Selectable, sql } from 'kysely';
import { inScope, type Principal } from '../../platform/access.ts';
import type { ComplaintDto } from './complaints.schema.ts';
import type { EnforcementTables } from './enforcement.tables.ts';

type Db = Kysely<EnforcementTables>;
type ComplaintRow = Selectable<EnforcementTables['en_complaint']>;

/** A complaint row to insert. */
export interface NewComplaint {
  id: string;
  enterpriseCode: string;
  jurisdictionPath: string;
  department: string | null;
  receivedAt: Date;
  receivedDate: string;
  source: ComplaintDto['source'];
  text: string;
  substantiated: boolean;
  visitIds: string[];
  synthetic: boolean;
  recordedBy: string;
}

const arr = (v: unknown): string[] => (typeof v === 'string' ? JSON.parse(v) : (v as string[]));

export const toComplaint = (r: ComplaintRow, quietPeriodDays: number): ComplaintDto => ({
  id: r.id,
  enterpriseCode: r.enterprise_code,
  districtCode: r.jurisdiction_path.split('/')[1] ?? '',
  department: r.department,
  receivedAt: new Date(r.received_at).toISOString(),
  receivedDate: r.received_date,
  source: r.source as ComplaintDto['source'],
  text: r.text,
  substantiated: r.substantiated,
  visitIds: arr(r.visit_ids),
  quietPeriodDays,
  synthetic: r.synthetic,
});

const district = sql<string>`split_part(jurisdiction_path, '/', 2)`;

/** The SQL of the complaints register (repeat-inspection complaints) and its KPI counts. */
export class ComplaintsRepository {
  /** Inserts complaints, 2,000 rows per statement as one JSON parameter (the demo's synthetic year). */
  async insert(db: Db, rows: readonly NewComplaint[], at: Date): Promise<void> {
    for (let i = 0; i < rows.length; i += 2000) {
      const chunk = rows.slice(i, i + 2000).map((c) => ({
        id: c.id,
        enterprise_code: c.enterpriseCode,
        jurisdiction_path: c.jurisdictionPath,
        department: c.department,
        received_at: c.receivedAt.toISOString(),
        received_date: c.receivedDate,
        source: c.source,
        text: c.text,
        substantiated: c.substantiated,
        visit_ids: c.visitIds,
        synthetic: c.synthetic,
        recorded_by: c.recordedBy,
      }));
      await sql`
        insert into en_complaint (id, enterprise_code, jurisdiction_path, department, received_at, received_date,
          source, text, substantiated, visit_ids, synthetic, recorded_by, created_at)
        select id, enterprise_code, jurisdiction_path, department, received_at, received_date,
          source, text, substantiated, visit_ids, synthetic, recorded_by, ${at}
        from jsonb_to_recordset(${JSON.stringify(chunk)}::jsonb) as x(id text, enterprise_code text,
          jurisdiction_path text, department text, received_at timestamptz, received_date text, source text,
          text text, substantiated boolean, visit_ids jsonb, synthetic boolean, recorded_by text)`.execute(
        db,
      );
    }
  }

  async get(db: Db, id: string): Promise<ComplaintRow | undefined> {
    return db.selectFrom('en_complaint').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async count(db: Db): Promise<number> {
    const r = await db
      .selectFrom('en_complaint')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Complaints in scope received between the dates (inclusive), newest first. */
  async list(
    db: Db,
    principal: Principal,
    q: { from: string; to: string; limit: number },
  ): Promise<ComplaintRow[]> {
    return db
      .selectFrom('en_complaint')
      .selectAll()
      .where(inScope(principal, 'jurisdiction_path'))
      .where('received_date', '>=', q.from)
      .where('received_date', '<=', q.to)
      .orderBy('received_at', 'desc')
      .orderBy('id')
      .limit(q.limit)
      .execute();
  }

  /** The enterprise's visits whose window began on or before `to` and ended on or after `from`, oldest first. */
  async visitsWithin(db: Db, enterprise: string, from: string, to: string): Promise<string[]> {
    const rows = await db
      .selectFrom('en_visit')
      .select('id')
      .where('enterprise_code', '=', enterprise)
      .where('start_date', '<=', to)
      .where('end_date', '>=', from)
      .orderBy('start_date')
      .orderBy('id')
      .execute();
    return rows.map((r) => r.id);
  }

  /** Complaints in scope received between the dates, per district and per department. */
  async kpiCounts(db: Db, principal: Principal, from: string, to: string) {
    const base = db
      .selectFrom('en_complaint')
      .where(inScope(principal, 'jurisdiction_path'))
      .where('received_date', '>=', from)
      .where('received_date', '<=', to);
    const byDistrict = await base
      .select([
        district.as('district'),
        sql<string>`count(*)`.as('n'),
        sql<string>`count(*) filter (where substantiated)`.as('substantiated'),
      ])
      .groupBy(district)
      .execute();
    const byDepartment = await base
      .select([
        'department',
        sql<string>`count(*)`.as('n'),
        sql<string>`count(*) filter (where substantiated)`.as('substantiated'),
      ])
      .where('department', 'is not', null)
      .groupBy('department')
      .execute();
    return {
      byDistrict: byDistrict.map((r) => ({
        district: r.district,
        n: Number(r.n),
        substantiated: Number(r.substantiated),
      })),
      byDepartment: byDepartment.map((r) => ({
        department: r.department as string,
        n: Number(r.n),
        substantiated: Number(r.substantiated),
      })),
    };
  }

  /** Complaints in scope received between the dates (the previous period's count). */
  async countBetween(db: Db, principal: Principal, from: string, to: string): Promise<number> {
    const r = await db
      .selectFrom('en_complaint')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where(inScope(principal, 'jurisdiction_path'))
      .where('received_date', '>=', from)
      .where('received_date', '<=', to)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Enterprises of the register in scope (the denominator of complaints per thousand enterprises). */
  async registered(db: Db, principal: Principal): Promise<number> {
    const r = await db
      .selectFrom('en_enterprise')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where(inScope(principal, 'jurisdiction_path'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** The register for the synthetic complaints: code, industry, class, district and path, by code. */
  async population(db: Db) {
    return db
      .selectFrom('en_enterprise')
      .select(['credit_code', 'industry', 'risk_class', 'district_code', 'jurisdiction_path'])
      .orderBy('credit_code')
      .execute();
  }
}
