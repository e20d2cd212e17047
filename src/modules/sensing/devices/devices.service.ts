import { createHash } from 'node:crypto';
import { assertVisible, canSee, type Principal, requireRole } from '../../../platform/access.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { Db } from '../../../platform/db/database.ts';
import { AppError, notFound } from '../../../platform/errors.ts';
import { coordinateRounder } from '../../../platform/http/map-points.ts';
import type { AuditLog } from '../../audit/index.ts';
import { subjects } from '../intake/intake.subjects.ts';
import { deviceChangeCounter } from '../sensing.metrics.ts';
import { DeviceCache } from './devices.cache.ts';
import { newDeviceSecret, secretMatches } from './devices.credentials.ts';
import { devicesFromCsv, devicesFromGeoJson } from './devices.import.ts';
import { asInput, prepareDevices } from './devices.prepare.ts';
import { type DeviceRecord, DeviceRepository } from './devices.repository.ts';
import {
  DEVICE_STATUSES,
  type DeviceChanged,
  type DeviceInput,
  type DevicePatch,
  type DevicePointsDto,
  type DevicePointsQuery,
  type DeviceQuery,
  type DeviceStatus,
  type Locator,
} from './devices.schema.ts';

/**
 * Port to the bus for registry changes: `publish` runs inside the transaction that changes the
 * device (an outbox row commits with the change); `committed` after the commit (wake the relay).
 * Other processes' caches follow the notices (rules processes, ingest processes).
 */
export interface DeviceChangePublisher {
  publish(trx: Db, notice: DeviceChanged): Promise<void>;
  committed?(): void;
}

/** Dependencies of the registry. */
export interface DeviceRegistryDeps {
  db: Db;
  audit: AuditLog;
  clock: Clock;
  locator: Locator;
  /** Where registry changes are announced to other processes (none: this process only). */
  deviceChanges?: DeviceChangePublisher;
}

/** A registered device and its secret, shown once. */
export interface Credential {
  deviceId: string;
  secret: string;
}

/**
 * The device registry: registration (jurisdiction stamped by the Locator), bulk import, scoped
 * reads, credentials, and an in-memory cache of every device for the intake's hot path.
 */
export class DeviceRegistry {
  private readonly deps: DeviceRegistryDeps;
  private readonly repo = new DeviceRepository();
  /** Every device in memory, for the intake and the timer. */
  readonly cache: DeviceCache;
  /** Called with a device id whenever a device changes, so rules recompile for it. */
  onChange: (id: string) => void = () => {};

  constructor(deps: DeviceRegistryDeps) {
    this.deps = deps;
    this.cache = new DeviceCache(deps.db, this.repo);
  }

  /** Registers one device; returns it with its secret (only time the secret is shown). */
  async register(
    principal: Principal,
    input: DeviceInput,
  ): Promise<{ device: DeviceRecord; secret: string }> {
    requireRole(principal, 'admin');
    const [prepared] = await prepareDevices(
      [{ row: 1, input }],
      false,
      this.deps.locator,
      this.deps.clock.now(),
    );
    const { device, secret } = prepared!;
    assertWritable(principal, device);
    await this.deps.db.transaction().execute(async (trx) => {
      if ((await this.repo.byIds(trx, [device.id])).length) {
        throw new AppError('conflict', `device '${device.id}' already exists`, { id: device.id });
      }
      await this.repo.insert(trx, [device]);
      await this.deps.audit.append(trx, this.auditEvent(principal, 'sensing.device.registered', device));
      await this.announce(trx, device.id, 'registered');
    });
    this.deps.deviceChanges?.committed?.();
    this.remember(device);
    return { device, secret };
  }

  /**
   * Imports devices from CSV or GeoJSON in one transaction: a bad row (invalid, outside the
   * city, duplicate) imports nothing and the error names the row. One audit entry covers the file.
   */
  async import(principal: Principal, format: 'csv' | 'geojson', text: string): Promise<Credential[]> {
    requireRole(principal, 'admin');
    const rows = format === 'csv' ? devicesFromCsv(text) : devicesFromGeoJson(text);
    const prepared = await prepareDevices(rows, true, this.deps.locator, this.deps.clock.now());
    const devices = prepared.map((p) => p.device);
    devices.forEach((d, i) => {
      assertWritable(principal, d, `row ${rows[i]!.row}: `);
    });
    await this.deps.db.transaction().execute(async (trx) => {
      const existing = await this.repo.byIds(
        trx,
        devices.map((d) => d.id),
      );
      if (existing.length) {
        const row = rows[devices.findIndex((d) => d.id === existing[0]!.id)]!.row;
        throw new AppError('conflict', `row ${row}: device '${existing[0]!.id}' already exists`, { row });
      }
      await this.repo.insert(trx, devices);
      await this.deps.audit.append(trx, {
        actor: principal,
        action: 'sensing.devices.imported',
        subjectType: 'device_import',
        subjectId: createHash('sha256').update(text).digest('hex'),
        jurisdictionPath: principal.jurisdictionPath,
        details: { format, count: devices.length, firstId: devices[0]?.id ?? null },
      });
    });
    for (const d of devices) this.remember(d);
    return prepared.map((p) => ({ deviceId: p.device.id, secret: p.secret }));
  }

  /** Changes a device; a new location is located again. */
  async update(principal: Principal, id: string, patch: DevicePatch): Promise<DeviceRecord> {
    requireRole(principal, 'admin');
    const updated = await this.deps.db.transaction().execute(async (trx) => {
      const current = await this.visible(trx, principal, id);
      const input = { ...asInput(current), ...dropUndefined(patch) } as DeviceInput & { status?: string };
      const { status, ...rest } = input;
      const [prepared] = await prepareDevices(
        [{ row: 1, input: rest }],
        false,
        this.deps.locator,
        this.deps.clock.now(),
      );
      const next: DeviceRecord = {
        ...prepared!.device,
        secretHash: current.secretHash,
        status: (status as DeviceRecord['status']) ?? current.status,
        lastSeenAt: current.lastSeenAt,
        createdAt: current.createdAt,
      };
      assertWritable(principal, next);
      await this.repo.update(trx, next);
      await this.deps.audit.append(
        trx,
        this.auditEvent(principal, 'sensing.device.updated', next, { patch }),
      );
      await this.announce(trx, id, 'updated');
      this.remember(next);
      return next;
    });
    this.deps.deviceChanges?.committed?.();
    return updated;
  }

  /** Removes a device (its stored observations stay). */
  async remove(principal: Principal, id: string): Promise<void> {
    requireRole(principal, 'admin');
    await this.deps.db.transaction().execute(async (trx) => {
      const device = await this.visible(trx, principal, id);
      await this.repo.delete(trx, id);
      await this.deps.audit.append(trx, this.auditEvent(principal, 'sensing.device.removed', device));
      await this.announce(trx, id, 'removed');
    });
    this.deps.deviceChanges?.committed?.();
    this.cache.delete(id);
    this.onChange(id);
  }

  /** Issues a new secret; the old one stops working at once. */
  async rotateSecret(principal: Principal, id: string): Promise<string> {
    requireRole(principal, 'admin');
    const { secret, hash } = newDeviceSecret();
    await this.deps.db.transaction().execute(async (trx) => {
      const device = await this.visible(trx, principal, id);
      const next = { ...device, secretHash: hash, updatedAt: this.deps.clock.now() };
      await this.repo.update(trx, next);
      await this.deps.audit.append(trx, this.auditEvent(principal, 'sensing.device.secret_rotated', next));
      await this.announce(trx, id, 'secret_rotated');
      this.remember(next);
    });
    this.deps.deviceChanges?.committed?.();
    return secret;
  }

  /** One device visible to the principal, else not_found. */
  async get(principal: Principal, id: string): Promise<DeviceRecord> {
    return this.visible(this.deps.db, principal, id);
  }

  /** Devices visible to the principal. */
  list(principal: Principal, q: DeviceQuery): Promise<DeviceRecord[]> {
    return this.repo.list(this.deps.db, principal, q);
  }

  /** Every device in scope as columns for a map layer (DevicePointsSchema). */
  async points(principal: Principal, q: DevicePointsQuery): Promise<DevicePointsDto> {
    const rows = await this.repo.points(this.deps.db, principal, q);
    const types: string[] = [];
    const typeCode = new Map<string, number>();
    const round = coordinateRounder(q.decimals);
    const out: DevicePointsDto = {
      count: rows.length,
      types,
      statuses: [...DEVICE_STATUSES],
      ids: new Array(rows.length),
      type: new Array(rows.length),
      status: new Array(rows.length),
      lon: new Array(rows.length),
      lat: new Array(rows.length),
    };
    rows.forEach((r, i) => {
      let code = typeCode.get(r.type);
      if (code === undefined) {
        code = types.push(r.type) - 1;
        typeCode.set(r.type, code);
      }
      out.ids[i] = r.id;
      out.type[i] = code;
      out.status[i] = Math.max(0, DEVICE_STATUSES.indexOf(r.status as DeviceStatus));
      out.lon[i] = round(r.lon);
      out.lat[i] = round(r.lat);
    });
    return out;
  }

  /** For the MQTT broker's auth hook and the HTTP batch endpoint: true when the secret is the device's. */
  async verifyDeviceCredential(deviceId: string, secret: string): Promise<boolean> {
    const device = (await this.cache.resolve([deviceId])).get(deviceId);
    return !!device && secretMatches(secret, device.secretHash);
  }

  /**
   * Re-reads devices another process changed (a `sensing.device.changed` notice): a changed one
   * replaces its cached record, a removed one leaves the cache, and the rules recompile for each
   * (onChange). The newest last-seen time this process knows is kept: the stored one lags by up
   * to a timer tick. Call it where the engine is not in use (the owner's serial queue).
   */
  async refresh(ids: Iterable<string>): Promise<void> {
    const wanted = [...new Set(ids)];
    if (wanted.length === 0) return;
    const found = new Map((await this.repo.byIds(this.deps.db, wanted)).map((d) => [d.id, d]));
    const cached = await this.cache.all();
    for (const id of wanted) {
      const next = found.get(id);
      const old = cached.get(id);
      if (!next) {
        if (old) this.cache.delete(id);
      } else {
        const seen = Math.max(
          old?.lastSeenAt?.getTime() ?? -Infinity,
          (old && subjects.get(old)?.lastSeenAt) ?? -Infinity,
          next.lastSeenAt?.getTime() ?? -Infinity,
        );
        if (Number.isFinite(seen)) next.lastSeenAt = new Date(seen);
        this.cache.set(next);
      }
      this.onChange(id);
      deviceChangeCounter.inc();
    }
  }

  private async announce(trx: Db, id: string, change: DeviceChanged['change']): Promise<void> {
    await this.deps.deviceChanges?.publish(trx, { id, change });
  }

  private remember(device: DeviceRecord): void {
    this.cache.set(device);
    this.onChange(device.id);
  }

  private async visible(db: Db, principal: Principal, id: string): Promise<DeviceRecord> {
    const [device] = await this.repo.byIds(db, [id]);
    if (!device) throw notFound('device', id);
    assertVisible(principal, device.jurisdictionPath, 'device', id);
    return device;
  }

  private auditEvent(
    principal: Principal,
    action: string,
    d: DeviceRecord,
    extra: Record<string, unknown> = {},
  ) {
    return {
      actor: principal,
      action,
      subjectType: 'device',
      subjectId: d.id,
      jurisdictionPath: d.jurisdictionPath,
      details: { type: d.type, name: d.name, ...extra },
    };
  }
}

/**
 * A device written by the principal must lie in its jurisdiction, and a department it names
 * (`<node>:<type>`) must sit at the device's node or above; either outside answers not_found,
 * as naming any record outside one's jurisdiction does.
 */
function assertWritable(principal: Principal, d: DeviceRecord, at = ''): void {
  if (!canSee(principal, d.jurisdictionPath)) {
    const key = d.jurisdictionCode;
    throw new AppError('not_found', `${at}jurisdiction '${key}' not found`, { kind: 'jurisdiction', key });
  }
  const code = d.departmentCode;
  const node = code?.includes(':') ? code.slice(0, code.indexOf(':')) : undefined;
  if (code && node && !d.jurisdictionPath.split('/').includes(node)) {
    throw new AppError('not_found', `${at}department '${code}' not found`, { kind: 'department', key: code });
  }
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
