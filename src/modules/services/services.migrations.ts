import { type Kysely, sql } from 'kysely';
import type { Migrations } from '../../platform/db/migrate.ts';
import { materialFileMigrations } from './services.files.ts';

/** Bundle versions, applications, their steps and the durable timers; then certificates, proposals and applicants' webhooks; then the applicants' uploaded files. */
export const servicesMigrations: Migrations = {
  '202612070930_services_init': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('sv_bundle_version')
        .addColumn('bundle_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('definition', 'jsonb', (c) => c.notNull())
        .addColumn('loaded_at', 'timestamptz', (c) => c.notNull())
        .addPrimaryKeyConstraint('sv_bundle_version_pk', ['bundle_id', 'version'])
        .execute();
      await db.schema
        .createTable('sv_application')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('bundle_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('applicant_id', 'text', (c) => c.notNull())
        .addColumn('applicant_name', 'text', (c) => c.notNull())
        .addColumn('jurisdiction_path', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) =>
          c.notNull().check(sql`status in ('draft', 'in_progress', 'correction', 'completed', 'rejected')`),
        )
        .addColumn('form', 'jsonb', (c) => c.notNull())
        .addColumn('consent_at', 'timestamptz')
        .addColumn('consent_text', 'text')
        .addColumn('materials', 'jsonb', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('submitted_at', 'timestamptz')
        .addColumn('completed_at', 'timestamptz')
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .addForeignKeyConstraint('sv_application_version_fk', ['bundle_id', 'version'], 'sv_bundle_version', [
          'bundle_id',
          'version',
        ])
        .execute();
      await db.schema
        .createIndex('sv_application_applicant')
        .on('sv_application')
        .columns(['applicant_id', 'created_at'])
        .execute();
      await db.schema
        .createTable('sv_step')
        .addColumn('application_id', 'text', (c) => c.notNull().references('sv_application.id'))
        .addColumn('item', 'text', (c) => c.notNull())
        .addColumn('department', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) =>
          c
            .notNull()
            .check(sql`status in ('waiting', 'pending', 'approved', 'rejected', 'correction', 'cancelled')`),
        )
        .addColumn('round', 'integer', (c) => c.notNull())
        .addColumn('started_at', 'timestamptz')
        .addColumn('due_at', 'timestamptz')
        .addColumn('reminded_at', 'timestamptz')
        .addColumn('escalated_at', 'timestamptz')
        .addColumn('decided_by', 'text')
        .addColumn('decided_at', 'timestamptz')
        .addColumn('decision_reason', 'text')
        .addPrimaryKeyConstraint('sv_step_pk', ['application_id', 'item'])
        .execute();
      await db.schema.createIndex('sv_step_desk').on('sv_step').columns(['department', 'status']).execute();
      await db.schema
        .createTable('sv_timer')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('application_id', 'text', (c) => c.notNull())
        .addColumn('item', 'text', (c) => c.notNull())
        .addColumn('round', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('remind', 'escalate')`))
        .addColumn('fire_at', 'timestamptz', (c) => c.notNull())
        .addColumn('fired_at', 'timestamptz')
        .execute();
      await sql`create index sv_timer_due on sv_timer (fire_at) where fired_at is null`.execute(db);
    },
  },
  '202612071930_services_outputs': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('sv_certificate')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('number', 'text', (c) => c.notNull().unique())
        .addColumn('application_id', 'text', (c) => c.notNull().references('sv_application.id'))
        .addColumn('item', 'text', (c) => c.notNull())
        .addColumn('holder_id', 'text', (c) => c.notNull())
        .addColumn('claims', 'jsonb', (c) => c.notNull())
        .addColumn('jws', 'text', (c) => c.notNull())
        .addColumn('kid', 'text', (c) => c.notNull())
        .addColumn('issued_at', 'timestamptz', (c) => c.notNull())
        .addUniqueConstraint('sv_certificate_item', ['application_id', 'item'])
        .execute();
      await db.schema
        .createTable('sv_proposal')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('bundle_id', 'text', (c) => c.notNull())
        .addColumn('trigger', 'text', (c) => c.notNull())
        .addColumn('trigger_ref', 'text', (c) => c.notNull())
        .addColumn('parent_id', 'text', (c) => c.notNull())
        .addColumn('form', 'jsonb', (c) => c.notNull())
        .addColumn('record', 'jsonb', (c) => c.notNull())
        .addColumn('status', 'text', (c) =>
          c.notNull().check(sql`status in ('open', 'accepted', 'declined')`),
        )
        .addColumn('application_id', 'text')
        .addColumn('registered_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('decided_at', 'timestamptz')
        .addColumn('decline_reason', 'text')
        .addUniqueConstraint('sv_proposal_trigger', ['bundle_id', 'trigger', 'trigger_ref'])
        .execute();
      await db.schema
        .createIndex('sv_proposal_parent')
        .on('sv_proposal')
        .columns(['parent_id', 'created_at'])
        .execute();
      await db.schema.alterTable('sv_application').addColumn('notify_url', 'text').execute();
    },
  },
  ...materialFileMigrations,
};
