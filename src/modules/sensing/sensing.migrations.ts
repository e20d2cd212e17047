import { type Kysely, sql } from 'kysely';
import type { Migrations } from '../../platform/db/migrate.ts';

// Hourly rows are updated in place on every batch: free space on each page keeps those updates HOT.
const rollup = (name: string, fillfactor: number) => sql`
  create table ${sql.raw(name)} (
    device_id text not null,
    metric text not null,
    bucket timestamptz not null,
    jurisdiction_path text not null,
    n integer not null,
    sum double precision not null,
    min double precision not null,
    max double precision not null,
    last_at timestamptz not null,
    last_value double precision not null,
    primary key (device_id, metric, bucket)
  ) with (fillfactor = ${sql.raw(String(fillfactor))})`;

/**
 * Devices, observations (declaratively range-partitioned by day: PGlite 0.4 is PostgreSQL 17
 * and supports it like the server), hourly/daily rollups, dead letters, rule state and alerts.
 */
export const sensingMigrations: Migrations = {
  '202611250900_sensing_init': {
    async up(db: Kysely<unknown>) {
      await sql`
        create table sensing_devices (
          id text primary key,
          type text not null,
          model text not null,
          name text not null,
          lon double precision not null,
          lat double precision not null,
          jurisdiction_path text not null,
          jurisdiction_code text not null,
          department_code text,
          metrics jsonb not null,
          section_name text,
          target_class text,
          water_body text,
          secret_hash text not null,
          status text not null,
          last_seen_at timestamptz,
          created_at timestamptz not null,
          updated_at timestamptz not null
        )`.execute(db);
      await sql`create index sensing_devices_path on sensing_devices (jurisdiction_path text_pattern_ops)`.execute(
        db,
      );
      // The primary key serves per-device ranges; area queries go through devices.
      await sql`
        create table sensing_observations (
          device_id text not null,
          metric text not null,
          observed_at timestamptz not null,
          value double precision not null,
          jurisdiction_path text not null,
          batch bigint not null,
          primary key (device_id, metric, observed_at)
        ) partition by range (observed_at)`.execute(db);
      // Batch ids grow with insertion order: a BRIN index finds the newest batches' rows for almost no upkeep.
      await sql`create index sensing_observations_batch on sensing_observations using brin (batch)`.execute(
        db,
      );
      await rollup('sensing_rollups_hour', 70).execute(db);
      await rollup('sensing_rollups_day', 100).execute(db);
      // Finalising a day and latest-value queries read hourly rows by time, across devices.
      await sql`create index sensing_rollups_hour_bucket on sensing_rollups_hour (bucket)`.execute(db);
      // Every ingest transaction takes a batch id, stamps its rows with it and journals it here;
      // the timer folds the rows of journalled batches into the hourly rollups and deletes the
      // journal rows in the same statement, so each stored row is rolled up exactly once.
      await sql`create sequence sensing_batch_seq`.execute(db);
      await sql`create table sensing_batches (id bigint primary key)`.execute(db);
      // Days whose hourly rollups changed since their daily rollup was last computed.
      await sql`create table sensing_rollup_dirty_days (day timestamptz primary key)`.execute(db);
      await sql`
        create table sensing_dead_letters (
          id bigint generated always as identity primary key,
          received_at timestamptz not null,
          device_id text,
          reason text not null,
          detail text not null,
          payload text not null,
          jurisdiction_path text not null
        )`.execute(db);
      await sql`create index sensing_dead_letters_received on sensing_dead_letters (received_at)`.execute(db);
      // Rewritten on every batch that moves a window: JSON kept as text (never queried inside, cheaper
      // to write than jsonb), and pages half empty so the updates stay HOT.
      await sql`
        create table sensing_rule_state (
          rule_id text not null,
          subject text not null,
          version integer not null,
          active boolean not null,
          state text not null,
          updated_at timestamptz not null,
          primary key (rule_id, subject)
        ) with (fillfactor = 50)`.execute(db);
      await sql`
        create table sensing_alerts (
          id text primary key,
          rule_id text not null,
          rule_version integer not null,
          subject text not null,
          status text not null check (status in ('open', 'acknowledged', 'cleared')),
          category text not null,
          sub_category text,
          severity text not null,
          alert_source text not null,
          lon double precision not null,
          lat double precision not null,
          description text not null,
          date_issued timestamptz not null,
          valid_from timestamptz not null,
          valid_to timestamptz,
          jurisdiction_path text not null,
          details jsonb not null,
          acknowledged_at timestamptz,
          acknowledged_by text,
          cleared_at timestamptz,
          cleared_by text,
          clear_reason text
        )`.execute(db);
      // One alert per (rule, subject) until it clears: the database enforces the de-duplication.
      await sql`
        create unique index sensing_alerts_one_open on sensing_alerts (rule_id, subject)
        where status <> 'cleared'`.execute(db);
      await sql`create index sensing_alerts_issued on sensing_alerts (date_issued)`.execute(db);
    },
  },
  // Rules processes (`serve --role rules`): who is a member, and per partition of the rule
  // subjects the fencing epoch of its owner and the last stream sequence applied.
  '202612050000_sensing_rules_partitions': {
    async up(db: Kysely<unknown>) {
      await sql`
        create table sensing_rules_members (
          slot integer primary key,
          member_id text not null,
          partitions integer not null,
          started_at timestamptz not null,
          heartbeat_at timestamptz not null
        )`.execute(db);
      await sql`create sequence sensing_rules_member_slot`.execute(db);
      await sql`
        create table sensing_rules_progress (
          partition integer primary key,
          last_seq bigint not null,
          epoch bigint not null,
          owner text not null,
          updated_at timestamptz not null
        )`.execute(db);
    },
  },
};
