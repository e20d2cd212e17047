import { type Kysely, sql } from 'kysely';
import type { Migrations } from '../../../platform/db/migrate.ts';

/** Consumer applications of the gateway and the applications for conditional access. */
export const gatewayMigrations: Migrations = {
  '202612070720_datahub_gateway': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('dh_consumer')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('department_code', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('dh_application')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('consumer_id', 'text', (c) => c.notNull())
        .addColumn('consumer_dept', 'text', (c) => c.notNull())
        .addColumn('owner_dept', 'text', (c) => c.notNull())
        .addColumn('resource_id', 'text', (c) => c.notNull())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('entries', sql`text[]`, (c) => c.notNull())
        .addColumn('status', 'text', (c) =>
          c.notNull().check(sql`status in ('pending', 'approved', 'rejected')`),
        )
        .addColumn('requested_at', 'timestamptz', (c) => c.notNull())
        .addColumn('due_at', 'timestamptz', (c) => c.notNull())
        .addColumn('decided_by', 'text')
        .addColumn('decided_at', 'timestamptz')
        .addColumn('valid_until', 'timestamptz')
        .execute();
      await db.schema
        .createIndex('dh_application_owner_status')
        .on('dh_application')
        .columns(['owner_dept', 'status'])
        .execute();
    },
  },
  '202612070800_datahub_application_escalation': {
    async up(db: Kysely<unknown>) {
      // An application past its due time is `escalated` (to the data authority) and still decidable.
      await sql`alter table dh_application drop constraint if exists dh_application_status_check`.execute(db);
      await sql`alter table dh_application add constraint dh_application_status_check
        check (status in ('pending', 'escalated', 'approved', 'rejected'))`.execute(db);
      await db.schema
        .alterTable('dh_application')
        .addColumn('reminded_at', 'timestamptz')
        .addColumn('escalated_at', 'timestamptz')
        .execute();
      await db.schema
        .createIndex('dh_application_open_due')
        .on('dh_application')
        .columns(['status', 'due_at'])
        .execute();
    },
  },
  '202612071000_datahub_consumer_scope': {
    async up(db: Kysely<unknown>) {
      // The jurisdiction a consumer's rows are limited to (its department's); every consumer
      // registered before this was a city department's (the directory listed only those).
      await db.schema
        .alterTable('dh_consumer')
        .addColumn('jurisdiction_code', 'text')
        .addColumn('jurisdiction_level', 'text', (c) =>
          c.check(sql`jurisdiction_level in ('city', 'district', 'street')`),
        )
        .execute();
      await sql`update dh_consumer set jurisdiction_code = split_part(department_code, ':', 1),
        jurisdiction_level = 'city'`.execute(db);
      await sql`alter table dh_consumer alter column jurisdiction_code set not null,
        alter column jurisdiction_level set not null`.execute(db);
    },
  },
};
