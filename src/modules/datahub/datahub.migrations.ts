import { type Kysely, sql } from 'kysely';
import type { Migrations } from '../../platform/db/migrate.ts';

/** The catalogue, the negative list's versions and its change proposals. */
export const datahubMigrations: Migrations = {
  '202612070640_datahub_init': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('dh_resource')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('dataset', 'interface')`))
        .addColumn('title_zh', 'text', (c) => c.notNull())
        .addColumn('description_zh', 'text', (c) => c.notNull())
        .addColumn('owner_department', 'text', (c) => c.notNull())
        .addColumn('theme', 'text', (c) => c.notNull())
        .addColumn('source_system', 'text', (c) => c.notNull())
        .addColumn('update_frequency', 'text', (c) => c.notNull())
        .addColumn('legal_basis', 'text', (c) => c.notNull())
        .addColumn('sharing', 'text', (c) =>
          c.notNull().check(sql`sharing in ('unconditional', 'conditional', 'not_shared')`),
        )
        .addColumn('fields', 'jsonb', (c) => c.notNull())
        .addColumn('search_tokens', sql`text[]`, (c) => c.notNull())
        .addColumn('synthetic', 'boolean', (c) => c.notNull())
        .addColumn('registered_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('dh_resource_owner').on('dh_resource').column('owner_department').execute();
      await db.schema.createIndex('dh_resource_theme').on('dh_resource').column('theme').execute();
      await sql`create index dh_resource_tokens on dh_resource using gin (search_tokens)`.execute(db);
      await db.schema
        .createTable('dh_list_version')
        .addColumn('version', 'integer', (c) => c.primaryKey())
        .addColumn('entries', 'jsonb', (c) => c.notNull())
        .addColumn('proposal_id', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('dh_list_proposal')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('seq', 'serial', (c) => c.notNull().unique())
        .addColumn('base_version', 'integer', (c) => c.notNull())
        .addColumn('changes', 'jsonb', (c) => c.notNull())
        .addColumn('note', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) =>
          c.notNull().check(sql`status in ('pending', 'approved', 'rejected', 'superseded')`),
        )
        .addColumn('proposed_by', 'text', (c) => c.notNull())
        .addColumn('proposed_at', 'timestamptz', (c) => c.notNull())
        .addColumn('decided_by', 'text')
        .addColumn('decided_at', 'timestamptz')
        .addColumn('result_version', 'integer')
        .execute();
    },
  },
};
