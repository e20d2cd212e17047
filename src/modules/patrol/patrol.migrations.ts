import type { Kysely } from 'kysely';
import type { Migrations } from '../../platform/db/migrate.ts';

/** Patrol plans (each a logged decision) and the module's settings (demo data on or off). */
export const patrolMigrations: Migrations = {
  '202612071600_patrol_init': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('pt_plan')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('jurisdiction_path', 'text', (c) => c.notNull())
        .addColumn('as_of', 'timestamptz', (c) => c.notNull())
        .addColumn('decision_id', 'text', (c) => c.notNull())
        .addColumn('plan', 'jsonb', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('pt_plan_created').on('pt_plan').column('created_at').execute();
      await db.schema
        .createTable('pt_setting')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'jsonb', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('pt_setting').execute();
      await db.schema.dropTable('pt_plan').execute();
    },
  },
};
