import { type Kysely, sql } from 'kysely';
import type { Migrations } from '../../platform/db/migrate.ts';

/** The register, inspectors, draws, inspections and visits, records, codes and one-time codes; then complaints. */
export const enforcementMigrations: Migrations = {
  '202612070920_enforcement_init': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('en_enterprise')
        .addColumn('credit_code', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('industry', 'text', (c) => c.notNull())
        .addColumn('street_code', 'text', (c) => c.notNull())
        .addColumn('district_code', 'text', (c) => c.notNull())
        .addColumn('jurisdiction_path', 'text', (c) => c.notNull())
        .addColumn('credit_score', 'integer', (c) => c.notNull().check(sql`credit_score between 0 and 100`))
        .addColumn('risk_class', 'text', (c) => c.notNull().check(sql`risk_class in ('A', 'B', 'C', 'D')`))
        .addColumn('public_key', 'text')
        .addColumn('synthetic', 'boolean', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('en_enterprise_district')
        .on('en_enterprise')
        .column('district_code')
        .execute();
      await db.schema
        .createTable('en_inspector')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('department', 'text', (c) => c.notNull())
        .addColumn('district_code', 'text', (c) => c.notNull())
        .addColumn('jurisdiction_path', 'text', (c) => c.notNull())
        .addColumn('qualifications', 'jsonb', (c) => c.notNull())
        .addColumn('public_key', 'text')
        .execute();
      await db.schema
        .createIndex('en_inspector_district')
        .on('en_inspector')
        .column('district_code')
        .execute();
      await db.schema
        .createTable('en_draw')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('district_code', 'text', (c) => c.notNull())
        .addColumn('jurisdiction_path', 'text', (c) => c.notNull())
        .addColumn('month', 'text', (c) => c.notNull())
        .addColumn('departments', 'jsonb', (c) => c.notNull())
        .addColumn('commitment', 'text', (c) => c.notNull())
        .addColumn('inputs', 'jsonb', (c) => c.notNull())
        .addColumn('inputs_digest', 'text', (c) => c.notNull())
        .addColumn('seed', 'text')
        .addColumn('result', 'jsonb')
        .addColumn('result_digest', 'text')
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('committed', 'revealed')`))
        .addColumn('committed_by', 'text', (c) => c.notNull())
        .addColumn('committed_at', 'timestamptz', (c) => c.notNull())
        .addColumn('revealed_at', 'timestamptz')
        .execute();
      await db.schema
        .createTable('en_visit')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('enterprise_code', 'text', (c) => c.notNull())
        .addColumn('departments', 'jsonb', (c) => c.notNull())
        .addColumn('lead_department', 'text', (c) => c.notNull())
        .addColumn('items', 'jsonb', (c) => c.notNull())
        .addColumn('inspectors', 'jsonb', (c) => c.notNull())
        .addColumn('start_date', 'text', (c) => c.notNull())
        .addColumn('end_date', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('planned', 'done')`))
        .addColumn('flagged', 'boolean', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('jurisdiction_path', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('done_at', 'timestamptz')
        .execute();
      await db.schema.createIndex('en_visit_enterprise').on('en_visit').column('enterprise_code').execute();
      await db.schema
        .createTable('en_inspection')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('enterprise_code', 'text', (c) => c.notNull())
        .addColumn('department', 'text', (c) => c.notNull())
        .addColumn('start_date', 'text', (c) => c.notNull())
        .addColumn('end_date', 'text', (c) => c.notNull())
        .addColumn('items', 'jsonb', (c) => c.notNull())
        .addColumn('inspectors', 'jsonb', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('draw', 'targeted')`))
        .addColumn('draw_id', 'text')
        .addColumn('visit_id', 'text', (c) => c.notNull().references('en_visit.id'))
        .addColumn('jurisdiction_path', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('en_inspection_visit').on('en_inspection').column('visit_id').execute();
      await db.schema
        .createTable('en_record')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('visit_id', 'text', (c) => c.notNull().unique().references('en_visit.id'))
        .addColumn('enterprise_code', 'text', (c) => c.notNull())
        .addColumn('inspector_id', 'text', (c) => c.notNull())
        .addColumn('body', 'jsonb', (c) => c.notNull())
        .addColumn('digest', 'text', (c) => c.notNull())
        .addColumn('inspector_signature', 'text', (c) => c.notNull())
        .addColumn('inspector_key', 'text', (c) => c.notNull())
        .addColumn('enterprise_signature', 'text')
        .addColumn('enterprise_key', 'text')
        .addColumn('enterprise_otc', 'boolean', (c) => c.notNull())
        .addColumn('credit_before', 'integer', (c) => c.notNull())
        .addColumn('credit_after', 'integer', (c) => c.notNull())
        .addColumn('jurisdiction_path', 'text', (c) => c.notNull())
        .addColumn('countersigned_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('en_code')
        .addColumn('status_index', 'serial', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('inspector', 'enterprise')`))
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('qr', 'text', (c) => c.notNull())
        .addColumn('issued_at', 'timestamptz', (c) => c.notNull())
        .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
        .addColumn('revoked_at', 'timestamptz')
        .addColumn('revoke_reason', 'text')
        .execute();
      await db.schema.createIndex('en_code_subject').on('en_code').columns(['kind', 'subject']).execute();
      await db.schema
        .createTable('en_otc')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('enterprise_code', 'text', (c) => c.notNull())
        .addColumn('code_hash', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
        .addColumn('used_at', 'timestamptz')
        .execute();
    },
  },
  '202612072300_enforcement_credit_repair': {
    async up(db: Kysely<unknown>) {
      // Credit repair (信用修复): the application that lifted a record's penalty, and when.
      await db.schema
        .alterTable('en_record')
        .addColumn('repaired_by', 'text')
        .addColumn('repaired_at', 'timestamptz')
        .execute();
      await db.schema.createIndex('en_record_enterprise').on('en_record').column('enterprise_code').execute();
    },
  },
  '202612072300_enforcement_complaints': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('en_complaint')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('enterprise_code', 'text', (c) => c.notNull().references('en_enterprise.credit_code'))
        .addColumn('jurisdiction_path', 'text', (c) => c.notNull())
        .addColumn('department', 'text')
        .addColumn('received_at', 'timestamptz', (c) => c.notNull())
        .addColumn('received_date', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) =>
          c.notNull().check(sql`source in ('hotline', 'portal', 'open311')`),
        )
        .addColumn('text', 'text', (c) => c.notNull().check(sql`char_length(text) between 1 and 2000`))
        .addColumn('substantiated', 'boolean', (c) => c.notNull())
        .addColumn('visit_ids', 'jsonb', (c) => c.notNull())
        .addColumn('synthetic', 'boolean', (c) => c.notNull())
        .addColumn('recorded_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('en_complaint_date').on('en_complaint').column('received_date').execute();
      await db.schema
        .createIndex('en_complaint_enterprise')
        .on('en_complaint')
        .column('enterprise_code')
        .execute();
    },
  },
};
