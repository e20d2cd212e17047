import { createHash } from 'node:crypto';
import { assertVisible, type Principal, requireRole } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/database.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { AuditLog } from '../audit/index.ts';
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
  private cache: Map<string, DeviceRecord> | undefined;
  private readonly seen = new Map<string, number>();
  /** Called with a device id whenever a device changes, so rules recompile for it. */
  onChange: (id: string) => void = () => {};

  constructor(deps: DeviceRegistryDeps) {
    this.deps = deps;
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
    this.cache?.delete(id);
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
    const device = (await this.resolve([deviceId])).get(deviceId);
    return !!device && secretMatches(secret, device.secretHash);
  }

  /** Devices by id from the cache, loading any it lacks (registered by another process) in one query. */
  async resolve(ids: Iterable<string>): Promise<Map<string, DeviceRecord>> {
    const cache = await this.all();
    const missing = [...new Set(ids)].filter((id) => !cache.has(id));
    if (missing.length) for (const d of await this.repo.byIds(this.deps.db, missing)) cache.set(d.id, d);
    return cache;
  }

  /** The cache of every device, loaded on first use. */
  async all(): Promise<Map<string, DeviceRecord>> {
    if (!this.cache) this.cache = new Map((await this.repo.all(this.deps.db)).map((d) => [d.id, d]));
    return this.cache;
  }

  /** Drops the cache (another process changed devices); the next use reloads it. */
  invalidate(): void {
    this.cache = undefined;
  }

  /** Notes that a device reported at `at` (ms); written to the database by `flushSeen`. */
  noteSeen(device: DeviceRecord, at: number): void {
    if ((device.lastSeenAt?.getTime() ?? -Infinity) >= at) return;
    device.lastSeenAt = new Date(at);
    if (device.status === 'offline') device.status = 'online';
    this.seen.set(device.id, at);
  }

  /**
   * Writes noted last-seen times (and online status) in one statement, then marks devices
   * silent since `offlineBefore` offline; returns those. Run by the timer, not per batch: a
   * crash loses at most one tick of last-seen times, never an observation.
   */
  async flushSeen(trx: Db, offlineBefore: Date): Promise<string[]> {
    const seen = [...this.seen];
    this.seen.clear();
    await this.repo.touch(
      trx,
      seen.map(([id]) => id),
      seen.map(([, at]) => new Date(at).toISOString()),
    );
    const offline = await this.repo.markOffline(trx, offlineBefore);
    for (const id of offline) {
      const d = this.cache?.get(id);
      if (d) d.status = 'offline';
    }
    return offline;
  }

  private remember(device: DeviceRecord): void {
    this.cache?.set(device.id, device);
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
