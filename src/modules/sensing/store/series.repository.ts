import { sql } from 'kysely';
import { inScope, type Principal } from '../../../platform/access.ts';
import { type Db, forTables } from '../../../platform/db/database.ts';
import type { Rollup, SensingTables } from '../sensing.tables.ts';
import { dayBucket } from './store.repository.ts';

/** One point of a series: raw readings carry value; rollups carry mean/min/max/count. */
export interface SeriesPoint {
  deviceId: string;
  metric: string;
  at: Date;
  value: number;
  min?: number;
  max?: number;
  count?: number;
}

/** Which resolution a series is read at. */
export type Resolution = 'raw' | 'hour' | 'day';

/** Filters of a series query. */
export interface SeriesQuery {
  from: Date;
  to: Date;
  metric?: string;
  rollup: Resolution;
  limit: number;
}

type RollupRow = Omit<Rollup, 'bucket' | 'last_at'> & { bucket: Date; last_at: Date };

/**
 * Daily rollups as queries see them: the stored daily rows for days with no unsettled hourly
 * changes, and the same aggregate computed from the hourly rows for the days still open or
 * changed by late data (see ObservationStore.finalizeDays), so a day is never stale.
 */
export function dailyLive(offsetSeconds: number) {
  const open = sql`coalesce((select min(day) from sensing_rollup_dirty_days), 'infinity'::timestamptz)`;
  return sql<RollupRow>`(
    select device_id, metric, bucket, jurisdiction_path, n, sum, min, max, last_at, last_value
    from sensing_rollups_day where bucket < ${open}
    union all
    select device_id, metric, ${dayBucket(sql`bucket`, offsetSeconds)}, min(jurisdiction_path), sum(n)::int,
      sum(sum), min(min), max(max), max(last_at), (array_agg(last_value order by last_at desc))[1]
    from sensing_rollups_hour where bucket >= ${open}
    group by device_id, metric, 3)`;
}

/** Matches jurisdiction paths containing `code` as one of their segments (the area and below). */
export function areaFilter(code: string) {
  return sql<boolean>`('/' || jurisdiction_path || '/') like ${`%/${code.replace(/[\\%_]/g, (c) => `\\${c}`)}/%`}`;
}

/** Read side of observations: raw and rolled-up series by device or by area, and latest values. */
export class SeriesRepository {
  private readonly offsetSeconds: number;

  constructor(dayOffsetSeconds: number) {
    this.offsetSeconds = dayOffsetSeconds;
  }

  private source(rollup: 'hour' | 'day') {
    return rollup === 'hour'
      ? sql<RollupRow>`sensing_rollups_hour`.as('r')
      : dailyLive(this.offsetSeconds).as('r');
  }

  /** A device's series between from (inclusive) and to (exclusive), oldest first. */
  async byDevice(db: Db, deviceId: string, q: SeriesQuery): Promise<SeriesPoint[]> {
    const t = forTables<SensingTables>(db);
    if (q.rollup === 'raw') {
      let query = t
        .selectFrom('sensing_observations')
        .select(['device_id', 'metric', 'observed_at', 'value'])
        .where('device_id', '=', deviceId)
        .where('observed_at', '>=', q.from)
        .where('observed_at', '<', q.to);
      if (q.metric) query = query.where('metric', '=', q.metric);
      const rows = await query.orderBy('observed_at').orderBy('metric').limit(q.limit).execute();
      return rows.map((r) => ({
        deviceId: r.device_id,
        metric: r.metric,
        at: r.observed_at,
        value: r.value,
      }));
    }
    let query = t
      .selectFrom(this.source(q.rollup))
      .selectAll()
      .where('device_id', '=', deviceId)
      .where('bucket', '>=', q.from)
      .where('bucket', '<', q.to);
    if (q.metric) query = query.where('metric', '=', q.metric);
    const rows = await query.orderBy('bucket').orderBy('metric').limit(q.limit).execute();
    return rows.map((r) => ({
      deviceId: r.device_id,
      metric: r.metric,
      at: r.bucket,
      value: r.sum / r.n,
      min: r.min,
      max: r.max,
      count: r.n,
    }));
  }

  /** One metric over every visible device of an area (jurisdiction code), per hour or day bucket. */
  async byArea(
    db: Db,
    principal: Principal,
    area: string,
    q: SeriesQuery & { metric: string; rollup: 'hour' | 'day' },
  ): Promise<{ at: Date; value: number; min: number; max: number; count: number; devices: number }[]> {
    const t = forTables<SensingTables>(db);
    const devices = t
      .selectFrom('sensing_devices')
      .select('id')
      .where(inScope(principal, 'jurisdiction_path'))
      .where(areaFilter(area));
    const rows = await t
      .selectFrom(this.source(q.rollup))
      .select((eb) => [
        'bucket',
        sql<number>`sum(sum) / sum(n)`.as('value'),
        eb.fn.min('min').as('min'),
        eb.fn.max('max').as('max'),
        sql<number>`sum(n)::float8`.as('count'),
        sql<number>`count(*)::float8`.as('devices'),
      ])
      .where('device_id', 'in', devices)
      .where('metric', '=', q.metric)
      .where('bucket', '>=', q.from)
      .where('bucket', '<', q.to)
      .groupBy('bucket')
      .orderBy('bucket')
      .limit(q.limit)
      .execute();
    return rows.map((r) => ({ ...r, at: r.bucket }));
  }

  /**
   * Latest value of each metric of the given devices, from the hourly rollups whose bucket is at
   * or after `since`; only `metrics` when given.
   */
  async latest(
    db: Db,
    deviceIds: string[],
    since: Date,
    metrics?: readonly string[],
  ): Promise<{ deviceId: string; metric: string; at: Date; value: number }[]> {
    if (deviceIds.length === 0) return [];
    const only = metrics ? sql`and metric = any(${[...metrics]}::text[])` : sql``;
    const rows = await sql<{ device_id: string; metric: string; last_at: Date; last_value: number }>`
      select distinct on (device_id, metric) device_id, metric, last_at, last_value
      from sensing_rollups_hour
      where device_id = any(${deviceIds}::text[]) ${only} and bucket >= ${since}
      order by device_id, metric, bucket desc`.execute(db);
    return rows.rows.map((r) => ({
      deviceId: r.device_id,
      metric: r.metric,
      at: r.last_at,
      value: r.last_value,
    }));
  }

  /** The devices of one type in the principal's scope (an area and below when given), by id. */
  async devicesOfType(db: Db, principal: Principal, type: string, area?: string): Promise<TypedDevice[]> {
    let q = forTables<SensingTables>(db)
      .selectFrom('sensing_devices')
      .select(['id', 'name', 'lon', 'lat', 'section_name', 'target_class', 'water_body', 'jurisdiction_code'])
      .where('type', '=', type)
      .where(inScope(principal, 'jurisdiction_path'));
    if (area) q = q.where(areaFilter(area));
    const rows = await q.orderBy('id').execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      lon: r.lon,
      lat: r.lat,
      sectionName: r.section_name,
      targetClass: r.target_class,
      waterBody: r.water_body,
      jurisdictionCode: r.jurisdiction_code,
    }));
  }

  /** Each device's daily sum and count of `metrics` on its latest local day with data at or after `since`. */
  async latestDay(db: Db, deviceIds: string[], metrics: readonly string[], since: Date): Promise<DaySum[]> {
    if (deviceIds.length === 0) return [];
    const rows = await sql<{ device_id: string; metric: string; bucket: Date; sum: number; n: number }>`
      select device_id, metric, bucket, sum, n from (
        select device_id, metric, bucket, sum, n, max(bucket) over (partition by device_id) as latest
        from ${dailyLive(this.offsetSeconds)} r
        where device_id = any(${deviceIds}::text[])
          and metric = any(${[...metrics]}::text[]) and bucket >= ${since}
      ) x where bucket = latest`.execute(db);
    return rows.rows.map((r) => ({
      deviceId: r.device_id,
      metric: r.metric,
      bucket: r.bucket,
      sum: r.sum,
      n: r.n,
    }));
  }
}

/** A device as the map layers read it: position and its monitoring-section attributes. */
export interface TypedDevice {
  id: string;
  name: string;
  lon: number;
  lat: number;
  sectionName: string | null;
  targetClass: string | null;
  waterBody: string | null;
  jurisdictionCode: string;
}

/** One metric's daily sum and reading count of a device (`bucket`: the local day's start). */
export interface DaySum {
  deviceId: string;
  metric: string;
  bucket: Date;
  sum: number;
  n: number;
}
