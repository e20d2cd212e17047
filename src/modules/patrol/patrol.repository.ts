import type { ColumnType } from 'kysely';
import { type Db, forTables } from '../../platform/db/database.ts';
import type { PatrolPlan } from './patrol.schema.ts';

/** The patrol module's tables. */
export interface PatrolTables {
  /** A patrol plan as decided (the decision log holds its reasons). */
  pt_plan: {
    id: string;
    created_at: ColumnType<Date, Date, Date>;
    created_by: string;
    jurisdiction_path: string;
    as_of: ColumnType<Date, Date, Date>;
    decision_id: string;
    plan: ColumnType<PatrolPlan, string, string>;
  };
  /** A setting: `demo` (synthetic demo incidents on). */
  pt_setting: { key: string; value: ColumnType<unknown, string, string> };
}

const t = (db: Db) => forTables<PatrolTables>(db);

/** All of the patrol module's SQL. */
export class PatrolRepository {
  /** Stores a plan. */
  async insertPlan(db: Db, plan: PatrolPlan, createdBy: string): Promise<void> {
    await t(db)
      .insertInto('pt_plan')
      .values({
        id: plan.id,
        created_at: new Date(plan.createdAt),
        created_by: createdBy,
        jurisdiction_path: plan.jurisdictionPath,
        as_of: new Date(plan.asOf),
        decision_id: plan.decisionId,
        plan: JSON.stringify(plan),
      })
      .execute();
  }

  /** One plan, or undefined. */
  async plan(db: Db, id: string): Promise<PatrolPlan | undefined> {
    const row = await t(db).selectFrom('pt_plan').select('plan').where('id', '=', id).executeTakeFirst();
    return row?.plan;
  }

  /** The newest plans, newest first. */
  async plans(db: Db, limit: number): Promise<PatrolPlan[]> {
    const rows = await t(db)
      .selectFrom('pt_plan')
      .select('plan')
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => r.plan);
  }

  /** A setting's value, or undefined. */
  async setting(db: Db, key: string): Promise<unknown> {
    const row = await t(db)
      .selectFrom('pt_setting')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirst();
    return row?.value;
  }

  /** Sets a setting. */
  async setSetting(db: Db, key: string, value: unknown): Promise<void> {
    await t(db)
      .insertInto('pt_setting')
      .values({ key, value: JSON.stringify(value) })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value) }))
      .execute();
  }
}
