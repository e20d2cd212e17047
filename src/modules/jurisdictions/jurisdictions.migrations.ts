import { type Kysely, sql } from 'kysely';
import type { Migrations } from '../../platform/db/migrate.ts';

/**
 * The jurisdiction tree. `level` is plain text (checked by the import, not the database) so a
 * level can be added without a migration; the parent foreign key keeps the tree whole.
 */
export const jurisdictionMigrations: Migrations = {
  '202611240810_jurisdictions_init': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('jurisdictions')
        .addColumn('code', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('name_en', 'text')
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('parent_code', 'text', (c) => c.references('jurisdictions.code').onDelete('restrict'))
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('geometry', 'jsonb', (c) => c.notNull())
        .addColumn('bbox_west', 'double precision', (c) => c.notNull())
        .addColumn('bbox_south', 'double precision', (c) => c.notNull())
        .addColumn('bbox_east', 'double precision', (c) => c.notNull())
        .addColumn('bbox_north', 'double precision', (c) => c.notNull())
        .addColumn('label_lon', 'double precision', (c) => c.notNull())
        .addColumn('label_lat', 'double precision', (c) => c.notNull())
        .addColumn('approximate', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('properties', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();
      // text_pattern_ops lets `path like '50/500103/%'` (subtree reads) use the index under any collation.
      await sql`create unique index jurisdictions_path on jurisdictions (path text_pattern_ops)`.execute(db);
      await db.schema.createIndex('jurisdictions_parent').on('jurisdictions').column('parent_code').execute();
      await db.schema.createIndex('jurisdictions_level').on('jurisdictions').column('level').execute();
    },
  },
};
