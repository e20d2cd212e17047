import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../platform/errors.ts';

/** Image types accepted as proof, recognised by their first bytes (never by the declared type). */
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
      {
        bytes: bytes.length,
        maxBytes,
      },
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
  await fs.mkdir(folder, { recursive: true });
  const exists = await fs.stat(file).then(
    () => true,
    () => false,
  );
  if (!exists) {
    const tmp = `${file}.${randomUUID()}.tmp`;
    await fs.writeFile(tmp, bytes);
    await fs.rename(tmp, file);
  }
  return { id: randomUUID(), sha256, mime: kind.mime, bytes: bytes.length, storedPath: file };
}
