import fsp from 'node:fs/promises';
import { basename } from 'node:path';
import { type ColumnType, type Kysely, type Selectable, sql } from 'kysely';
import { Counter } from 'prom-client';
import { z } from 'zod';
import type { Principal } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import { type Db, forTables } from '../../platform/db/database.ts';
import type { Migrations } from '../../platform/db/migrate.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { metricsRegistry } from '../../platform/http/metrics.ts';
import { DEFAULT_MAX_PHOTO_BYTES, storePhoto, UploadLimiter } from '../../platform/photos.ts';
import type { AuditLog } from '../audit/index.ts';

/**
 * A citizen's complaint photos. They are uploaded first (raw bytes, no account needed, like
 * the complaint itself), then named by the complaint (`photos: [id]` on the citizen API, or an
 * Open311 `media_url` pointing at the upload), which attaches each to exactly one event in the
 * intake's transaction. Unattached photos are seen by nobody.
 */
export interface PhotoTables {
  ev_photo: {
    id: string;
    sha256: string;
    mime: string;
    bytes: number;
    stored_path: string;
    uploaded_by: string;
    event_id: string | null;
    created_at: ColumnType<Date, Date, never>;
    attached_at: Date | null;
  };
}
/** A stored photo row. */
export type PhotoRow = Selectable<PhotoTables['ev_photo']>;

/** The ev_photo table (one row per upload; the bytes are shared by content hash on disk). */
export const photoMigrations: Migrations = {
  '202612050230_events_photos': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('ev_photo')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('mime', 'text', (c) => c.notNull())
        .addColumn('bytes', 'integer', (c) => c.notNull().check(sql`bytes > 0`))
        .addColumn('stored_path', 'text', (c) => c.notNull())
        .addColumn('uploaded_by', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('attached_at', 'timestamptz')
        .execute();
      await db.schema.createIndex('ev_photo_event').on('ev_photo').columns(['event_id']).execute();
    },
  },
};

/** What an upload answers. */
export const UploadedPhotoSchema = z.object({
  id: z.string(),
  url: z.string().describe('where the photo is downloaded; name it in a complaint (media_url or photos)'),
  sha256: z.string(),
  mime: z.string(),
  bytes: z.number().int(),
  at: z.iso.datetime({ offset: true }),
});
/** What an upload answers. */
export type UploadedPhoto = z.infer<typeof UploadedPhotoSchema>;

/** A photo of an event as lists show it (citizen's photos and the closing proof). */
export const EventPhotoSchema = z.object({
  id: z.string(),
  kind: z.enum(['report', 'result']).describe('report: sent with the complaint; result: proof of the work'),
  url: z.string().describe('download path; citizens add ?token=<their token>'),
  sha256: z.string(),
  mime: z.string(),
  bytes: z.number().int(),
  at: z.iso.datetime({ offset: true }),
});
/** A photo of an event. */
export type EventPhoto = z.infer<typeof EventPhotoSchema>;

/** The path a citizen photo is downloaded from. */
export const citizenPhotoPath = (id: string) => `/api/v1/citizen/photos/${id}`;
/** `…/api/v1/citizen/photos/<uuid>` in a URL given by a client (any host: the proxy may rename it). */
const UPLOAD_URL =
  /\/api\/v1\/citizen\/photos\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?$/i;

/** The upload id a media URL names, if it names one of ours. */
export function uploadIdOf(url: string): string | undefined {
  try {
    return UPLOAD_URL.exec(new URL(url, 'http://x').pathname)?.[1]?.toLowerCase();
  } catch {
    return undefined;
  }
}

/** Upload allowances: per client address without credentials, per API key or user with them. */
export interface PhotoLimits {
  /** Largest photo in bytes (default 10 MiB, as field evidence). */
  maxBytes: number;
  /** Uploads per window from one address without credentials (default 20). */
  anonymousPerWindow: number;
  /** Uploads per window by one API key or user (default 300). */
  keyedPerWindow: number;
  /** The window in ms (default 10 min). */
  windowMs: number;
  /** Uploads no report named within this many ms are deleted (default 24 h). */
  keepUnattachedMs: number;
}

/** Defaults of the upload allowances. */
export const DEFAULT_PHOTO_LIMITS: PhotoLimits = {
  maxBytes: DEFAULT_MAX_PHOTO_BYTES,
  anonymousPerWindow: 20,
  keyedPerWindow: 300,
  windowMs: 10 * 60_000,
  keepUnattachedMs: 24 * 3_600_000,
};

/** Most photos one complaint may name. */
export const MAX_PHOTOS_PER_REPORT = 6;

/** The citizen photo store: upload, attach to an event, read back. */
export class CitizenPhotos {
  private readonly deps: { db: Db; audit: AuditLog; clock: Clock; dir: string };
  readonly limits: PhotoLimits;
  private readonly limiter: UploadLimiter;

  constructor(deps: { db: Db; audit: AuditLog; clock: Clock; dir: string; limits?: Partial<PhotoLimits> }) {
    this.deps = deps;
    this.limits = { ...DEFAULT_PHOTO_LIMITS, ...deps.limits };
    this.limiter = new UploadLimiter(this.limits.windowMs);
  }

  /**
   * Stores an uploaded photo, unattached. `uploader` is the caller's principal when it sent
   * credentials (an Open311 client's API key, a user), else undefined and `client` (its
   * address) is what the allowance counts. Refused before anything is written when over the
   * allowance, empty, too big or not a JPEG/PNG/WebP by content.
   */
  async upload(
    uploader: Principal | undefined,
    client: string,
    bytes: Uint8Array,
  ): Promise<Omit<UploadedPhoto, 'url'>> {
    const now = this.deps.clock.now();
    if (uploader)
      this.limiter.take(`${uploader.kind}:${uploader.id}`, this.limits.keyedPerWindow, now.getTime());
    else this.limiter.take(`ip:${client}`, this.limits.anonymousPerWindow, now.getTime());
    const photo = await storePhoto(this.deps.dir, bytes, this.limits.maxBytes);
    const actor = uploader
      ? { kind: uploader.kind, id: uploader.id }
      : { kind: 'anonymous' as const, id: 'citizen' };
    await this.deps.db.transaction().execute(async (trx) => {
      await forTables<PhotoTables>(trx)
        .insertInto('ev_photo')
        .values({
          id: photo.id,
          sha256: photo.sha256,
          mime: photo.mime,
          bytes: photo.bytes,
          stored_path: photo.storedPath,
          uploaded_by: `${actor.kind}:${actor.id}`,
          event_id: null,
          created_at: now,
          attached_at: null,
        })
        .execute();
      await this.deps.audit.append(trx, {
        actor,
        action: 'event.photo_uploaded',
        subjectType: 'photo',
        subjectId: photo.id,
        jurisdictionPath: uploader?.jurisdictionPath ?? '',
        details: { sha256: photo.sha256, mime: photo.mime, bytes: photo.bytes },
      });
    });
    return {
      id: photo.id,
      sha256: photo.sha256,
      mime: photo.mime,
      bytes: photo.bytes,
      at: now.toISOString(),
    };
  }

  /** Throws invalid_data naming the first id that is unknown or already belongs to a complaint. */
  async checkAttachable(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const rows = await this.db()
      .selectFrom('ev_photo')
      .select(['id', 'event_id'])
      .where('id', 'in', ids)
      .execute();
    for (const id of ids) {
      const row = rows.find((r) => r.id === id);
      if (!row || row.event_id !== null) {
        const reason = row ? 'photo_already_attached' : 'unknown_photo';
        throw new AppError(
          'invalid_data',
          row ? `photo ${id} already belongs to another report` : `photo ${id} was not uploaded here`,
          { field: 'photos', photoId: id, reason },
        );
      }
    }
  }

  /** Attaches the photos to an event inside the intake's transaction; a photo taken meanwhile → conflict (rolled back). */
  async attach(trx: Db, ids: string[], eventId: string): Promise<void> {
    if (ids.length === 0) return;
    const result = await forTables<PhotoTables>(trx)
      .updateTable('ev_photo')
      .set({ event_id: eventId, attached_at: this.deps.clock.now() })
      .where('id', 'in', ids)
      .where('event_id', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== ids.length) {
      throw new AppError('conflict', 'a photo was attached to another report at the same time', {
        field: 'photos',
        reason: 'photo_already_attached',
      });
    }
  }

  /** Photos attached to any of the events, oldest first. */
  async ofEvents(eventIds: string[]): Promise<PhotoRow[]> {
    if (eventIds.length === 0) return [];
    return this.db()
      .selectFrom('ev_photo')
      .selectAll()
      .where('event_id', 'in', eventIds)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  /** One attached photo; not_found when unknown or not yet attached. */
  async attached(id: string): Promise<PhotoRow & { event_id: string }> {
    const row = await this.db().selectFrom('ev_photo').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row?.event_id) throw notFound('photo', id);
    return row as PhotoRow & { event_id: string };
  }

  /**
   * Deletes uploads that no report named within `keepUnattachedMs` (rows, then the files no
   * other row shares), so anonymous uploads cannot fill the disk. Audited as one entry.
   */
  async purgeUnattached(): Promise<{ rows: number; files: number; failed: number }> {
    const cutoff = new Date(this.deps.clock.now().getTime() - this.limits.keepUnattachedMs);
    const gone = await this.deps.db.transaction().execute(async (trx) => {
      const rows = await forTables<PhotoTables>(trx)
        .deleteFrom('ev_photo')
        .where('event_id', 'is', null)
        .where('created_at', '<', cutoff)
        .returning(['id', 'sha256', 'stored_path'])
        .execute();
      if (rows.length) {
        await this.deps.audit.append(trx, {
          actor: { kind: 'system', id: 'event-centre' },
          action: 'event.photos_purged',
          subjectType: 'photo',
          subjectId: '-',
          jurisdictionPath: '',
          details: { count: rows.length, olderThan: cutoff.toISOString() },
        });
      }
      return rows;
    });
    let files = 0;
    const failed: { file: string; reason: string }[] = [];
    // Each file on its own: one that cannot be removed is reported and counted, and the rest still go.
    for (const path of new Set(gone.map((r) => r.stored_path))) {
      try {
        const shared = await this.db()
          .selectFrom('ev_photo')
          .select('id')
          .where('stored_path', '=', path)
          .limit(1)
          .executeTakeFirst();
        const outcome = shared ? 'shared' : await removeOldFile(path, cutoff);
        if (outcome === 'removed') files++;
        purgeCounter.inc({ outcome });
      } catch (err) {
        purgeCounter.inc({ outcome: 'failed' });
        failed.push({ file: basename(path), reason: String((err as Error).message ?? err).slice(0, 300) });
      }
    }
    if (failed.length) {
      // The rows are gone, so nothing retries these files: keep what failed, and why, in the audit log.
      await this.deps.audit.record(this.deps.db, {
        actor: { kind: 'system', id: 'event-centre' },
        action: 'event.photos_purge_failed',
        subjectType: 'photo',
        subjectId: '-',
        jurisdictionPath: '',
        details: { count: failed.length, files: failed.slice(0, 20) },
      });
    }
    return { rows: gone.length, files, failed: failed.length };
  }

  /** Purges unattached uploads now and then every hour, until `stop`. */
  start(everyMs = 3_600_000): void {
    this.stop();
    // A failed run (database down) is retried by the next one; what it did not reach is still unattached.
    const run = () => void this.purgeUnattached().catch(() => purgeCounter.inc({ outcome: 'run_failed' }));
    run();
    this.timer = setInterval(run, everyMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private timer: ReturnType<typeof setInterval> | undefined;

  private db() {
    return forTables<PhotoTables>(this.deps.db);
  }
}

/** Files the hourly purge of unattached uploads looked at, by outcome. */
const purgeCounter = new Counter({
  name: 'citybrain_events_photo_purge_files_total',
  help: 'Files of purged unattached uploads by outcome: removed, shared (another row uses it), recent (touched since the cutoff), gone, failed',
  labelNames: ['outcome'],
  registers: [metricsRegistry],
});

/**
 * Deletes a stored file no row refers to any more, unless it was written or touched after
 * `olderThan` (an upload of the same bytes may be under way). Unlike a silent clean-up, a file
 * that cannot be removed throws, so it is reported rather than counted as removed.
 */
async function removeOldFile(path: string, olderThan: Date): Promise<'removed' | 'recent' | 'gone'> {
  const stat = await fsp.stat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (!stat) return 'gone';
  if (stat.mtime > olderThan) return 'recent';
  try {
    await fsp.unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw err;
  }
  return 'removed';
}

/** A stored photo row as lists show it. */
export function reportPhoto(r: PhotoRow): EventPhoto {
  return {
    id: r.id,
    kind: 'report',
    url: citizenPhotoPath(r.id),
    sha256: r.sha256,
    mime: r.mime,
    bytes: r.bytes,
    at: r.created_at.toISOString(),
  };
}
