import { type Kysely, sql } from 'kysely';
import type { Migrations } from '../../../platform/db/migrate.ts';

/** The hash the first exchange record links to. */
export const EXCHANGE_GENESIS_HASH = '0'.repeat(64);

/**
 * The exchange log (one row per data exchange through the gateway), range-partitioned by UTC day
 * (partitions are created on demand by the appender, as sensing does for readings), and its chain
 * head: appenders lock the head row, so appenders in several processes extend one chain.
 * UPDATE and DELETE are refused by a trigger; retention drops whole partitions.
 */
export const exchangeMigrations: Migrations = {
  '202612070640_datahub_exchange_log': {
    async up(db: Kysely<unknown>) {
      await sql`
        create table dh_exchange_log (
          seq bigint not null,
          at timestamptz not null,
          consumer_app text not null,
          consumer_dept text not null,
          owner_dept text not null,
          resource_id text not null,
          purpose text not null,
          decision text not null,
          policy_version text not null,
          entries text[] not null,
          masked_fields text[] not null,
          row_count integer not null,
          prev_hash text not null,
          hash text not null,
          primary key (seq, at)
        ) partition by range (at)`.execute(db);
      // KPIs read by day and department pair; the primary key serves verification (seq order).
      await sql`create index dh_exchange_log_pair on dh_exchange_log (owner_dept, consumer_dept, at)`.execute(
        db,
      );
      await sql`
        create table dh_exchange_head (
          id integer primary key check (id = 1),
          seq bigint not null,
          hash text not null
        )`.execute(db);
      await sql`insert into dh_exchange_head (id, seq, hash) values (1, 0, ${EXCHANGE_GENESIS_HASH})`.execute(
        db,
      );
      await sql`
        create function dh_exchange_log_refuse_change() returns trigger language plpgsql as $$
        begin
          raise exception 'dh_exchange_log is append-only';
        end $$`.execute(db);
      await sql`
        create trigger dh_exchange_log_append_only before update or delete on dh_exchange_log
        for each row execute function dh_exchange_log_refuse_change()`.execute(db);
    },
  },
  '202612071005_datahub_exchange_scope': {
    async up(db: Kysely<unknown>) {
      // The jurisdiction scope of each exchange (gateway.scope.ts); '' for the records before it,
      // whose hashes were computed without it (exchange.hash.ts leaves an empty scope out).
      await sql`alter table dh_exchange_log add column scope text not null default ''`.execute(db);
    },
  },
};
