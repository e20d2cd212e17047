import { sql } from 'kysely';
import { inScope, type Principal } from '../../../platform/access.ts';
import { type Db, forTables } from '../../../platform/db/database.ts';
import type { Gb3838Class, WaterBody } from '../../water/index.ts';
import type { DeviceType } from '../sensing.catalogue.ts';
import type { SensingTables } from '../sensing.tables.ts';
import { areaFilter } from '../store/series.repository.ts';
import type { DevicePointsQuery, DeviceQuery, DeviceStatus } from './devices.schema.ts';

/** A device as held in memory and stored. */
export interface DeviceRecord {
  id: string;
  type: DeviceType;
  model: string;
  name: string;
  lon: number;
  lat: number;
  jurisdictionPath: string;
  jurisdictionCode: string;
  departmentCode: string | null;
  metrics: string[];
  sectionName: string | null;
  targetClass: Gb3838Class | null;
  waterBody: WaterBody | null;
  secretHash: string;
  status: DeviceStatus;
  lastSeenAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

type Row = SensingTables['sensing_devices'];

function toRecord(r: { [K in keyof Row]: unknown }): DeviceRecord {
  return {
    id: r.id as string,
    type: r.type as DeviceType,
    model: r.model as string,
    name: r.name as string,
    lon: r.lon as number,
    lat: r.lat as number,
    jurisdictionPath: r.jurisdiction_path as string,
    jurisdictionCode: r.jurisdiction_code as string,
    departmentCode: r.department_code as string | null,
    metrics: r.metrics as string[],
    sectionName: r.section_name as string | null,
    targetClass: r.target_class as Gb3838Class | null,
    waterBody: r.water_body as WaterBody | null,
    secretHash: r.secret_hash as string,
    status: r.status as DeviceStatus,
    lastSeenAt: r.last_seen_at as Date | null,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
  };
}

function toRow(d: DeviceRecord) {
  return {
    id: d.id,
    type: d.type,
    model: d.model,
    name: d.name,
    lon: d.lon,
    lat: d.lat,
    jurisdiction_path: d.jurisdictionPath,
    jurisdiction_code: d.jurisdictionCode,
    department_code: d.departmentCode,
    metrics: JSON.stringify(d.metrics),
    section_name: d.sectionName,
    target_class: d.targetClass,
    water_body: d.waterBody,
    secret_hash: d.secretHash,
    status: d.status,
    last_seen_at: d.lastSeenAt,
    created_at: d.createdAt,
    updated_at: d.updatedAt,
  };
}

/** All SQL of the device registry. */
export class DeviceRepository {
  /** Inserts devices, 500 rows per statement. */
  async insert(db: Db, devices: DeviceRecord[]): Promise<void> {
    const t = forTables<SensingTables>(db);
    for (let i = 0; i < devices.length; i += 500) {
      await t
        .insertInto('sensing_devices')
        .values(devices.slice(i, i + 500).map(toRow))
        .execute();
    }
  }

  /** Writes every field of a device. */
  async update(db: Db, d: DeviceRecord): Promise<void> {
    const { id, ...rest } = toRow(d);
    await forTables<SensingTables>(db)
      .updateTable('sensing_devices')
      .set(rest)
      .where('id', '=', id)
      .execute();
  }

  /** Deletes a device; true when it existed. */
  async delete(db: Db, id: string): Promise<boolean> {
    const r = await forTables<SensingTables>(db)
      .deleteFrom('sensing_devices')
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** Devices by id (any scope: the caller checks visibility). */
  async byIds(db: Db, ids: string[]): Promise<DeviceRecord[]> {
    if (ids.length === 0) return [];
    const rows = await forTables<SensingTables>(db)
      .selectFrom('sensing_devices')
      .selectAll()
      .where('id', 'in', ids)
      .execute();
    return rows.map(toRecord);
  }

  /** Every device, for the in-memory cache the intake and rules use. */
  async all(db: Db): Promise<DeviceRecord[]> {
    const rows = await forTables<SensingTables>(db).selectFrom('sensing_devices').selectAll().execute();
    return rows.map(toRecord);
  }

  /** Devices the principal may see, filtered, by id. */
  async list(db: Db, principal: Principal, q: DeviceQuery): Promise<DeviceRecord[]> {
    let query = forTables<SensingTables>(db)
      .selectFrom('sensing_devices')
      .selectAll()
      .where(inScope(principal, 'jurisdiction_path'));
    if (q.type) query = query.where('type', '=', q.type);
    if (q.status) query = query.where('status', '=', q.status);
    if (q.area) query = query.where(areaFilter(q.area));
    if (q.afterId) query = query.where('id', '>', q.afterId);
    const rows = await query.orderBy('id').limit(q.limit).execute();
    return rows.map(toRecord);
  }

  /** Id, type, status and position of every device in scope (the map's points), by id. */
  async points(
    db: Db,
    principal: Principal,
    q: DevicePointsQuery,
  ): Promise<{ id: string; type: string; status: string; lon: number; lat: number }[]> {
    let query = forTables<SensingTables>(db)
      .selectFrom('sensing_devices')
      .select(['id', 'type', 'status', 'lon', 'lat'])
      .where(inScope(principal, 'jurisdiction_path'));
    if (q.type) query = query.where('type', '=', q.type);
    if (q.status) query = query.where('status', '=', q.status);
    if (q.area) query = query.where(areaFilter(q.area));
    return query.orderBy('id').execute();
  }

  /** Marks devices seen at the given times (and online unless under fault), one statement. */
  async touch(db: Db, ids: string[], times: string[]): Promise<void> {
    if (ids.length === 0) return;
    await sql`
      update sensing_devices d set last_seen_at = greatest(d.last_seen_at, s.at),
        status = case when d.status = 'fault' then d.status else 'online' end
      from unnest(${ids}::text[], ${times}::timestamptz[]) as s(id, at)
      where d.id = s.id`.execute(db);
  }

  /** Marks online devices silent since `before` offline; returns their ids. */
  async markOffline(db: Db, before: Date): Promise<string[]> {
    const rows = await forTables<SensingTables>(db)
      .updateTable('sensing_devices')
      .set({ status: 'offline' })
      .where('status', '=', 'online')
      .where((eb) => eb.or([eb('last_seen_at', '<', before), eb('last_seen_at', 'is', null)]))
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }
}
