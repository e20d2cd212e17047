import type { ColumnType, ExpressionBuilder } from 'kysely';
import { inScope, type Principal } from '../../platform/access.ts';
import { type Db, forTables } from '../../platform/db/database.ts';
import { SettingsTable } from '../../platform/db/settings.ts';
import type { NeedCategory, NeedSource, ResourceKind } from './matching.categories.ts';
import type { Need, Resource } from './matching.engine.ts';
import type { OpeningInterval } from './matching.hours.ts';

type Json<T> = ColumnType<T, string, string>;
type Time = ColumnType<Date, Date, Date>;

/** The matching module's tables. */
export interface MatchingTables {
  mt_need: {
    id: string;
    source: string;
    category: string;
    lon: number;
    lat: number;
    window_start: Time;
    window_end: Time;
    quantity: number;
    duration_minutes: number;
    urgency: number;
    created_at: Time;
    synthetic: boolean;
    stored_at: Time;
  };
  mt_resource: {
    id: string;
    kind: string;
    name: string;
    categories: Json<string[]>;
    capacity: number;
    hours: Json<OpeningInterval[]>;
    lon: number;
    lat: number;
    radius_m: number;
    synthetic: boolean;
    updated_at: Time;
  };
  /** One row per need decided: matched (kept for good) or unmet (replaced by the next run). */
  mt_result: {
    need_id: string;
    run_id: string;
    status: 'matched' | 'unmet';
    resource_id: string | null;
    street_code: string | null;
    street_path: string | null;
    distance_m: number | null;
    slot_start: ColumnType<Date | null, Date | null, Date | null>;
    slot_day: string | null;
    quantity: number;
    decided_at: Time;
    explanation: Json<unknown>;
  };
  mt_run: {
    id: string;
    at: Time;
    needs: number;
    matched: number;
    unmet: number;
    seconds: number;
    details: Json<unknown>;
  };
  mt_setting: { key: string; value: Json<unknown> };
}

/** A result row as written. */
export interface ResultInsert {
  need_id: string;
  run_id: string;
  status: 'matched' | 'unmet';
  resource_id: string | null;
  street_code: string | null;
  street_path: string | null;
  distance_m: number | null;
  slot_start: Date | null;
  slot_day: string | null;
  quantity: number;
  decided_at: Date;
  explanation: unknown;
}

/** A run as written. */
export interface RunInsert {
  id: string;
  at: Date;
  needs: number;
  matched: number;
  unmet: number;
  seconds: number;
  details: unknown;
}

const t = (db: Db) => forTables<MatchingTables>(db);

/**
 * Rows in the principal's scope by the street the need lies in; needs not (yet) placed in a
 * street are seen at city level only (a scope of one code, or none).
 */
const scoped =
  (p: Principal) =>
  // biome-ignore lint/suspicious/noExplicitAny: a condition over the joined mt_result alias r.
  (eb: ExpressionBuilder<any, any>) =>
    p.jurisdictionPath.includes('/')
      ? inScope(p, 'r.street_path')(eb)
      : eb.or([inScope(p, 'r.street_path')(eb), eb('r.street_path', 'is', null)]);
const CHUNK = 500;

/** All of the matching module's SQL. */
export class MatchingRepository {
  /** Ids among `ids` already stored as needs. */
  async existingNeedIds(db: Db, ids: string[]): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < ids.length; i += CHUNK) {
      const rows = await t(db)
        .selectFrom('mt_need')
        .select('id')
        .where('id', 'in', ids.slice(i, i + CHUNK))
        .execute();
      out.push(...rows.map((r) => r.id));
    }
    return out;
  }

  /** Inserts needs; an id already stored is kept as it is (the caller refuses those it must). */
  async insertNeeds(db: Db, needs: Need[], at: Date): Promise<void> {
    for (let i = 0; i < needs.length; i += CHUNK) {
      await t(db)
        .insertInto('mt_need')
        .values(
          needs.slice(i, i + CHUNK).map((n) => ({
            id: n.id,
            source: n.source,
            category: n.category,
            lon: n.lon,
            lat: n.lat,
            window_start: new Date(n.windowStart),
            window_end: new Date(n.windowEnd),
            quantity: n.quantity,
            duration_minutes: n.durationMinutes,
            urgency: n.urgency,
            created_at: new Date(n.createdAt),
            synthetic: n.synthetic,
            stored_at: at,
          })),
        )
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    }
  }

  /** Inserts or replaces resources by id. */
  async upsertResources(db: Db, resources: Resource[], at: Date): Promise<void> {
    for (let i = 0; i < resources.length; i += CHUNK) {
      await t(db)
        .insertInto('mt_resource')
        .values(
          resources.slice(i, i + CHUNK).map((r) => ({
            id: r.id,
            kind: r.kind,
            name: r.name,
            categories: JSON.stringify(r.categories),
            capacity: r.capacity,
            hours: JSON.stringify(r.hours),
            lon: r.lon,
            lat: r.lat,
            radius_m: r.radiusM,
            synthetic: r.synthetic,
            updated_at: at,
          })),
        )
        .onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => ({
            kind: eb.ref('excluded.kind'),
            name: eb.ref('excluded.name'),
            categories: eb.ref('excluded.categories'),
            capacity: eb.ref('excluded.capacity'),
            hours: eb.ref('excluded.hours'),
            lon: eb.ref('excluded.lon'),
            lat: eb.ref('excluded.lat'),
            radius_m: eb.ref('excluded.radius_m'),
            synthetic: eb.ref('excluded.synthetic'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute();
    }
  }

  /** Needs without a match yet (never decided, or unmet last time). */
  async openNeeds(db: Db): Promise<Need[]> {
    const rows = await t(db)
      .selectFrom('mt_need as n')
      .leftJoin('mt_result as r', 'r.need_id', 'n.id')
      .selectAll('n')
      .where((eb) => eb.or([eb('r.status', 'is', null), eb('r.status', '=', 'unmet')]))
      .orderBy('n.id')
      .execute();
    return rows.map((n) => ({
      id: n.id,
      source: n.source as NeedSource,
      category: n.category as NeedCategory,
      lon: n.lon,
      lat: n.lat,
      windowStart: n.window_start.getTime(),
      windowEnd: n.window_end.getTime(),
      quantity: n.quantity,
      durationMinutes: n.duration_minutes,
      urgency: n.urgency,
      createdAt: n.created_at.getTime(),
      synthetic: n.synthetic,
    }));
  }

  /** Every stored resource. */
  async resources(db: Db): Promise<Resource[]> {
    const rows = await t(db).selectFrom('mt_resource').selectAll().orderBy('id').execute();
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind as ResourceKind,
      name: r.name,
      categories: r.categories as NeedCategory[],
      capacity: r.capacity,
      hours: r.hours,
      lon: r.lon,
      lat: r.lat,
      radiusM: r.radius_m,
      synthetic: r.synthetic,
    }));
  }

  /** Units already taken per resource id and local day by matches kept. */
  async used(db: Db): Promise<{ resource_id: string; slot_day: string; units: number }[]> {
    const rows = await t(db)
      .selectFrom('mt_result')
      .select(['resource_id', 'slot_day', (eb) => eb.fn.sum<string>('quantity').as('units')])
      .where('status', '=', 'matched')
      .groupBy(['resource_id', 'slot_day'])
      .execute();
    return rows.map((r) => ({ resource_id: r.resource_id!, slot_day: r.slot_day!, units: Number(r.units) }));
  }

  /** Stores a run's results (unmet rows of earlier runs replaced) and the run. */
  async saveRun(db: Db, run: RunInsert, results: ResultInsert[]): Promise<void> {
    await t(db)
      .insertInto('mt_run')
      .values({ ...run, details: JSON.stringify(run.details) })
      .execute();
    for (let i = 0; i < results.length; i += CHUNK) {
      await t(db)
        .insertInto('mt_result')
        .values(
          results.slice(i, i + CHUNK).map((r) => ({ ...r, explanation: JSON.stringify(r.explanation) })),
        )
        .onConflict((oc) =>
          oc
            .column('need_id')
            .doUpdateSet((eb) => ({
              run_id: eb.ref('excluded.run_id'),
              status: eb.ref('excluded.status'),
              resource_id: eb.ref('excluded.resource_id'),
              street_code: eb.ref('excluded.street_code'),
              street_path: eb.ref('excluded.street_path'),
              distance_m: eb.ref('excluded.distance_m'),
              slot_start: eb.ref('excluded.slot_start'),
              slot_day: eb.ref('excluded.slot_day'),
              decided_at: eb.ref('excluded.decided_at'),
              explanation: eb.ref('excluded.explanation'),
            }))
            // A match once made is kept: only unmet rows are replaced.
            .where('mt_result.status', '=', 'unmet'),
        )
        .execute();
    }
  }

  /** Results, newest decisions first, optionally by status. */
  async results(db: Db, p: Principal, q: { status?: 'matched' | 'unmet'; limit: number; offset: number }) {
    let query = t(db)
      .selectFrom('mt_result as r')
      .where(scoped(p))
      .innerJoin('mt_need as n', 'n.id', 'r.need_id')
      .select([
        'r.need_id',
        'r.run_id',
        'r.status',
        'r.resource_id',
        'r.street_code',
        'r.street_path',
        'r.distance_m',
        'r.slot_start',
        'r.decided_at',
        'r.explanation',
        'n.category',
        'n.source',
        'n.created_at',
        'n.synthetic',
      ]);
    if (q.status) query = query.where('r.status', '=', q.status);
    return query
      .orderBy('r.decided_at', 'desc')
      .orderBy('r.need_id')
      .limit(q.limit)
      .offset(q.offset)
      .execute();
  }

  /** For the KPIs: every need with its status, category, street path and times. */
  async kpiRows(db: Db, p: Principal) {
    return t(db)
      .selectFrom('mt_need as n')
      .leftJoin('mt_result as r', 'r.need_id', 'n.id')
      .where(scoped(p))
      .select([
        'n.id',
        'n.category',
        'n.created_at',
        'r.status',
        'r.decided_at',
        'r.street_path',
        'r.explanation',
      ])
      .execute();
  }

  /** Unmet needs per street and need category (for the life circle's gap list). */
  async unmetByStreet(db: Db) {
    const rows = await t(db)
      .selectFrom('mt_result as r')
      .innerJoin('mt_need as n', 'n.id', 'r.need_id')
      .select(['r.street_code', 'n.category', (eb) => eb.fn.countAll<string>().as('needs')])
      .where('r.status', '=', 'unmet')
      .where('r.street_code', 'is not', null)
      .groupBy(['r.street_code', 'n.category'])
      .execute();
    return rows.map((r) => ({
      streetCode: r.street_code!,
      category: r.category as NeedCategory,
      needs: Number(r.needs),
    }));
  }

  /** Counts of stored needs and resources. */
  async counts(db: Db): Promise<{ needs: number; resources: number }> {
    const n = await t(db)
      .selectFrom('mt_need')
      .select((eb) => eb.fn.countAll<string>().as('c'))
      .executeTakeFirst();
    const r = await t(db)
      .selectFrom('mt_resource')
      .select((eb) => eb.fn.countAll<string>().as('c'))
      .executeTakeFirst();
    return { needs: Number(n?.c ?? 0), resources: Number(r?.c ?? 0) };
  }

  /** The module's settings. */
  private readonly settings = new SettingsTable('mt_setting');

  /** A setting's value, or undefined. */
  setting(db: Db, key: string): Promise<unknown> {
    return this.settings.get(db, key);
  }

  /** Sets a setting. */
  setSetting(db: Db, key: string, value: unknown): Promise<void> {
    return this.settings.set(db, key, value);
  }
}
