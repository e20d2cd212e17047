import { type Expression, type ExpressionBuilder, type Selectable, type SqlBool, sql } from 'kysely';
import { escapeLike, inScope, type Principal } from '../../platform/access.ts';
import { type Db, forTables } from '../../platform/db/database.ts';
import type { TrafficTables } from './traffic.tables.ts';

/** A stored link. */
export type LinkRow = Selectable<TrafficTables['tr_link']>;
/** A stored link's id, free-flow speed, place and class (no geometry). */
export type LinkHead = Pick<LinkRow, 'id' | 'free_flow_kmh' | 'jurisdiction_path' | 'road_class'>;
/** A link's sums in one slot. */
export interface SlotRow {
  link_id: string;
  slot_start: Date;
  speed_sum: number;
  speed_n: number;
  flow_sum: number;
  flow_n: number;
}
/** A stored congestion alert. */
export interface AlertRow {
  id: string;
  link_id: string;
  level: string;
  started_at: Date;
  raised_at: Date;
  peak_tti: number;
  cleared_at: Date | null;
  jurisdiction_path: string;
}

const t = (db: Db) => forTables<TrafficTables>(db);
const CHUNK = 1000;

/** All of the traffic module's SQL. */
/** Links visible to a principal, of an area and below and of a road class when given. */
function linksOf(principal: Principal, area?: string, roadClass?: string) {
  return (eb: ExpressionBuilder<TrafficTables, 'tr_link'>) => {
    const and: Expression<SqlBool>[] = [inScope(principal, 'jurisdiction_path')(eb)];
    if (area) {
      const a = escapeLike(area);
      and.push(
        eb.or([
          eb('jurisdiction_path', '=', area),
          eb('jurisdiction_path', 'like', `${a}/%`),
          eb('jurisdiction_path', 'like', `%/${a}`),
          eb('jurisdiction_path', 'like', `%/${a}/%`),
        ]),
      );
    }
    if (roadClass) and.push(eb('road_class', '=', roadClass));
    return eb.and(and);
  };
}

export class TrafficRepository {
  /** Replaces the whole network (links, detector mapping); sums and alerts of links that are gone go too. */
  async replaceLinks(trx: Db, links: LinkRow[]): Promise<void> {
    await t(trx).deleteFrom('tr_detector').execute();
    await t(trx).deleteFrom('tr_link').execute();
    for (let i = 0; i < links.length; i += CHUNK) {
      const part = links.slice(i, i + CHUNK).map((l) => ({
        ...l,
        coordinates: JSON.stringify(l.coordinates),
      }));
      await t(trx).insertInto('tr_link').values(part).execute();
    }
    await sql`delete from tr_link_slot s where not exists (select 1 from tr_link l where l.id = s.link_id)`.execute(
      trx,
    );
    await sql`delete from tr_alert a where not exists (select 1 from tr_link l where l.id = a.link_id)`.execute(
      trx,
    );
  }

  /** The links visible to a principal (an area and below when given). */
  async links(db: Db, principal: Principal, area?: string, roadClass?: string): Promise<LinkRow[]> {
    return t(db)
      .selectFrom('tr_link')
      .selectAll()
      .where(linksOf(principal, area, roadClass))
      .orderBy('id')
      .execute();
  }

  /** The same links without their geometry (the live levels layer). */
  async linkHeads(db: Db, principal: Principal, area?: string, roadClass?: string): Promise<LinkHead[]> {
    return t(db)
      .selectFrom('tr_link')
      .select(['id', 'free_flow_kmh', 'jurisdiction_path', 'road_class'])
      .where(linksOf(principal, area, roadClass))
      .orderBy('id')
      .execute();
  }

  /** Every link id (the intake check). */
  async linkIds(db: Db): Promise<string[]> {
    return (await t(db).selectFrom('tr_link').select('id').execute()).map((r) => r.id);
  }

  async countLinks(db: Db): Promise<number> {
    const r = await t(db)
      .selectFrom('tr_link')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /** Replaces the detector → link mapping. */
  async replaceDetectors(trx: Db, rows: TrafficTables['tr_detector'][]): Promise<void> {
    await t(trx).deleteFrom('tr_detector').execute();
    for (let i = 0; i < rows.length; i += CHUNK)
      await t(trx)
        .insertInto('tr_detector')
        .values(rows.slice(i, i + CHUNK))
        .execute();
  }

  async detectors(db: Db): Promise<TrafficTables['tr_detector'][]> {
    return t(db).selectFrom('tr_detector').selectAll().execute();
  }

  /** Adds readings' sums to their link slots (one statement). */
  async addSlots(trx: Db, rows: SlotRow[]): Promise<void> {
    if (rows.length === 0) return;
    await sql`
      insert into tr_link_slot (link_id, slot_start, speed_sum, speed_n, flow_sum, flow_n)
      select link_id, to_timestamp(ms / 1000), speed_sum, speed_n, flow_sum, flow_n
      from unnest(${rows.map((r) => r.link_id)}::text[], ${rows.map((r) => r.slot_start.getTime())}::float8[],
        ${rows.map((r) => r.speed_sum)}::float8[], ${rows.map((r) => r.speed_n)}::int[],
        ${rows.map((r) => r.flow_sum)}::float8[], ${rows.map((r) => r.flow_n)}::int[])
        as x(link_id, ms, speed_sum, speed_n, flow_sum, flow_n)
      on conflict (link_id, slot_start) do update set
        speed_sum = tr_link_slot.speed_sum + excluded.speed_sum,
        speed_n = tr_link_slot.speed_n + excluded.speed_n,
        flow_sum = tr_link_slot.flow_sum + excluded.flow_sum,
        flow_n = tr_link_slot.flow_n + excluded.flow_n`.execute(trx);
  }

  /** Slot sums in [from, to), of the given links when given. */
  async slots(db: Db, from: Date, to: Date, linkIds?: string[]): Promise<SlotRow[]> {
    let q = t(db)
      .selectFrom('tr_link_slot')
      .select(['link_id', 'slot_start', 'speed_sum', 'speed_n', 'flow_sum', 'flow_n'])
      .where('slot_start', '>=', from)
      .where('slot_start', '<', to);
    if (linkIds) {
      if (linkIds.length === 0) return [];
      q = q.where('link_id', 'in', linkIds);
    }
    const rows = await q.orderBy('link_id').orderBy('slot_start').execute();
    return rows.map((r) => ({
      ...r,
      slot_start: new Date(r.slot_start),
      speed_sum: Number(r.speed_sum),
      speed_n: Number(r.speed_n),
      flow_sum: Number(r.flow_sum),
      flow_n: Number(r.flow_n),
    }));
  }

  /**
   * The slots of [from, from + slots·5 min) with speed data, per link as parallel arrays (slot
   * index, mean speed and mean flow in tenths, flow null when none): a day of 10,000 links is
   * 10,000 rows, not 2.9 million.
   */
  async daySlots(
    db: Db,
    from: Date,
    slots: number,
  ): Promise<{ link_id: string; s: number[]; v: number[]; q: (number | null)[] }[]> {
    const to = new Date(from.getTime() + slots * 300_000);
    // Speeds and flows in tenths as integers (0.1 km/h, 0.1 vehicle): a third of the text to send and
    // parse (a day of 10,000 links is 2.9 million values), nothing that matters lost for the index.
    const r = await sql<{ link_id: string; s: number[]; v: number[]; q: (number | null)[] }>`
      select link_id,
        array_agg(((extract(epoch from slot_start) - ${from.getTime() / 1000}::float8) / 300)::int) as s,
        array_agg(round(speed_sum / speed_n * 10)::int) as v,
        array_agg(case when flow_n > 0 then round(flow_sum / flow_n * 10)::int end) as q
      from tr_link_slot
      where slot_start >= ${from} and slot_start < ${to} and speed_n > 0
      group by link_id`.execute(db);
    return r.rows;
  }

  /**
   * Each link's mean slot speed in the local night (hours [fromHour, toHour)) since `since`, with
   * the number of slots it rests on.
   */
  async nightSpeeds(
    db: Db,
    since: Date,
    until: Date,
    offsetMinutes: number,
    fromHour: number,
    toHour: number,
  ): Promise<{ link_id: string; speed: number; n: number }[]> {
    // One time range per local night, so the slot-time index is used instead of a scan of every slot.
    const ranges: [Date, Date][] = [];
    const day = 86_400_000;
    const offset = offsetMinutes * 60_000;
    for (let d = Math.floor((since.getTime() + offset) / day) * day - offset; d < until.getTime(); d += day) {
      const a = Math.max(d + fromHour * 3_600_000, since.getTime());
      const b = Math.min(d + toHour * 3_600_000, until.getTime());
      if (b > a) ranges.push([new Date(a), new Date(b)]);
    }
    if (ranges.length === 0) return [];
    const where = sql.join(
      ranges.map(([a, b]) => sql`(slot_start >= ${a} and slot_start < ${b})`),
      sql` or `,
    );
    const r = await sql<{ link_id: string; speed: number; n: number }>`
      select link_id, avg(speed_sum / speed_n)::float8 as speed, count(*)::int as n
      from tr_link_slot
      where speed_n > 0 and (${where})
      group by link_id`.execute(db);
    return r.rows.map((x) => ({ link_id: x.link_id, speed: Number(x.speed), n: Number(x.n) }));
  }

  /** Per link, its open alert or else its latest alert (where the next run may start). */
  async latestAlerts(db: Db, linkIds: string[]): Promise<Map<string, AlertRow>> {
    if (linkIds.length === 0) return new Map();
    const rows = await t(db)
      .selectFrom('tr_alert')
      .select([
        'id',
        'link_id',
        'level',
        'started_at',
        'raised_at',
        'peak_tti',
        'cleared_at',
        'jurisdiction_path',
      ])
      .where('link_id', 'in', linkIds)
      .orderBy('started_at', 'asc')
      .execute();
    const out = new Map<string, AlertRow>();
    for (const r of rows) out.set(r.link_id, r as AlertRow);
    return out;
  }

  async insertAlert(trx: Db, a: AlertRow): Promise<void> {
    await t(trx).insertInto('tr_alert').values(a).execute();
  }

  async clearAlert(trx: Db, id: string, clearedAt: Date, peakTti: number): Promise<void> {
    await t(trx)
      .updateTable('tr_alert')
      .set({ cleared_at: clearedAt, peak_tti: peakTti })
      .where('id', '=', id)
      .execute();
  }

  /** Alerts whose congested period overlaps [from, to] (open ones included), with their link's midpoint, oldest first. */
  async alertsOverlapping(
    db: Db,
    from: Date,
    to: Date,
  ): Promise<{ id: string; link_id: string; lon: number; lat: number }[]> {
    return t(db)
      .selectFrom('tr_alert as a')
      .innerJoin('tr_link as l', 'l.id', 'a.link_id')
      .select(['a.id', 'a.link_id', 'l.mid_lon as lon', 'l.mid_lat as lat'])
      .where('a.started_at', '<=', to)
      .where((eb) => eb.or([eb('a.cleared_at', 'is', null), eb('a.cleared_at', '>=', from)]))
      .orderBy('a.created_at')
      .orderBy('a.id')
      .execute();
  }

  /** Alerts visible to a principal, newest first. */
  async alerts(db: Db, principal: Principal, open: boolean | undefined, limit: number): Promise<AlertRow[]> {
    let q = t(db)
      .selectFrom('tr_alert')
      .select([
        'id',
        'link_id',
        'level',
        'started_at',
        'raised_at',
        'peak_tti',
        'cleared_at',
        'jurisdiction_path',
      ])
      .where(inScope(principal, 'jurisdiction_path'));
    if (open === true) q = q.where('cleared_at', 'is', null);
    if (open === false) q = q.where('cleared_at', 'is not', null);
    return (await q.orderBy('raised_at', 'desc').limit(limit).execute()) as AlertRow[];
  }
}
