import { type Kysely, sql } from 'kysely';
import type { Migrations } from '../../platform/db/migrate.ts';

/** Road links, detector mapping, 5-minute link sums and congestion alerts. */
export const trafficMigrations: Migrations = {
  '202612070920_traffic_init': {
    async up(db: Kysely<unknown>) {
      const ts = 'timestamptz' as const;
      await db.schema
        .createTable('tr_link')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('road_class', 'text', (c) => c.notNull())
        .addColumn('coordinates', 'jsonb', (c) => c.notNull())
        .addColumn('length_m', 'double precision', (c) => c.notNull())
        .addColumn('free_flow_kmh', 'double precision', (c) => c.notNull())
        .addColumn('approximate', 'boolean', (c) => c.notNull())
        .addColumn('mid_lon', 'double precision', (c) => c.notNull())
        .addColumn('mid_lat', 'double precision', (c) => c.notNull())
        .addColumn('jurisdiction_path', 'text', (c) => c.notNull())
        .addColumn('district_code', 'text', (c) => c.notNull())
        .addColumn('imported_at', ts, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('tr_link_path').on('tr_link').column('jurisdiction_path').execute();
      await db.schema
        .createTable('tr_detector')
        .addColumn('device_id', 'text', (c) => c.primaryKey())
        .addColumn('link_id', 'text', (c) => c.notNull().references('tr_link.id').onDelete('cascade'))
        .addColumn('distance_m', 'double precision', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('tr_link_slot')
        .addColumn('link_id', 'text', (c) => c.notNull())
        .addColumn('slot_start', ts, (c) => c.notNull())
        .addColumn('speed_sum', 'double precision', (c) => c.notNull())
        .addColumn('speed_n', 'integer', (c) => c.notNull())
        .addColumn('flow_sum', 'double precision', (c) => c.notNull())
        .addColumn('flow_n', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('tr_link_slot_pk', ['link_id', 'slot_start'])
        .execute();
      await db.schema.createIndex('tr_link_slot_time').on('tr_link_slot').column('slot_start').execute();
      await db.schema
        .createTable('tr_alert')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('link_id', 'text', (c) => c.notNull())
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('started_at', ts, (c) => c.notNull())
        .addColumn('raised_at', ts, (c) => c.notNull())
        .addColumn('peak_tti', 'double precision', (c) => c.notNull())
        .addColumn('cleared_at', ts)
        .addColumn('jurisdiction_path', 'text', (c) => c.notNull())
        .addColumn('created_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      // One alert per congested run of a link; one open alert per link.
      await db.schema
        .createIndex('tr_alert_run')
        .on('tr_alert')
        .columns(['link_id', 'started_at'])
        .unique()
        .execute();
      await sql`create unique index tr_alert_open on tr_alert (link_id) where cleared_at is null`.execute(db);
    },
  },
};
