import { sql } from 'kysely';
import { DailyPartitions } from '../../../platform/db/daily-partitions.ts';
import type { Db } from '../../../platform/db/database.ts';

const DAY_MS = 86_400_000;

/** Columns of a batch of readings to store, one array per column (sent as unnest() parameters). */
export interface ReadingColumns {
  deviceIds: string[];
  metrics: string[];
  /** Observation times in ms since the epoch (numbers serialise and parse faster than ISO strings). */
  times: number[];
  values: number[];
  paths: string[];
}

/** A reading that was new (not a redelivery), as the rules engine consumes it. */
export interface StoredReading {
  device_id: string;
  metric: string;
  t: number;
  value: number;
  stored: number | null;
}

/** Partition names only (no state): see the instance's `partitions` for creating them. */
const NAMES = new DailyPartitions('sensing_observations');

/** Name of the partition holding the UTC day that starts at `dayStart` (ms). */
export function partitionName(dayStart: number): string {
  return NAMES.name(dayStart);
}

/**
 * Observation storage: daily range partitions created ahead on demand; each batch is one
 * statement — insert … select from unnest(arrays) on conflict do nothing — that stamps the
 * rows with a batch id and journals the batch. The timer folds journalled batches into the
 * hourly rollups (`compact`: running sums) and turns closed days into daily rollups
 * (`finalizeDays`). A redelivered reading conflicts, is not returned and so is neither stored,
 * rolled up nor evaluated twice; a crash loses no rollup (the journal commits with the rows).
 */
export class ObservationStore {
  /** Per instance: a fresh database (tests) starts with none of its partitions known. */
  private readonly partitions = new DailyPartitions('sensing_observations');

  /** Creates the daily partitions for these UTC days (ms at 00:00Z) that do not exist yet. */
  ensurePartitions(db: Db, dayStarts: Iterable<number>): Promise<void> {
    return this.partitions.ensure(db, dayStarts);
  }

  /**
   * Inserts a batch idempotently, stamped with a new batch id that is journalled in the same
   * statement; returns how many rows were new and those of them whose metric is in `wanted`
   * (what the rules read).
   */
  async insert(
    db: Db,
    c: ReadingColumns,
    wanted: string[],
  ): Promise<{ stored: number; rows: StoredReading[] }> {
    if (c.deviceIds.length === 0) return { stored: 0, rows: [] };
    const result = await sql<StoredReading>`
      with b as (
        insert into sensing_batches (id) values (nextval('sensing_batch_seq')) returning id
      ), ins as (
        insert into sensing_observations (device_id, metric, observed_at, value, jurisdiction_path, batch)
        select device_id, metric, to_timestamp(ms / 1000), value, jurisdiction_path, (select id from b)
        from unnest(${c.deviceIds}::text[], ${c.metrics}::text[], ${c.times}::float8[],
          ${c.values}::float8[], ${c.paths}::text[]) as t(device_id, metric, ms, value, jurisdiction_path)
        on conflict do nothing
        returning device_id, metric, observed_at, value
      )
      select device_id, metric, (extract(epoch from observed_at) * 1000)::float8 as t, value, null::int as stored
      from ins where metric = any(${wanted}::text[])
      union all
      select null, null, null, null, count(*)::int from ins`.execute(db);
    // The one row without a device carries the count of new rows.
    const rows = result.rows.filter((r) => r.device_id !== null);
    const stored = Number(result.rows.find((r) => r.device_id === null)?.stored ?? 0);
    return { stored, rows };
  }

  /**
   * Folds the rows of every committed, journalled batch into the hourly rollups (running sums)
   * and notes their days as dirty, deleting the journal rows in the same statement: each row is
   * rolled up exactly once, whichever process compacts.
   */
  async compact(db: Db, dayOffsetSeconds: number): Promise<number> {
    const r = await sql<{ keys: number }>`
      with done as (
        delete from sensing_batches returning id
      ), agg as (
        select device_id, metric, to_timestamp(floor(extract(epoch from observed_at) / 3600) * 3600) as bucket,
          min(jurisdiction_path) as jurisdiction_path, count(*)::int as n, sum(value) as sum,
          min(value) as min, max(value) as max, max(observed_at) as last_at,
          (array_agg(value order by observed_at desc))[1] as last_value
        from sensing_observations
        where batch between (select min(id) from done) and (select max(id) from done)
          and batch in (select id from done)
        group by 1, 2, 3
      ), up as (
        insert into sensing_rollups_hour as r (device_id, metric, bucket, jurisdiction_path, n, sum, min, max, last_at, last_value)
        select * from agg
        on conflict (device_id, metric, bucket) do update set
          n = r.n + excluded.n, sum = r.sum + excluded.sum,
          min = least(r.min, excluded.min), max = greatest(r.max, excluded.max),
          last_value = case when excluded.last_at >= r.last_at then excluded.last_value else r.last_value end,
          last_at = greatest(r.last_at, excluded.last_at)
      ), dirty as (
        insert into sensing_rollup_dirty_days (day)
        select distinct ${dayBucket(sql`bucket`, dayOffsetSeconds)} from agg
        on conflict do nothing
      )
      select count(*)::int as keys from agg`.execute(db);
    return r.rows[0]?.keys ?? 0;
  }

  /**
   * Computes the daily rollups of days whose hourly rollups changed and that are closed (their
   * end is before `closedBefore`), from the hourly rows; idempotent, so any process may run it.
   */
  async finalizeDays(db: Db, closedBefore: Date): Promise<number> {
    const dirty = await sql<{ day: Date }>`
      delete from sensing_rollup_dirty_days where day + interval '1 day' <= ${closedBefore} returning day`.execute(
      db,
    );
    let rows = 0;
    for (const { day } of dirty.rows) {
      const r = await sql`
        insert into sensing_rollups_day as r (device_id, metric, bucket, jurisdiction_path, n, sum, min, max, last_at, last_value)
        select device_id, metric, ${day}::timestamptz, min(jurisdiction_path), sum(n), sum(sum), min(min), max(max),
          max(last_at), (array_agg(last_value order by last_at desc))[1]
        from sensing_rollups_hour
        where bucket >= ${day}::timestamptz and bucket < ${day}::timestamptz + interval '1 day'
        group by device_id, metric
        on conflict (device_id, metric, bucket) do update set n = excluded.n, sum = excluded.sum, min = excluded.min,
          max = excluded.max, last_at = excluded.last_at, last_value = excluded.last_value,
          jurisdiction_path = excluded.jurisdiction_path`.execute(db);
      rows += Number(r.numAffectedRows ?? 0);
    }
    return rows;
  }

  /** Drops raw partitions whose whole day is older than `before`; returns the dropped names. */
  async dropPartitionsBefore(db: Db, before: Date): Promise<string[]> {
    const parts = await sql<{ name: string }>`
      select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where i.inhparent = 'sensing_observations'::regclass order by c.relname`.execute(db);
    const dropped: string[] = [];
    for (const { name } of parts.rows) {
      const m = /_p(\d{4})(\d{2})(\d{2})$/.exec(name);
      if (!m) continue;
      const start = Date.parse(`${m[1]}-${m[2]}-${m[3]}T00:00:00Z`);
      if (start + DAY_MS > before.getTime()) continue;
      await sql`drop table if exists ${sql.raw(name)}`.execute(db);
      this.partitions.forget(start);
      dropped.push(name);
    }
    return dropped;
  }

  /** Deletes hourly rollups older than `before` (daily rollups are kept). */
  async pruneHourly(db: Db, before: Date): Promise<number> {
    const r = await sql`delete from sensing_rollups_hour where bucket < ${before}`.execute(db);
    return Number(r.numAffectedRows ?? 0);
  }
}

/** SQL for the start of the local day (offset in seconds east of UTC) holding a timestamptz expression. */
export function dayBucket(expr: ReturnType<typeof sql>, offsetSeconds: number) {
  return sql`to_timestamp(floor((extract(epoch from ${expr}) + ${sql.lit(offsetSeconds)}) / 86400) * 86400 - ${sql.lit(offsetSeconds)})`;
}

/** UTC day starts (ms) covered by these times (ms). */
export function daysOf(times: number[]): Set<number> {
  const days = new Set<number>();
  for (const t of times) days.add(Math.floor(t / DAY_MS) * DAY_MS);
  return days;
}
