import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './errors.ts';

/**
 * Photos shared by the modules that take them (dispatch: a field officer's proof; events: a
 * citizen's complaint): recognised by content, stored once by SHA-256, served with one set of
 * headers. Each module keeps its own rows (who may see which photo); this file only knows bytes.
 */

/** Largest accepted photo by default: 10 MiB. */
export const DEFAULT_MAX_PHOTO_BYTES = 10 * 1024 * 1024;

/** Image types accepted, recognised by their first bytes (never by the declared type). */
export function sniffImage(bytes: Uint8Array): { mime: string; ext: string } | null {
  const b = bytes;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff)
    return { mime: 'image/jpeg', ext: 'jpg' };
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (b.length >= 8 && png.every((v, i) => b[i] === v)) return { mime: 'image/png', ext: 'png' };
  const ascii = (from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
  if (b.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP')
    return { mime: 'image/webp', ext: 'webp' };
  return null;
}

/** A photo checked and stored by content hash. */
export interface StoredPhoto {
  id: string;
  sha256: string;
  mime: string;
  bytes: number;
  storedPath: string;
}

/**
 * Checks a photo (size, magic bytes) and writes it under `<dir>/<aa>/<sha256>.<ext>`; the same
 * content is stored once. Written to a temporary name and renamed, so a reader never sees half a file.
 */
export async function storePhoto(dir: string, bytes: Uint8Array, maxBytes: number): Promise<StoredPhoto> {
  if (bytes.length === 0) throw new AppError('invalid_data', 'the photo is empty');
  if (bytes.length > maxBytes) {
    throw new AppError(
      'payload_too_large',
      `the photo is ${bytes.length} bytes; at most ${maxBytes} are accepted`,
      { bytes: bytes.length, maxBytes },
    );
  }
  const kind = sniffImage(bytes);
  if (!kind)
    throw new AppError(
      'unsupported_media_type',
      'only JPEG, PNG or WebP photos are accepted (checked by content)',
    );
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const folder = path.join(dir, sha256.slice(0, 2));
  const file = path.join(folder, `${sha256}.${kind.ext}`);
  await fsp.mkdir(folder, { recursive: true });
  const exists = await fsp.stat(file).then(
    () => true,
    () => false,
  );
  if (!exists) {
    const tmp = `${file}.${randomUUID()}.tmp`;
    await fsp.writeFile(tmp, bytes);
    await fsp.rename(tmp, file);
  } else {
    // Touched, so a clean-up of old unreferenced files (see removeUnreferenced) leaves it alone.
    const now = new Date();
    await fsp.utimes(file, now, now).catch(() => undefined);
  }
  return { id: randomUUID(), sha256, mime: kind.mime, bytes: bytes.length, storedPath: file };
}

/**
 * Deletes a stored file that no row refers to any more, unless it was written or touched
 * after `olderThan` (an upload of the same bytes may be under way). Answers whether it went.
 */
export async function removeUnreferenced(storedPath: string, olderThan: Date): Promise<boolean> {
  const stat = await fsp.stat(storedPath).catch(() => null);
  if (!stat || stat.mtime > olderThan) return false;
  await fsp.unlink(storedPath).catch(() => undefined);
  return true;
}

/** What `sendPhoto` needs of a stored photo. */
export interface PhotoFile {
  sha256: string;
  mime: string;
  bytes: number;
  storedPath: string;
}

/**
 * Streams a stored photo: its sniffed content type, `ETag` = its SHA-256 (a matching
 * `If-None-Match` answers 304), `cache-control: private` (personal data: browsers may keep it,
 * shared caches may not), `x-content-type-options: nosniff` and a CSP that runs nothing, so the
 * bytes are only ever shown as an image. A file gone from disk answers not_found.
 */
export async function sendPhoto(request: FastifyRequest, reply: FastifyReply, photo: PhotoFile) {
  const etag = `"${photo.sha256}"`;
  reply
    .header('etag', etag)
    .header('cache-control', 'private, max-age=86400')
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('cross-origin-resource-policy', 'same-origin');
  const match = request.headers['if-none-match'];
  if (match?.split(',').some((m) => m.trim().replace(/^W\//, '') === etag)) {
    return reply.status(304).send();
  }
  const stat = await fsp.stat(photo.storedPath).catch(() => null);
  if (!stat?.isFile()) {
    throw new AppError('not_found', 'the photo file is missing from storage', {
      kind: 'photo',
      reason: 'file_missing',
    });
  }
  return reply
    .status(200)
    .type(photo.mime)
    .header('content-length', String(stat.size))
    .send(fs.createReadStream(photo.storedPath));
}

/**
 * Fixed-window counters per key (a client address, an API key, a user): `take` throws
 * rate_limited once a key used up its allowance in the current window. In memory: each API
 * process counts on its own, so N processes allow N times the figure.
 */
export class UploadLimiter {
  private readonly windowMs: number;
  private readonly counts = new Map<string, { start: number; n: number }>();

  constructor(windowMs: number) {
    this.windowMs = windowMs;
  }

  /** Counts one upload for `key`; throws rate_limited (with `retryAfterSeconds`) beyond `limit`. */
  take(key: string, limit: number, now: number): void {
    if (this.counts.size > 10_000) this.prune(now);
    const hit = this.counts.get(key);
    const current = hit && now - hit.start < this.windowMs ? hit : { start: now, n: 0 };
    if (current.n >= limit) {
      const retryAfterSeconds = Math.ceil((current.start + this.windowMs - now) / 1000);
      throw new AppError(
        'rate_limited',
        `at most ${limit} photos per ${this.windowMs / 60_000} min; try again in ${retryAfterSeconds} s`,
        { limit, retryAfterSeconds },
      );
    }
    current.n += 1;
    this.counts.set(key, current);
  }

  private prune(now: number): void {
    for (const [k, v] of this.counts) if (now - v.start >= this.windowMs) this.counts.delete(k);
  }
}

/** Reads a raw request body (any declared type) as bytes; the photo's type is decided by content. */
export function bodyBytes(body: unknown): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.alloc(0);
}

/**
 * Makes every route of an encapsulated scope read its body as raw bytes, whatever type is
 * declared (the photo's type is decided by content). The parser allows twice `maxBytes` so a
 * slightly larger photo gets the service's payload_too_large with its limit in the details.
 */
export function acceptRawBodies(scope: FastifyInstance, maxBytes: number): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBytes * 2 }, (_req, body, done) =>
    done(null, body),
  );
}
