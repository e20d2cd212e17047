import { type Insertable, type Kysely, type Selectable, sql, type Updateable } from 'kysely';
import type { RegisterQuery } from './algorithms.schema.ts';
import type { AlgorithmTables } from './algorithms.tables.ts';

/** A stored version row. */
export type VersionRow = Selectable<AlgorithmTables['algorithm_version']>;
/** A stored transition row. */
export type TransitionRow = Selectable<AlgorithmTables['algorithm_transition']>;

type Db = Kysely<AlgorithmTables>;

/** All SQL of the register: algorithms, versions, their history and the change counter. */
export class RegisterRepository {
  /** The owner department of an algorithm key, if the key exists. */
  async algorithm(db: Db, key: string): Promise<{ owner_department_code: string } | undefined> {
    return db
      .selectFrom('algorithm')
      .select('owner_department_code')
      .where('key', '=', key)
      .executeTakeFirst();
  }

  /** Creates the algorithm key. */
  async insertAlgorithm(db: Db, key: string, ownerDepartmentCode: string, at: Date): Promise<void> {
    await db
      .insertInto('algorithm')
      .values({ key, owner_department_code: ownerDepartmentCode, created_at: at })
      .execute();
  }

  /** Every version string of a key. */
  async versionsOf(db: Db, key: string): Promise<string[]> {
    const rows = await db.selectFrom('algorithm_version').select('version').where('key', '=', key).execute();
    return rows.map((r) => r.version);
  }

  /** One version, locked for the rest of the transaction when `lock` is set. */
  async version(db: Db, key: string, version: string, lock = false): Promise<VersionRow | undefined> {
    let q = db
      .selectFrom('algorithm_version')
      .selectAll()
      .where('key', '=', key)
      .where('version', '=', version);
    if (lock) q = q.forUpdate();
    return q.executeTakeFirst();
  }

  /** The version of a key in use, locked. */
  async inUse(db: Db, key: string): Promise<VersionRow | undefined> {
    return db
      .selectFrom('algorithm_version')
      .selectAll()
      .where('key', '=', key)
      .where('status', '=', 'in_use')
      .forUpdate()
      .executeTakeFirst();
  }

  /** Inserts a version. */
  async insertVersion(db: Db, row: Insertable<AlgorithmTables['algorithm_version']>): Promise<void> {
    await db.insertInto('algorithm_version').values(row).execute();
  }

  /** Updates a version. */
  async updateVersion(
    db: Db,
    key: string,
    version: string,
    set: Updateable<AlgorithmTables['algorithm_version']>,
  ): Promise<void> {
    await db
      .updateTable('algorithm_version')
      .set(set)
      .where('key', '=', key)
      .where('version', '=', version)
      .execute();
  }

  /** Versions matching the filters, by key then version. */
  async list(db: Db, query: RegisterQuery & { statuses?: string[] }): Promise<VersionRow[]> {
    let q = db.selectFrom('algorithm_version').selectAll();
    if (query.status) q = q.where('status', '=', query.status);
    if (query.statuses) q = q.where('status', 'in', query.statuses);
    if (query.type) q = q.where('decision_type', '=', query.type);
    if (query.key) q = q.where('key', '=', query.key);
    return q.orderBy('key').orderBy('created_at').execute();
  }

  /** Appends one row to a version's history. */
  async insertTransition(db: Db, row: Insertable<AlgorithmTables['algorithm_transition']>): Promise<void> {
    await db.insertInto('algorithm_transition').values(row).execute();
  }

  /** A version's history, oldest first. */
  async history(db: Db, key: string, version: string): Promise<TransitionRow[]> {
    return db
      .selectFrom('algorithm_transition')
      .selectAll()
      .where('key', '=', key)
      .where('version', '=', version)
      .orderBy('id')
      .execute();
  }

  /** Bumps the change counter every process polls; commits with the state change. */
  async bumpCounter(db: Db): Promise<void> {
    await db
      .updateTable('algorithm_state')
      .set((eb) => ({ counter: eb('counter', '+', 1) }))
      .where('id', '=', 1)
      .execute();
  }

  /** The change counter. */
  async counter(db: Db): Promise<number> {
    const row = await db
      .selectFrom('algorithm_state')
      .select('counter')
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    return Number(row.counter);
  }

  /** What the runtime gate needs of every version: its status and the log policy. */
  async snapshotRows(
    db: Db,
  ): Promise<{ key: string; version: string; status: string; explainFields: unknown }[]> {
    return db
      .selectFrom('algorithm_version')
      .select(['key', 'version', 'status', sql<unknown>`register -> 'explainFields'`.as('explainFields')])
      .execute();
  }
}
