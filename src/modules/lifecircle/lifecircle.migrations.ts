import type { Kysely } from 'kysely';
import type { Migrations } from '../../platform/db/migrate.ts';

/** Imported facilities and the module's settings (demo data on or off). */
export const lifecircleMigrations: Migrations = {
  '202612071300_lifecircle_init': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('lc_facility')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('lon', 'double precision', (c) => c.notNull())
        .addColumn('lat', 'double precision', (c) => c.notNull())
        .addColumn('imported_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('lc_setting')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'jsonb', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('lc_setting').execute();
      await db.schema.dropTable('lc_facility').execute();
    },
  },
};
