import { type Selectable, sql } from 'kysely';
import { escapeLike, inScope, type Principal } from '../../platform/access.ts';
import { type Db, forTables } from '../../platform/db/database.ts';
import type { ParkingTables } from './parking.tables.ts';

/** Stored rows. */
export type SiteRow = Selectable<ParkingTables['pk_site']>;
export type GroupRow = Selectable<ParkingTables['pk_group']>;
export type SpotRow = Selectable<ParkingTables['pk_spot']>;
export type BookingRow = Selectable<ParkingTables['pk_booking']>;

/** Bookings that hold their space. */
export const HOLDING = ['booked', 'occupied'] as const;

const t = (db: Db) => forTables<ParkingTables>(db);

/** All of the parking module's SQL. */
export class ParkingRepository {
  /** Inserts sites, groups and spots in bulk (one statement per table: the spots as one JSON parameter). */
  async insert(trx: Db, sites: SiteRow[], groups: GroupRow[], spots: SpotRow[]): Promise<void> {
    if (sites.length) await t(trx).insertInto('pk_site').values(sites).execute();
    if (groups.length)
      await t(trx)
        .insertInto('pk_group')
        .values(groups.map((g) => ({ ...g, windows: JSON.stringify(g.windows) })))
        .execute();
    if (spots.length)
      await sql`insert into pk_spot (id, site_id, group_id, category, status, status_at, sensor_id)
        select id, site_id, group_id, category, status, null, sensor_id
        from jsonb_to_recordset(${JSON.stringify(spots)}::jsonb)
          as x(id text, site_id text, group_id text, category text, status text, sensor_id text)`.execute(
        trx,
      );
  }

  async countSpots(db: Db): Promise<number> {
    const r = await t(db)
      .selectFrom('pk_spot')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /** Sites inside a lon/lat box. */
  async sitesIn(db: Db, box: { w: number; s: number; e: number; n: number }): Promise<SiteRow[]> {
    return t(db)
      .selectFrom('pk_site')
      .selectAll()
      .where('lon', '>=', box.w)
      .where('lon', '<=', box.e)
      .where('lat', '>=', box.s)
      .where('lat', '<=', box.n)
      .execute();
  }

  /** The sites visible to a principal (an area and below when given), by id. */
  async sitesInScope(db: Db, principal: Principal, area?: string): Promise<SiteRow[]> {
    let q = t(db).selectFrom('pk_site').selectAll().where(inScope(principal, 'jurisdiction_path'));
    if (area) {
      const a = escapeLike(area);
      q = q.where((eb) =>
        eb.or([
          eb('jurisdiction_path', '=', area),
          eb('jurisdiction_path', 'like', `${a}/%`),
          eb('jurisdiction_path', 'like', `%/${a}`),
          eb('jurisdiction_path', 'like', `%/${a}/%`),
        ]),
      );
    }
    return q.orderBy('id').execute();
  }

  /** Spaces per group and sensor status (free, occupied, closed, unknown), of every site. */
  async statusPerGroup(db: Db): Promise<{ site_id: string; group_id: string; status: string; n: number }[]> {
    const rows = await t(db)
      .selectFrom('pk_spot')
      .select(['site_id', 'group_id', 'status', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy(['site_id', 'group_id', 'status'])
      .execute();
    return rows.map((r) => ({ ...r, n: Number(r.n) }));
  }

  /** Holding bookings running at `at`, with their space's group and sensor status. */
  async holdingAt(db: Db, at: Date): Promise<{ spot_id: string; group_id: string; status: string }[]> {
    return t(db)
      .selectFrom('pk_booking as b')
      .innerJoin('pk_spot as s', 's.id', 'b.spot_id')
      .select(['b.spot_id', 's.group_id', 's.status'])
      .where('b.status', 'in', [...HOLDING])
      .where('b.starts_at', '<=', at)
      .where('b.ends_at', '>', at)
      .execute();
  }

  async site(db: Db, id: string): Promise<SiteRow | undefined> {
    return t(db).selectFrom('pk_site').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Groups of the given sites (every group when none given). */
  async groups(db: Db, siteIds?: string[]): Promise<GroupRow[]> {
    let q = t(db).selectFrom('pk_group').selectAll();
    if (siteIds) {
      if (siteIds.length === 0) return [];
      q = q.where('site_id', 'in', siteIds);
    }
    return q.execute();
  }

  async spotsOfSites(db: Db, siteIds: string[]): Promise<SpotRow[]> {
    if (siteIds.length === 0) return [];
    return t(db).selectFrom('pk_spot').selectAll().where('site_id', 'in', siteIds).orderBy('id').execute();
  }

  /** Spot counts per group (utilisation). */
  async spotsPerGroup(db: Db, siteIds?: string[]): Promise<{ group_id: string; n: number }[]> {
    let q = t(db)
      .selectFrom('pk_spot')
      .select(['group_id', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('group_id');
    if (siteIds) q = q.where('site_id', 'in', siteIds.length ? siteIds : ['']);
    return (await q.execute()).map((r) => ({ group_id: r.group_id, n: Number(r.n) }));
  }

  /** The spot, locked for the booking transaction (two bookings of one spot run one after the other). */
  async lockSpot(trx: Db, id: string): Promise<SpotRow | undefined> {
    return t(trx).selectFrom('pk_spot').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  /** Holding bookings of the spots that overlap [from, to). */
  async holdingOverlapping(db: Db, spotIds: string[], from: Date, to: Date): Promise<BookingRow[]> {
    if (spotIds.length === 0) return [];
    return t(db)
      .selectFrom('pk_booking')
      .selectAll()
      .where('spot_id', 'in', spotIds)
      .where('status', 'in', [...HOLDING])
      .where('starts_at', '<', to)
      .where('ends_at', '>', from)
      .execute();
  }

  async insertBooking(trx: Db, row: BookingRow): Promise<void> {
    await t(trx).insertInto('pk_booking').values(row).execute();
  }

  /** A booking with its space's site. */
  async booking(db: Db, id: string, lock = false): Promise<(BookingRow & { site_id: string }) | undefined> {
    const q = t(db)
      .selectFrom('pk_booking as b')
      .innerJoin('pk_spot as s', 's.id', 'b.spot_id')
      .selectAll('b')
      .select('s.site_id')
      .where('b.id', '=', id);
    return lock ? q.forUpdate('b').executeTakeFirst() : q.executeTakeFirst();
  }

  /** One spot with its site's position. */
  async spot(db: Db, id: string): Promise<(SpotRow & { lon: number; lat: number }) | undefined> {
    return t(db)
      .selectFrom('pk_spot as s')
      .innerJoin('pk_site as x', 'x.id', 's.site_id')
      .selectAll('s')
      .select(['x.lon', 'x.lat'])
      .where('s.id', '=', id)
      .executeTakeFirst();
  }

  /** Every spot with its site's position. */
  async allSpots(db: Db): Promise<(SpotRow & { lon: number; lat: number })[]> {
    return t(db)
      .selectFrom('pk_spot as s')
      .innerJoin('pk_site as x', 'x.id', 's.site_id')
      .selectAll('s')
      .select(['x.lon', 'x.lat'])
      .orderBy('s.id')
      .execute();
  }

  async setBooking(
    trx: Db,
    id: string,
    set: Partial<Pick<BookingRow, 'status' | 'overstay' | 'occupied_at' | 'released_at'>>,
  ): Promise<void> {
    await t(trx).updateTable('pk_booking').set(set).where('id', '=', id).execute();
  }

  /** Booked (not yet occupied) bookings whose grace after the start ran out, locked for the sweep. */
  async dueNoShows(trx: Db, startedBefore: Date, limit: number): Promise<BookingRow[]> {
    return t(trx)
      .selectFrom('pk_booking')
      .selectAll()
      .where('status', '=', 'booked')
      .where('starts_at', '<', startedBefore)
      .orderBy('starts_at')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
  }

  /** Occupied bookings, not yet flagged, whose end (plus grace) has passed, locked for the sweep. */
  async dueOverstays(trx: Db, endedBefore: Date, limit: number): Promise<BookingRow[]> {
    return t(trx)
      .selectFrom('pk_booking')
      .selectAll()
      .where('status', '=', 'occupied')
      .where('overstay', '=', false)
      .where('ends_at', '<', endedBefore)
      .orderBy('ends_at')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
  }

  /** The spots fitted with these sensors. */
  async spotsBySensor(db: Db, sensorIds: string[]): Promise<SpotRow[]> {
    if (sensorIds.length === 0) return [];
    return t(db).selectFrom('pk_spot').selectAll().where('sensor_id', 'in', sensorIds).execute();
  }

  async setSpotStatus(trx: Db, id: string, status: string, at: Date): Promise<void> {
    await t(trx).updateTable('pk_spot').set({ status, status_at: at }).where('id', '=', id).execute();
  }

  /** Holding bookings of the spots, oldest start first. */
  async holdingOf(db: Db, spotIds: string[]): Promise<BookingRow[]> {
    if (spotIds.length === 0) return [];
    return t(db)
      .selectFrom('pk_booking')
      .selectAll()
      .where('spot_id', 'in', spotIds)
      .where('status', 'in', [...HOLDING])
      .orderBy('starts_at')
      .execute();
  }

  /** Confirmed (occupied or completed) bookings overlapping [from, to), optionally of some sites. */
  async confirmedOverlapping(
    db: Db,
    from: Date,
    to: Date,
    siteIds?: string[],
  ): Promise<{ starts_at: Date; ends_at: Date; occupied_at: Date | null; released_at: Date | null }[]> {
    let q = t(db)
      .selectFrom('pk_booking as b')
      .innerJoin('pk_spot as s', 's.id', 'b.spot_id')
      .select(['b.starts_at', 'b.ends_at', 'b.occupied_at', 'b.released_at'])
      .where('b.status', 'in', ['occupied', 'completed'])
      .where('b.starts_at', '<', to)
      .where('b.ends_at', '>', from);
    if (siteIds) q = q.where('s.site_id', 'in', siteIds.length ? siteIds : ['']);
    return q.execute();
  }
}
