import { randomUUID } from 'node:crypto';
import { type Principal, requireRole } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import type { AuditLog } from '../audit/index.ts';
import type { ObservedReading, ReadingsObserver } from '../sensing/index.ts';
import { type DemoSite, OWNER_OFFERS } from './parking.demo.ts';
import { DEFAULT_PARKING_OPTIONS, type ParkingOptions } from './parking.options.ts';
import { checkWindow, ParkingQueries } from './parking.queries.ts';
import { type BookingRow, ParkingRepository, type SiteRow, type SpotRow } from './parking.repository.ts';
import type { BookInput, BookingDto } from './parking.schema.ts';
import { covers, occurrences } from './parking.windows.ts';

const MIN = 60_000;

/** What the parking service is built from. */
export interface ParkingDeps {
  db: Db;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  /** Where a point lies (jurisdictions' index): its path, or undefined outside the city. */
  locate(lon: number, lat: number): Promise<string | undefined>;
  options?: Partial<ParkingOptions>;
}

/** 渝A12345 → 渝A***45. */
const maskPlate = (p: string) => `${p.slice(0, 2)}${'*'.repeat(Math.max(0, p.length - 4))}${p.slice(-2)}`;
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/**
 * Shared staggered parking: owners' sites (OffStreetParking) share spaces (ParkingSpot) in
 * weekly windows (ParkingGroup); citizens search near a destination and book a space for a
 * window; the spaces' occupancy sensors (sensing's intake, `observer()`) confirm bookings; a
 * sweep releases no-shows and flags overstays; utilisation before and after sharing.
 */
export class ParkingService {
  readonly options: ParkingOptions;
  private readonly deps: ParkingDeps;
  readonly queries: ParkingQueries;
  private readonly repo = new ParkingRepository();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(deps: ParkingDeps) {
    this.deps = deps;
    this.options = { ...DEFAULT_PARKING_OPTIONS, ...deps.options };
    this.queries = new ParkingQueries(deps.db, this.repo, this.options, () => deps.clock.now());
  }

  /** Sweeps for no-shows and overstays every `everyMs` (0: no timer; tests call `sweep`). */
  start(everyMs = 30_000): void {
    if (everyMs <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.sweep()
        .catch((err) => this.deps.logger.warn({ err }, 'parking sweep failed'))
        .finally(() => {
          this.running = undefined;
        });
    }, everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** How many shared spaces there are. */
  spaceCount(): Promise<number> {
    return this.repo.countSpots(this.deps.db);
  }

  /**
   * Adds sites with their spaces, one group per site under its owner kind's windows, in one
   * transaction (bulk inserts). A site outside the city imports nothing and is named.
   */
  async addSites(
    principal: Principal,
    input: DemoSite[],
    synthetic: boolean,
  ): Promise<{ sites: number; spaces: number }> {
    requireRole(principal, 'admin');
    const sites: SiteRow[] = [];
    for (const s of input) {
      const path = await this.deps.locate(s.lon, s.lat);
      if (!path)
        throw new AppError('outside_city', `site ${s.id} (${s.name}) lies outside the city`, { id: s.id });
      sites.push({
        id: s.id,
        name: s.name,
        owner_kind: s.ownerKind,
        lon: s.lon,
        lat: s.lat,
        jurisdiction_path: path,
        district_code: s.districtCode,
        synthetic,
      });
    }
    const groups = input.map((s) => ({
      id: `${s.id}-shared`,
      site_id: s.id,
      name: `${s.name} 错峰共享`,
      windows: OWNER_OFFERS[s.ownerKind].windows,
      owner_use: OWNER_OFFERS[s.ownerKind].ownerUse,
    }));
    const spots: SpotRow[] = input.flatMap((s) =>
      s.spaces.map((sp) => ({
        id: sp.id,
        site_id: s.id,
        group_id: `${s.id}-shared`,
        category: 'offStreet',
        status: 'unknown',
        status_at: null,
        sensor_id: sp.sensor,
      })),
    );
    await this.deps.db.transaction().execute(async (trx) => {
      await this.repo.insert(trx, sites, groups, spots);
      await this.deps.audit.append(trx, {
        actor: { kind: principal.kind, id: principal.id },
        action: 'parking.sites.added',
        subjectType: 'parking',
        subjectId: 'sites',
        details: { sites: sites.length, spaces: spots.length, synthetic },
      });
    });
    return { sites: sites.length, spaces: spots.length };
  }

  /**
   * Books a space for a window: refused with `outside_window` (422) when the space is not offered
   * for the whole window, `taken` (409) when a booking of it overlaps, `not_found` for no such space.
   */
  async book(input: BookInput): Promise<BookingDto> {
    const { from, to } = checkWindow(input.from, input.to, this.options.maxBookingHours);
    const now = this.deps.clock.now();
    if (to.getTime() <= now.getTime())
      throw new AppError('invalid_request', 'the window is over', { to: input.to });
    return this.deps.db.transaction().execute(async (trx) => {
      const spot = await this.repo.lockSpot(trx, input.spotId);
      if (!spot)
        throw new AppError('not_found', `parking spot '${input.spotId}' not found`, { spotId: input.spotId });
      const [group] = (await this.repo.groups(trx, [spot.site_id])).filter((g) => g.id === spot.group_id);
      const offset = this.options.dayOffsetMinutes;
      if (
        !group ||
        spot.status === 'closed' ||
        !covers(group.windows, from.getTime(), to.getTime(), offset)
      ) {
        const offered = group
          ? occurrences(group.windows, from.getTime(), to.getTime(), offset).map(([s, e]) => ({
              from: new Date(s).toISOString(),
              to: new Date(e).toISOString(),
            }))
          : [];
        throw new AppError('outside_window', `spot '${spot.id}' is not offered for the whole window`, {
          spotId: spot.id,
          offered,
        });
      }
      const clash = await this.repo.holdingOverlapping(trx, [spot.id], from, to);
      if (clash.length > 0)
        throw new AppError('taken', `spot '${spot.id}' is already booked for an overlapping time`, {
          spotId: spot.id,
        });
      const row: BookingRow = {
        id: randomUUID(),
        spot_id: spot.id,
        plate: input.plate,
        starts_at: from,
        ends_at: to,
        status: 'booked',
        overstay: false,
        occupied_at: null,
        released_at: null,
        created_at: now,
      };
      await this.repo.insertBooking(trx, row);
      await this.audit(trx, 'parking.booking.created', row, { from: input.from, to: input.to });
      return this.toDto(row, spot.site_id);
    });
  }

  /** A booking by id. */
  async booking(id: string): Promise<BookingDto> {
    const b = await this.repo.booking(this.deps.db, id);
    if (!b) throw new AppError('not_found', `booking '${id}' not found`, { id });
    return this.toDto(b, b.site_id);
  }

  /** Cancels a booking not yet occupied (the plate it was made for proves the caller). */
  async cancel(id: string, plate: string): Promise<BookingDto> {
    return this.deps.db.transaction().execute(async (trx) => {
      const b = await this.repo.booking(trx, id, true);
      if (!b || b.plate !== plate) throw new AppError('not_found', `booking '${id}' not found`, { id });
      if (b.status !== 'booked')
        throw new AppError('invalid_transition', `a ${b.status} booking cannot be cancelled`, {
          status: b.status,
        });
      const now = this.deps.clock.now();
      await this.repo.setBooking(trx, id, { status: 'cancelled', released_at: now });
      await this.audit(trx, 'parking.booking.cancelled', b);
      return this.toDto({ ...b, status: 'cancelled', released_at: now }, b.site_id);
    });
  }

  /**
   * The timers: a booked space nobody occupied within the grace after its start is released
   * (`no_show`); an occupied one still occupied past its end plus grace is flagged (`overstay`).
   * Rows are taken FOR UPDATE SKIP LOCKED, so several schedulers may sweep.
   */
  async sweep(batch = 200): Promise<{ noShows: number; overstays: number }> {
    const now = this.deps.clock.now();
    const counts = { noShows: 0, overstays: 0 };
    for (;;) {
      const n = await this.deps.db.transaction().execute(async (trx) => {
        const due = await this.repo.dueNoShows(
          trx,
          new Date(now.getTime() - this.options.noShowGraceMinutes * MIN),
          batch,
        );
        for (const b of due) {
          await this.repo.setBooking(trx, b.id, { status: 'no_show', released_at: now });
          await this.audit(trx, 'parking.booking.no_show', b);
        }
        const over = await this.repo.dueOverstays(
          trx,
          new Date(now.getTime() - this.options.overstayGraceMinutes * MIN),
          batch,
        );
        for (const b of over) {
          await this.repo.setBooking(trx, b.id, { overstay: true });
          await this.audit(trx, 'parking.booking.overstay', b);
        }
        counts.noShows += due.length;
        counts.overstays += over.length;
        return Math.max(due.length, over.length);
      });
      if (n < batch) return counts;
    }
  }

  /**
   * Sensing's intake hook for ParkingSpot sensors: a space fitted with the sensor takes its status;
   * `occupied` during a booking (from its start less the grace, to its end) confirms it
   * (booked → occupied); `free` after that completes it.
   */
  observer(): ReadingsObserver {
    return {
      types: new Set(['ParkingSpot']),
      metrics: ['status'],
      stored: (trx, readings) => this.sensed(trx, readings),
    };
  }

  private async sensed(trx: Db, readings: ObservedReading[]): Promise<void> {
    const sorted = readings.filter((r) => r.metric === 'status').sort((a, b) => a.t - b.t);
    const spots = await this.repo.spotsBySensor(trx, [...new Set(sorted.map((r) => r.deviceId))]);
    if (spots.length === 0) return;
    const bySensor = new Map(spots.map((s) => [s.sensor_id!, s]));
    const holding = await this.repo.holdingOf(
      trx,
      spots.map((s) => s.id),
    );
    const last = new Map<string, ObservedReading>();
    const grace = this.options.noShowGraceMinutes * MIN;
    for (const r of sorted) {
      const spot = bySensor.get(r.deviceId);
      if (!spot) continue;
      last.set(spot.id, r);
      // The catalogue's enumeration: free = 0, occupied = 1.
      const occupied = r.value === 1;
      for (const b of holding.filter((h) => h.spot_id === spot.id)) {
        const at = new Date(r.t);
        if (
          occupied &&
          b.status === 'booked' &&
          r.t >= b.starts_at.getTime() - grace &&
          r.t < b.ends_at.getTime()
        ) {
          b.status = 'occupied';
          await this.repo.setBooking(trx, b.id, { status: 'occupied', occupied_at: at });
          await this.audit(trx, 'parking.booking.occupied', b, { sensor: r.deviceId });
        } else if (!occupied && b.status === 'occupied') {
          b.status = 'completed';
          await this.repo.setBooking(trx, b.id, { status: 'completed', released_at: at });
        }
      }
    }
    const labels = ['free', 'occupied', 'closed', 'unknown'];
    for (const [spotId, r] of last)
      await this.repo.setSpotStatus(trx, spotId, labels[r.value] ?? 'unknown', new Date(r.t));
  }

  private async audit(trx: Db, action: string, b: BookingRow, details: Record<string, unknown> = {}) {
    // Citizens book without an account; the timers and sensors act as the platform.
    const citizen = action === 'parking.booking.created' || action === 'parking.booking.cancelled';
    await this.deps.audit.append(trx, {
      actor: citizen ? { kind: 'anonymous', id: 'citizen' } : { kind: 'system', id: 'parking' },
      action,
      subjectType: 'parking_booking',
      subjectId: b.id,
      details: { spotId: b.spot_id, ...details },
    });
  }

  private toDto(b: BookingRow, siteId: string): BookingDto {
    return {
      id: b.id,
      refParkingSpot: b.spot_id,
      refParkingSite: siteId,
      plate: maskPlate(b.plate),
      from: new Date(b.starts_at).toISOString(),
      to: new Date(b.ends_at).toISOString(),
      status: b.status as BookingDto['status'],
      overstay: b.overstay,
      occupiedAt: iso(b.occupied_at),
      releasedAt: iso(b.released_at),
    };
  }
}
