import type { Principal } from '../../../platform/access.ts';
import type { Db } from '../../../platform/db/database.ts';
import { AppError } from '../../../platform/errors.ts';
import type { DeviceRegistry } from '../devices/devices.service.ts';
import { type DeviceType, decodeValue } from '../sensing.catalogue.ts';
import {
  type DaySum,
  type SeriesPoint,
  type SeriesQuery,
  SeriesRepository,
  type TypedDevice,
} from './series.repository.ts';

const MAX_SPAN_MS = { raw: 31 * 86_400_000, hour: 400 * 86_400_000, day: 20 * 365 * 86_400_000 };

/** Read side: series by device or area, and latest values, always through the principal's scope. */
export class SensingQueries {
  private readonly db: Db;
  private readonly registry: DeviceRegistry;
  private readonly repo: SeriesRepository;

  constructor(db: Db, registry: DeviceRegistry, dayOffsetMinutes: number) {
    this.db = db;
    this.registry = registry;
    this.repo = new SeriesRepository(dayOffsetMinutes * 60);
  }

  /** A visible device's raw or rolled-up series. */
  async deviceSeries(principal: Principal, deviceId: string, q: SeriesQuery): Promise<SeriesPoint[]> {
    checkSpan(q);
    await this.registry.get(principal, deviceId);
    return this.repo.byDevice(this.db, deviceId, q);
  }

  /** One metric aggregated over the visible devices of an area (jurisdiction code). */
  areaSeries(
    principal: Principal,
    area: string,
    q: SeriesQuery & { metric: string; rollup: 'hour' | 'day' },
  ) {
    checkSpan(q);
    return this.repo.byArea(this.db, principal, area, q);
  }

  /** Latest value of each metric of visible devices (by ids, or an area), decoded to the attribute's own type. */
  async latest(
    principal: Principal,
    filter: { deviceIds?: string[]; area?: string; limit?: number },
    now: Date,
  ): Promise<{ deviceId: string; metric: string; at: Date; value: number | boolean | string }[]> {
    const devices = filter.deviceIds
      ? await Promise.all(filter.deviceIds.map((id) => this.registry.get(principal, id)))
      : await this.registry.list(principal, { area: filter.area, limit: filter.limit ?? 1000 });
    const types = new Map(devices.map((d) => [d.id, d.type]));
    const since = new Date(now.getTime() - 7 * 86_400_000);
    const rows = await this.repo.latest(this.db, [...types.keys()], since);
    return rows.map((r) => ({ ...r, value: decodeValue(types.get(r.deviceId)!, r.metric, r.value) }));
  }

  /** The visible devices of one type (an area and below when given), by id, with their section attributes. */
  devicesOfType(principal: Principal, type: DeviceType, area?: string): Promise<TypedDevice[]> {
    return this.repo.devicesOfType(this.db, principal, type, area);
  }

  /**
   * Each device's daily sum and count of `metrics` on its latest local day with data at or after
   * `since` (daily rollups as queries see them: today's running sums included). The ids come from
   * `devicesOfType`, which checked the scope.
   */
  latestDailySums(deviceIds: string[], metrics: readonly string[], since: Date): Promise<DaySum[]> {
    return this.repo.latestDay(this.db, deviceIds, metrics, since);
  }

  /**
   * The latest raw value of each of `metrics` per device, from the hourly rollups whose bucket is
   * at or after `fromBucket` (each bucket keeps its last value and when it came). The ids come
   * from `devicesOfType`, which checked the scope.
   */
  latestValues(
    deviceIds: string[],
    metrics: readonly string[],
    fromBucket: Date,
  ): Promise<{ deviceId: string; metric: string; at: Date; value: number }[]> {
    return this.repo.latest(this.db, deviceIds, fromBucket, metrics);
  }
}

function checkSpan(q: SeriesQuery): void {
  if (q.to <= q.from) throw new AppError('invalid_request', "'to' must be after 'from'");
  if (q.to.getTime() - q.from.getTime() > MAX_SPAN_MS[q.rollup]) {
    throw new AppError('invalid_request', `span too long for rollup=${q.rollup}`, {
      maxDays: MAX_SPAN_MS[q.rollup] / 86_400_000,
    });
  }
}
