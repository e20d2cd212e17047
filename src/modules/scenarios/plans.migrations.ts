import type { Kysely } from 'kysely';
import type { Migrations } from '../../platform/db/migrate.ts';

/** Response plans (预案 activated for an event) and their tasks, each linked to a dispatch task. */
export const planMigrations: Migrations = {
  '202611251000_plans_init': {
    async up(db: Kysely<unknown>) {
      const ts = 'timestamptz' as const;
      await db.schema
        .createTable('sc_plan')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('template_key', 'text', (c) => c.notNull())
        .addColumn('template_version', 'integer', (c) => c.notNull())
        .addColumn('scenario', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('jurisdiction_path', 'text', (c) => c.notNull())
        .addColumn('lon', 'double precision', (c) => c.notNull())
        .addColumn('lat', 'double precision', (c) => c.notNull())
        .addColumn('target_minutes', 'integer', (c) => c.notNull())
        .addColumn('started_at', ts, (c) => c.notNull())
        .addColumn('target_at', ts, (c) => c.notNull())
        .addColumn('analysis', 'jsonb', (c) => c.notNull())
        .addColumn('decision_id', 'text')
        .addColumn('created_by', 'text', (c) => c.notNull())
        .execute();
      // One plan of a template per event: a redelivered alert does not start it twice.
      await db.schema
        .createIndex('sc_plan_event_template')
        .on('sc_plan')
        .columns(['event_id', 'template_key'])
        .unique()
        .execute();
      await db.schema.createIndex('sc_plan_started').on('sc_plan').column('started_at').execute();
      await db.schema
        .createTable('sc_plan_task')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('plan_id', 'text', (c) => c.notNull().references('sc_plan.id'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('department_type', 'text', (c) => c.notNull())
        .addColumn('department_code', 'text', (c) => c.notNull())
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('task_id', 'text', (c) => c.notNull())
        .addColumn('instructions', 'text', (c) => c.notNull())
        .addColumn('lon', 'double precision', (c) => c.notNull())
        .addColumn('lat', 'double precision', (c) => c.notNull())
        .addColumn('due_at', ts, (c) => c.notNull())
        .addColumn('linked', 'boolean', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sc_plan_task_plan').on('sc_plan_task').column('plan_id').execute();
    },
  },
};
