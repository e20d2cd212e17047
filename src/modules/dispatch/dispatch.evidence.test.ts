import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AppError } from '../../platform/errors.ts';
import { sniffImage, storePhoto } from './dispatch.evidence.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-photo-'));
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')]);
const PNG = Buffer.from('89504e470d0a1a0a00', 'hex');

describe('photo evidence', () => {
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('recognises JPEG, PNG and WebP by their first bytes, nothing else', () => {
    expect(sniffImage(JPEG)?.mime).toBe('image/jpeg');
    expect(sniffImage(PNG)?.mime).toBe('image/png');
    expect(sniffImage(WEBP)?.mime).toBe('image/webp');
    expect(sniffImage(Buffer.from('GIF89a'))).toBeNull();
    expect(sniffImage(Buffer.from('<svg xmlns=…'))).toBeNull();
    expect(sniffImage(Buffer.from('RIFF....WAVE'))).toBeNull();
  });

  it('stores by SHA-256 once, and refuses empty, oversized and non-image bodies', async () => {
    const a = await storePhoto(dir, JPEG, 100);
    const b = await storePhoto(dir, JPEG, 100);
    expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(b.storedPath).toBe(a.storedPath);
    expect(fs.readFileSync(a.storedPath)).toEqual(JPEG);
    expect(fs.readdirSync(path.dirname(a.storedPath))).toHaveLength(1);
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: AppError) => e.code,
      );
    expect(await code(storePhoto(dir, Buffer.alloc(0), 100))).toBe('invalid_data');
    expect(await code(storePhoto(dir, Buffer.concat([JPEG, Buffer.alloc(100)]), 100))).toBe(
      'payload_too_large',
    );
    expect(await code(storePhoto(dir, Buffer.from('hello'), 100))).toBe('unsupported_media_type');
  });
});
