import { type Kysely, sql } from 'kysely';
import type { Migrations } from '../../platform/db/migrate.ts';

/**
 * The register (algorithms, versions, transition history, change counter) and the decision
 * log (decisions, their subjects, overrides, review alerts). The log refuses UPDATE; DELETE
 * only passes inside `prune`, which sets `citybrain.algorithm_prune` for its transaction.
 */
export const algorithmMigrations: Migrations = {
  '202611250900_algorithms_register': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('algorithm')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('owner_department_code', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('algorithm_version')
        .addColumn('key', 'text', (c) => c.notNull().references('algorithm.key'))
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('decision_type', 'text', (c) => c.notNull())
        .addColumn('risk_category', 'text', (c) => c.notNull())
        .addColumn('owner_department_code', 'text', (c) => c.notNull())
        .addColumn('register', 'jsonb', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .addColumn('filed_by', 'text')
        .addColumn('filed_at', 'timestamptz')
        .addColumn('approved_by', 'text')
        .addColumn('approved_at', 'timestamptz')
        .addColumn('in_use_since', 'timestamptz')
        .addColumn('retired_at', 'timestamptz')
        .addPrimaryKeyConstraint('algorithm_version_pk', ['key', 'version'])
        .execute();
      // The database, not only the service, holds the one-version-in-use rule.
      await sql`create unique index algorithm_version_one_in_use on algorithm_version (key) where status = 'in_use'`.execute(
        db,
      );
      await db.schema
        .createTable('algorithm_transition')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('from_status', 'text')
        .addColumn('to_status', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('algorithm_transition_version')
        .on('algorithm_transition')
        .columns(['key', 'version'])
        .execute();
      await db.schema
        .createTable('algorithm_state')
        .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
        .addColumn('counter', 'bigint', (c) => c.notNull())
        .execute();
      await sql`insert into algorithm_state (id, counter) values (1, 0)`.execute(db);
    },
  },
  '202611250901_algorithms_decision_log': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('algorithm_decision')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('at', 'timestamptz', (c) => c.notNull())
        .addColumn('algorithm_key', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('input_digest', 'text', (c) => c.notNull())
        .addColumn('inputs', 'jsonb', (c) => c.notNull())
        .addColumn('output', 'jsonb')
        .addColumn('explanation', 'jsonb')
        .addColumn('latency_us', 'integer', (c) => c.notNull())
        .addColumn('principal', 'text', (c) => c.notNull())
        .addColumn('jurisdiction_path', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('algorithm_decision_key_at')
        .on('algorithm_decision')
        .columns(['algorithm_key', 'version', 'at'])
        .execute();
      await db.schema.createIndex('algorithm_decision_at').on('algorithm_decision').column('at').execute();
      await db.schema
        .createTable('algorithm_decision_subject')
        .addColumn('decision_id', 'uuid', (c) => c.notNull())
        .addColumn('subject_type', 'text', (c) => c.notNull())
        .addColumn('subject_id', 'text', (c) => c.notNull())
        .addColumn('at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('algorithm_decision_subject_lookup')
        .on('algorithm_decision_subject')
        .columns(['subject_type', 'subject_id', 'at'])
        .execute();
      await db.schema
        .createTable('algorithm_override')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('decision_id', 'uuid', (c) => c.notNull())
        .addColumn('decision_at', 'timestamptz', (c) => c.notNull())
        .addColumn('algorithm_key', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('at', 'timestamptz', (c) => c.notNull())
        .addColumn('by', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('new_output', 'jsonb', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('algorithm_override_decision')
        .on('algorithm_override')
        .column('decision_id')
        .execute();
      await db.schema
        .createIndex('algorithm_override_key_at')
        .on('algorithm_override')
        .columns(['algorithm_key', 'version', 'decision_at'])
        .execute();
      await db.schema
        .createTable('algorithm_review_alert')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('algorithm_key', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('raised_at', 'timestamptz', (c) => c.notNull())
        .addColumn('decisions', 'integer', (c) => c.notNull())
        .addColumn('overrides', 'integer', (c) => c.notNull())
        .addColumn('override_rate', 'double precision', (c) => c.notNull())
        .addColumn('window_days', 'integer', (c) => c.notNull())
        .addColumn('closed_at', 'timestamptz')
        .execute();
      await sql`create unique index algorithm_review_alert_one_open on algorithm_review_alert (algorithm_key, version) where status = 'open'`.execute(
        db,
      );
      await sql`
        create function algorithm_log_guard() returns trigger language plpgsql as $$
        begin
          if tg_op = 'DELETE' and coalesce(current_setting('citybrain.algorithm_prune', true), '') = 'on' then
            return old;
          end if;
          raise exception '% is append-only', tg_table_name;
        end $$`.execute(db);
      for (const table of ['algorithm_decision', 'algorithm_decision_subject', 'algorithm_override']) {
        await sql`create trigger ${sql.raw(`${table}_append_only`)} before update or delete on ${sql.table(table)}
          for each row execute function algorithm_log_guard()`.execute(db);
      }
    },
  },
  '202612060500_algorithms_decision_quarantine': {
    async up(db: Kysely<unknown>) {
      // Records the database refused for their data: sanitised ones (also in the log) and quarantined ones (not).
      await db.schema
        .createTable('algorithm_decision_quarantine')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('decision_id', 'uuid', (c) => c.notNull())
        .addColumn('decision_at', 'timestamptz', (c) => c.notNull())
        .addColumn('algorithm_key', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('sqlstate', 'text')
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('excerpt', 'text', (c) => c.notNull())
        .addColumn('at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('algorithm_decision_quarantine_decision')
        .on('algorithm_decision_quarantine')
        .column('decision_id')
        .execute();
    },
  },
};
