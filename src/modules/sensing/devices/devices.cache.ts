import type { Db } from '../../../platform/db/database.ts';
import type { DeviceRecord, DeviceRepository } from './devices.repository.ts';

/**
 * Every device in memory for the intake's hot path (no per-message query), loaded on first
 * use; ids it lacks (registered by another process) are loaded in one query per batch. Also
 * holds last-seen times until the timer writes them.
 */
export class DeviceCache {
  private readonly db: Db;
  private readonly repo: DeviceRepository;
  private map: Map<string, DeviceRecord> | undefined;
  private readonly seen = new Map<string, number>();

  constructor(db: Db, repo: DeviceRepository) {
    this.db = db;
    this.repo = repo;
  }

  /** Devices by id, loading any missing ones in one query. */
  async resolve(ids: Iterable<string>): Promise<Map<string, DeviceRecord>> {
    const map = await this.all();
    const missing = [...new Set(ids)].filter((id) => !map.has(id));
    if (missing.length) for (const d of await this.repo.byIds(this.db, missing)) map.set(d.id, d);
    return map;
  }

  /** The whole cache, loaded on first use. */
  async all(): Promise<Map<string, DeviceRecord>> {
    if (!this.map) this.map = new Map((await this.repo.all(this.db)).map((d) => [d.id, d]));
    return this.map;
  }

  /** Puts a (new or changed) device in. */
  set(device: DeviceRecord): void {
    this.map?.set(device.id, device);
  }

  /** Takes a removed device out. */
  delete(id: string): void {
    this.map?.delete(id);
  }

  /** Forgets everything; the next use reloads. */
  invalidate(): void {
    this.map = undefined;
  }

  /** Notes that a device reported at `at` (ms). */
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
    const ids = seen.map(([id]) => id);
    await this.repo.touch(
      trx,
      ids,
      seen.map(([, at]) => new Date(at).toISOString()),
    );
    const offline = await this.repo.markOffline(trx, offlineBefore);
    for (const id of offline) {
      const d = this.map?.get(id);
      // Seen by a batch that committed meanwhile (the timer runs beside ingest): the next flush
      // writes it back online, so keep it online here.
      if (d && !((d.lastSeenAt?.getTime() ?? -Infinity) >= offlineBefore.getTime())) d.status = 'offline';
    }
    return offline;
  }
}
