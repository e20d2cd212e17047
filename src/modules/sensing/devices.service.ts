import { createHash } from 'node:crypto';
import { assertVisible, type Principal, requireRole } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/database.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { AuditLog } from '../audit/index.ts';
import { DeviceCache } from './devices.cache.ts';
import { newDeviceSecret, secretMatches } from './devices.credentials.ts';
import { devicesFromCsv, devicesFromGeoJson } from './devices.import.ts';
import { asInput, prepareDevices } from './devices.prepare.ts';
import { type DeviceRecord, DeviceRepository } from './devices.repository.ts';
import type { DeviceInput, DevicePatch, DeviceQuery, Locator } from './devices.schema.ts';

/** Dependencies of the registry. */
export interface DeviceRegistryDeps {
  db: Db;
  audit: AuditLog;
  clock: Clock;
  locator: Locator;
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
    await this.deps.db.transaction().execute(async (trx) => {
      if ((await this.repo.byIds(trx, [device.id])).length) {
        throw new AppError('conflict', `device '${device.id}' already exists`, { id: device.id });
      }
      await this.repo.insert(trx, [device]);
      await this.deps.audit.append(trx, this.auditEvent(principal, 'sensing.device.registered', device));
    });
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
    return this.deps.db.transaction().execute(async (trx) => {
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
      await this.repo.update(trx, next);
      await this.deps.audit.append(
        trx,
        this.auditEvent(principal, 'sensing.device.updated', next, { patch }),
      );
      this.remember(next);
      return next;
    });
  }

  /** Removes a device (its stored observations stay). */
  async remove(principal: Principal, id: string): Promise<void> {
    requireRole(principal, 'admin');
    await this.deps.db.transaction().execute(async (trx) => {
      const device = await this.visible(trx, principal, id);
      await this.repo.delete(trx, id);
      await this.deps.audit.append(trx, this.auditEvent(principal, 'sensing.device.removed', device));
    });
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
      this.remember(next);
    });
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

  /** For the MQTT broker's auth hook and the HTTP batch endpoint: true when the secret is the device's. */
  async verifyDeviceCredential(deviceId: string, secret: string): Promise<boolean> {
    const device = (await this.cache.resolve([deviceId])).get(deviceId);
    return !!device && secretMatches(secret, device.secretHash);
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

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
