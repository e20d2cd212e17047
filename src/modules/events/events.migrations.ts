import { type Kysely, sql } from 'kysely';
import type { Migrations } from '../../platform/db/migrate.ts';
import { photoMigrations } from './events.photos.ts';

/** Events (one per problem, duplicates merged into the first) and the people or devices that reported them. */
export const eventMigrations: Migrations = {
  '202611250900_events_init': {
    async up(db: Kysely<unknown>) {
      const ts = 'timestamptz' as const;
      await db.schema
        .createTable('ev_event')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('external_ref', 'text')
        .addColumn('service_code', 'text')
        .addColumn('category', 'text')
        .addColumn('confidence', 'double precision')
        .addColumn('classified_by', 'text')
        .addColumn('classify_decision_id', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('priority', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('address', 'text')
        .addColumn('lon', 'double precision', (c) => c.notNull())
        .addColumn('lat', 'double precision', (c) => c.notNull())
        .addColumn('jurisdiction_code', 'text', (c) => c.notNull())
        .addColumn('jurisdiction_path', 'text', (c) => c.notNull())
        .addColumn('chain', 'jsonb', (c) => c.notNull())
        .addColumn('handling_level', 'text')
        .addColumn('agency', 'text')
        .addColumn('media', 'jsonb', (c) => c.notNull())
        .addColumn('merged_into', 'text')
        .addColumn('dedupe_decision_id', 'text')
        .addColumn('triage_reason', 'text')
        .addColumn('status_note', 'text')
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .addColumn('expected_at', ts)
        .addColumn('resolved_at', ts)
        .addColumn('closed_at', ts)
        .addColumn('verified_by', 'text')
        .addColumn('reopened', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('multi_department', 'boolean', (c) => c.notNull().defaultTo(false))
        .execute();
      await sql`create unique index ev_event_external on ev_event (source, external_ref) where external_ref is not null`.execute(
        db,
      );
      await db.schema
        .createIndex('ev_event_dedupe')
        .on('ev_event')
        .columns(['category', 'created_at'])
        .execute();
      await db.schema.createIndex('ev_event_path').on('ev_event').columns(['jurisdiction_path']).execute();
      await db.schema.createIndex('ev_event_status').on('ev_event').columns(['status']).execute();
      await db.schema
        .createTable('ev_reporter')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('filed_event_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', 'text')
        .addColumn('email', 'text')
        .addColumn('phone', 'text')
        .addColumn('account_id', 'text')
        .addColumn('device_id', 'text')
        .addColumn('notify_url', 'text')
        .addColumn('token', 'text', (c) => c.notNull().unique())
        .addColumn('rating', 'integer', (c) => c.check(sql`rating between 1 and 5`))
        .addColumn('rating_comment', 'text')
        .addColumn('rated_at', ts)
        .addColumn('created_at', ts, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('ev_reporter_event').on('ev_reporter').columns(['event_id']).execute();
    },
  },
  ...photoMigrations,
  '202612071310_events_status_note_code': {
    async up(db: Kysely<unknown>) {
      // The public status note as a code and parameters rendered in the reader's language
      // (events.notes.ts); status_note stays the English text. Older rows keep null codes.
      await db.schema
        .alterTable('ev_event')
        .addColumn('status_note_code', 'text')
        .addColumn('status_note_params', 'jsonb')
        .execute();
    },
  },
  '202612071620_events_tracking_no': {
    async up(db: Kysely<unknown>) {
      // Tracking numbers (events.tracking.ts): a day counter, and a number for every event; events
      // written before get theirs in the order they were made on their local (UTC+8) day.
      await db.schema
        .createTable('ev_tracking_day')
        .addColumn('day', 'text', (c) => c.primaryKey())
        .addColumn('last', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.alterTable('ev_event').addColumn('tracking_no', 'text').execute();
      await sql`
        with numbered as (
          select id, to_char(created_at at time zone 'Asia/Shanghai', 'YYYYMMDD') as day,
                 row_number() over (
                   partition by to_char(created_at at time zone 'Asia/Shanghai', 'YYYYMMDD')
                   order by created_at, id) as seq
          from ev_event)
        update ev_event e set tracking_no = 'CQ-' || n.day || '-' || (case when n.seq < 1000000 then lpad(n.seq::text, 6, '0') else n.seq::text end)
        from numbered n where n.id = e.id`.execute(db);
      await sql`
        insert into ev_tracking_day (day, last)
        select to_char(created_at at time zone 'Asia/Shanghai', 'YYYYMMDD'), count(*)
        from ev_event group by 1`.execute(db);
      await sql`alter table ev_event alter column tracking_no set not null`.execute(db);
      await sql`create unique index ev_event_tracking_no on ev_event (tracking_no)`.execute(db);
    },
  },
};
