import { sql } from 'kysely';
import { type Db, forTables } from '../../../platform/db/database.ts';
import type { SensingTables } from '../sensing.tables.ts';
import type { StoredState } from './engine.ts';
import type { CondState } from './evaluator.ts';

/** Persistence of rule states (window accumulators, run counters, whether a rule holds). */
export class RuleStateStore {
  /** Every stored state, loaded when the engine starts. */
  async all(db: Db): Promise<StoredState[]> {
    const rows = await forTables<SensingTables>(db).selectFrom('sensing_rule_state').selectAll().execute();
    return rows.map((r) => ({
      ruleId: r.rule_id,
      subject: r.subject,
      version: r.version,
      active: r.active,
      state: JSON.parse(r.state as string) as CondState,
    }));
  }

  /** Upserts changed states in one statement. */
  async save(db: Db, states: StoredState[], at: Date): Promise<void> {
    if (states.length === 0) return;
    await sql`
      insert into sensing_rule_state (rule_id, subject, version, active, state, updated_at)
      select rule_id, subject, version, active, state, ${at}
      from unnest(${states.map((s) => s.ruleId)}::text[], ${states.map((s) => s.subject)}::text[],
        ${states.map((s) => s.version)}::int[], ${states.map((s) => s.active)}::bool[],
        ${states.map((s) => JSON.stringify(s.state))}::text[]) as t(rule_id, subject, version, active, state)
      on conflict (rule_id, subject) do update set version = excluded.version, active = excluded.active,
        state = excluded.state, updated_at = excluded.updated_at`.execute(db);
  }
}
