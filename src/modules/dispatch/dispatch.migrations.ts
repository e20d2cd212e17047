import type { Kysely } from 'kysely';
import type { Migrations } from '../../platform/db/migrate.ts';

/** Tasks (one per department of an event), their durable time-limit timers and photo evidence. */
export const dispatchMigrations: Migrations = {
  '202611250901_dispatch_init': {
    async up(db: Kysely<unknown>) {
      const ts = 'timestamptz' as const;
      await db.schema
        .createTable('dp_task')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('department_type', 'text', (c) => c.notNull())
        .addColumn('department_code', 'text', (c) => c.notNull())
        .addColumn('skill', 'text', (c) => c.notNull())
        .addColumn('handling_level', 'text', (c) => c.notNull())
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('centre_code', 'text', (c) => c.notNull())
        .addColumn('centre_path', 'text', (c) => c.notNull())
        .addColumn('jurisdiction_path', 'text', (c) => c.notNull())
        .addColumn('lon', 'double precision', (c) => c.notNull())
        .addColumn('lat', 'double precision', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('team_id', 'text')
        .addColumn('team_code', 'text')
        .addColumn('team_name', 'text')
        .addColumn('team_department_code', 'text')
        .addColumn('team_path', 'text')
        .addColumn('assign_decision_id', 'text')
        .addColumn('assign_reason', 'text')
        .addColumn('accept_due_at', ts, (c) => c.notNull())
        .addColumn('arrive_due_at', ts, (c) => c.notNull())
        .addColumn('resolve_due_at', ts, (c) => c.notNull())
        .addColumn('assigned_at', ts)
        .addColumn('accepted_at', ts)
        .addColumn('arrived_at', ts)
        .addColumn('completed_at', ts)
        .addColumn('escalations', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('note', 'text')
        .addColumn('position_lon', 'double precision')
        .addColumn('position_lat', 'double precision')
        .addColumn('position_at', ts)
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('dp_task_event').on('dp_task').columns(['event_id']).execute();
      await db.schema.createIndex('dp_task_team').on('dp_task').columns(['team_id', 'status']).execute();
      await db.schema.createIndex('dp_task_path').on('dp_task').columns(['jurisdiction_path']).execute();
      await db.schema
        .createTable('dp_timer')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('task_id', 'text', (c) => c.notNull().references('dp_task.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('due_at', ts, (c) => c.notNull())
        .addColumn('fired_at', ts)
        .execute();
      await db.schema.createIndex('dp_timer_due').on('dp_timer').columns(['fired_at', 'due_at']).execute();
      await db.schema
        .createTable('dp_evidence')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('task_id', 'text', (c) => c.notNull().references('dp_task.id'))
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('mime', 'text', (c) => c.notNull())
        .addColumn('bytes', 'integer', (c) => c.notNull())
        .addColumn('stored_path', 'text', (c) => c.notNull())
        .addColumn('uploaded_by', 'text', (c) => c.notNull())
        .addColumn('at', ts, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('dp_evidence_task').on('dp_evidence').columns(['task_id']).execute();
    },
  },
  '202612071300_dispatch_assign_reason_code': {
    async up(db: Kysely<unknown>) {
      // Why a task has its team, as a code and parameters clients render in the reader's language
      // (dispatch.reasons.ts); assign_reason stays the English text. Older rows keep null codes.
      await db.schema
        .alterTable('dp_task')
        .addColumn('assign_reason_code', 'text')
        .addColumn('assign_reason_params', 'jsonb')
        .execute();
    },
  },
};
