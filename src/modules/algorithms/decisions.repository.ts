import { type Insertable, type Kysely, type Selectable, sql } from 'kysely';
import { inScope, type Principal } from '../../platform/access.ts';
import type { AlgorithmTables } from './algorithms.tables.ts';
import type { DecisionQuarantineTables } from './decisions.schema.ts';

type Db = Kysely<AlgorithmTables>;
type T = AlgorithmTables;
/** A stored decision. */
export type DecisionRow = Selectable<T['algorithm_decision']>;
/** A stored override. */
export type OverrideRow = Selectable<T['algorithm_override']>;
/** A stored review alert. */
export type AlertRow = Selectable<T['algorithm_review_alert']>;

/** Raw per-version figures from the log. */
export interface MetricsRow {
  version: string;
  decided: number;
  refused: number;
  errors: number;
  p50: number | null;
  p95: number | null;
}

const CHUNK = 500;

/** A row of the decision quarantine. */
export type QuarantineInsert = Insertable<DecisionQuarantineTables['algorithm_decision_quarantine']>;

/** All SQL of the decision log, overrides and review alerts. */
export class DecisionRepository {
  /**
   * Writes a batch of decisions and their subjects in one transaction, in chunks that fit the
   * parameter limit; `notes` (quarantine rows of sanitised records) go in the same transaction.
   */
  async insert(
    db: Db,
    rows: Insertable<T['algorithm_decision']>[],
    subjects: Insertable<T['algorithm_decision_subject']>[],
    notes: QuarantineInsert[] = [],
  ) {
    await db.transaction().execute(async (trx) => {
      if (notes.length) await this.quarantine(trx, notes);
      for (let i = 0; i < rows.length; i += CHUNK)
        await trx
          .insertInto('algorithm_decision')
          .values(rows.slice(i, i + CHUNK))
          .execute();
      for (let i = 0; i < subjects.length; i += CHUNK) {
        await trx
          .insertInto('algorithm_decision_subject')
          .values(subjects.slice(i, i + CHUNK))
          .execute();
      }
    });
  }

  /** Stores quarantine rows. */
  async quarantine(db: Db, rows: QuarantineInsert[]): Promise<void> {
    await db
      .withTables<DecisionQuarantineTables>()
      .insertInto('algorithm_decision_quarantine')
      .values(rows)
      .execute();
  }

  /** Quarantine rows, oldest first. */
  async quarantined(db: Db, limit = 100) {
    return db
      .withTables<DecisionQuarantineTables>()
      .selectFrom('algorithm_decision_quarantine')
      .selectAll()
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /** One decision. */
  async byId(db: Db, id: string): Promise<DecisionRow | undefined> {
    return db.selectFrom('algorithm_decision').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The latest decided decision of an algorithm about a subject. */
  async latestAbout(db: Db, key: string, type: string, id: string): Promise<DecisionRow | undefined> {
    return db
      .selectFrom('algorithm_decision as d')
      .innerJoin('algorithm_decision_subject as s', 's.decision_id', 'd.id')
      .selectAll('d')
      .where('d.algorithm_key', '=', key)
      .where('d.outcome', '=', 'decided')
      .where('s.subject_type', '=', type)
      .where('s.subject_id', '=', id)
      .orderBy('d.at', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  /** Decisions about a subject that the principal may see, oldest first. */
  async aboutSubject(db: Db, principal: Principal, type: string, id: string): Promise<DecisionRow[]> {
    return (
      db
        .selectFrom('algorithm_decision as d')
        .innerJoin('algorithm_decision_subject as s', 's.decision_id', 'd.id')
        .selectAll('d')
        .where('s.subject_type', '=', type)
        .where('s.subject_id', '=', id)
        // A decision logged without a place is not scoped (see README); others follow the principal's jurisdiction.
        .where((eb) =>
          eb.or([eb('d.jurisdiction_path', '=', ''), inScope(principal, 'd.jurisdiction_path')(eb)]),
        )
        .orderBy('d.at')
        .orderBy('d.id')
        .execute()
    );
  }

  /** Decisions of a version, newest first. */
  async ofVersion(
    db: Db,
    key: string,
    version: string,
    limit: number,
    before?: Date,
  ): Promise<DecisionRow[]> {
    let q = db
      .selectFrom('algorithm_decision')
      .selectAll()
      .where('algorithm_key', '=', key)
      .where('version', '=', version);
    if (before) q = q.where('at', '<', before);
    return q.orderBy('at', 'desc').limit(limit).execute();
  }

  /** Subjects of the given decisions. */
  async subjectsOf(db: Db, ids: string[]): Promise<Selectable<T['algorithm_decision_subject']>[]> {
    if (ids.length === 0) return [];
    return db.selectFrom('algorithm_decision_subject').selectAll().where('decision_id', 'in', ids).execute();
  }

  /** Overrides of the given decisions, oldest first. */
  async overridesOf(db: Db, ids: string[]): Promise<OverrideRow[]> {
    if (ids.length === 0) return [];
    return db
      .selectFrom('algorithm_override')
      .selectAll()
      .where('decision_id', 'in', ids)
      .orderBy('id')
      .execute();
  }

  /** Records an override; returns its id. */
  async insertOverride(db: Db, row: Insertable<T['algorithm_override']>): Promise<number> {
    const r = await db.insertInto('algorithm_override').values(row).returning('id').executeTakeFirstOrThrow();
    return Number(r.id);
  }

  /** Per-version call counts and latency percentiles (decided calls) since a time. */
  async metrics(db: Db, key: string, since: Date): Promise<MetricsRow[]> {
    const r = await sql<MetricsRow>`
      select version,
        count(*) filter (where outcome = 'decided')::int as decided,
        count(*) filter (where outcome = 'refused')::int as refused,
        count(*) filter (where outcome = 'error')::int as errors,
        percentile_cont(0.5) within group (order by latency_us) filter (where outcome = 'decided') as p50,
        percentile_cont(0.95) within group (order by latency_us) filter (where outcome = 'decided') as p95
      from algorithm_decision where algorithm_key = ${key} and at >= ${since}
      group by version order by version`.execute(db);
    return r.rows;
  }

  /** Per-version count of decisions (made since a time) that were overridden at least once. */
  async overrideCounts(db: Db, key: string, since: Date, version?: string): Promise<Map<string, number>> {
    let q = db
      .selectFrom('algorithm_override')
      .select(['version', sql<number>`count(distinct decision_id)::int`.as('n')])
      .where('algorithm_key', '=', key)
      .where('decision_at', '>=', since);
    if (version) q = q.where('version', '=', version);
    const rows = await q.groupBy('version').execute();
    return new Map(rows.map((r) => [r.version, Number(r.n)]));
  }

  /** Opens a review alert unless one is open for the version; returns the new row or undefined. */
  async openAlert(db: Db, row: Insertable<T['algorithm_review_alert']>): Promise<AlertRow | undefined> {
    return db
      .insertInto('algorithm_review_alert')
      .values(row)
      .onConflict((oc) => oc.columns(['algorithm_key', 'version']).where('status', '=', 'open').doNothing())
      .returningAll()
      .executeTakeFirst();
  }

  /** Review alerts of an algorithm, newest first. */
  async alerts(db: Db, key: string): Promise<AlertRow[]> {
    return db
      .selectFrom('algorithm_review_alert')
      .selectAll()
      .where('algorithm_key', '=', key)
      .orderBy('id', 'desc')
      .execute();
  }

  /** Deletes decisions (and their subject links) older than the cutoff; the guard trigger lets only this through. */
  async prune(db: Db, cutoff: Date): Promise<number> {
    return db.transaction().execute(async (trx) => {
      await sql`select set_config('citybrain.algorithm_prune', 'on', true)`.execute(trx);
      await trx.deleteFrom('algorithm_decision_subject').where('at', '<', cutoff).execute();
      const r = await trx.deleteFrom('algorithm_decision').where('at', '<', cutoff).executeTakeFirst();
      await trx
        .withTables<DecisionQuarantineTables>()
        .deleteFrom('algorithm_decision_quarantine')
        .where('decision_at', '<', cutoff)
        .execute();
      return Number(r.numDeletedRows);
    });
  }
}
