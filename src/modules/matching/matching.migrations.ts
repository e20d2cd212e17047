import { type Kysely, sql } from 'kysely';
import type { Migrations } from '../../platform/db/migrate.ts';

/** Needs, resources, match results (one per need), runs, and the demo flag. */
export const matchingMigrations: Migrations = {
  '202612071600_matching_init': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('mt_need')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('lon', 'double precision', (c) => c.notNull())
        .addColumn('lat', 'double precision', (c) => c.notNull())
        .addColumn('window_start', 'timestamptz', (c) => c.notNull())
        .addColumn('window_end', 'timestamptz', (c) => c.notNull())
        .addColumn('quantity', 'integer', (c) => c.notNull())
        .addColumn('duration_minutes', 'integer', (c) => c.notNull())
        .addColumn('urgency', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('synthetic', 'boolean', (c) => c.notNull())
        .addColumn('stored_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('mt_resource')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('categories', 'jsonb', (c) => c.notNull())
        .addColumn('capacity', 'integer', (c) => c.notNull())
        .addColumn('hours', 'jsonb', (c) => c.notNull())
        .addColumn('lon', 'double precision', (c) => c.notNull())
        .addColumn('lat', 'double precision', (c) => c.notNull())
        .addColumn('radius_m', 'double precision', (c) => c.notNull())
        .addColumn('synthetic', 'boolean', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('mt_result')
        .addColumn('need_id', 'text', (c) => c.primaryKey())
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('resource_id', 'text')
        .addColumn('street_code', 'text')
        .addColumn('street_path', 'text')
        .addColumn('distance_m', 'double precision')
        .addColumn('slot_start', 'timestamptz')
        .addColumn('slot_day', 'text')
        .addColumn('quantity', 'integer', (c) => c.notNull())
        .addColumn('decided_at', 'timestamptz', (c) => c.notNull())
        .addColumn('explanation', 'jsonb', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('mt_result_status').on('mt_result').columns(['status']).execute();
      await db.schema
        .createTable('mt_run')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('at', 'timestamptz', (c) => c.notNull())
        .addColumn('needs', 'integer', (c) => c.notNull())
        .addColumn('matched', 'integer', (c) => c.notNull())
        .addColumn('unmet', 'integer', (c) => c.notNull())
        .addColumn('seconds', 'double precision', (c) => c.notNull())
        .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        .execute();
      await db.schema
        .createTable('mt_setting')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'jsonb', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const t of ['mt_setting', 'mt_run', 'mt_result', 'mt_resource', 'mt_need'])
        await db.schema.dropTable(t).execute();
    },
  },
};
