import { type Kysely, sql } from 'kysely';
import type { Migrations } from '../../platform/db/migrate.ts';

/** Departments, governance centres, field teams and the versioned responsibility list. */
export const organisationMigrations: Migrations = {
  '202611241000_organisation_init': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('org_department')
        .addColumn('code', 'text', (c) => c.primaryKey())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('jurisdiction_code', 'text', (c) => c.notNull())
        .addColumn('jurisdiction_path', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('org_department_path')
        .on('org_department')
        .column('jurisdiction_path')
        .execute();
      await db.schema
        .createIndex('org_department_type')
        .on('org_department')
        .columns(['type', 'level'])
        .execute();
      await db.schema
        .createTable('org_centre')
        .addColumn('code', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('jurisdiction_code', 'text', (c) => c.notNull().unique())
        .addColumn('jurisdiction_path', 'text', (c) => c.notNull())
        .addColumn('lon', 'double precision', (c) => c.notNull())
        .addColumn('lat', 'double precision', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('org_team')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('code', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('department_code', 'text', (c) => c.notNull().references('org_department.code'))
        .addColumn('jurisdiction_code', 'text', (c) => c.notNull())
        .addColumn('jurisdiction_path', 'text', (c) => c.notNull())
        .addColumn('base_lon', 'double precision', (c) => c.notNull())
        .addColumn('base_lat', 'double precision', (c) => c.notNull())
        .addColumn('skills', sql`text[]`, (c) => c.notNull())
        .addColumn('on_duty', 'boolean', (c) => c.notNull())
        .addColumn('capacity', 'integer', (c) => c.notNull().check(sql`capacity >= 0`))
        .addColumn('active_tasks', 'integer', (c) => c.notNull().defaultTo(0).check(sql`active_tasks >= 0`))
        .addColumn('position_lon', 'double precision')
        .addColumn('position_lat', 'double precision')
        .addColumn('position_at', 'timestamptz')
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('org_team_path').on('org_team').column('jurisdiction_path').execute();
      await db.schema.createIndex('org_team_kind').on('org_team').column('kind').execute();
      await sql`create index org_team_skills on org_team using gin (skills)`.execute(db);
      await db.schema
        .createTable('org_responsibility_revision')
        .addColumn('revision', 'integer', (c) => c.primaryKey())
        .addColumn('file_version', 'text', (c) => c.unique())
        .addColumn('effective_from', 'timestamptz', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .addColumn('domains', 'jsonb', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('org_responsibility_item')
        .addColumn('revision', 'integer', (c) =>
          c.notNull().references('org_responsibility_revision.revision'),
        )
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('zh', 'text', (c) => c.notNull())
        .addColumn('en', 'text', (c) => c.notNull())
        .addColumn('domain', 'text', (c) => c.notNull())
        .addColumn('department_type', 'text', (c) => c.notNull())
        .addColumn('co_department_types', sql`text[]`, (c) => c.notNull())
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('skill', 'text', (c) => c.notNull())
        .addColumn('accept_minutes', 'integer', (c) => c.notNull())
        .addColumn('arrive_minutes', 'integer', (c) => c.notNull())
        .addColumn('resolve_minutes', 'integer', (c) => c.notNull())
        .addColumn('city_power', 'boolean', (c) => c.notNull())
        .addPrimaryKeyConstraint('org_responsibility_item_pk', ['revision', 'category'])
        .execute();
      await db.schema
        .createIndex('org_responsibility_item_category')
        .on('org_responsibility_item')
        .columns(['category', 'revision'])
        .execute();
    },
  },
};
