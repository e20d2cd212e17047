import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../../platform/db/testing.ts';
import type { AppError } from '../../platform/errors.ts';
import type { Api } from '../../platform/http/server.ts';
import { type openEventCentre, openEventCentreApi, people } from '../events/events.fixture.ts';
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

/** Downloading proof photos: the task's visibility decides (officers: their department's teams). */
describe.each(testBackends)('photo evidence download on %s', (kind) => {
  let ec: Awaited<ReturnType<typeof openEventCentre>>;
  let api: Api;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    ({ ec, api, close } = await openEventCentreApi(kind, ['officer', 'district', 'otherStreet']));
  }, 60_000);
  afterAll(() => close?.());
  const get = (url: string, user: string, headers: Record<string, string> = {}) =>
    api.inject({ url, headers: { authorization: `Bearer ${user}`, ...headers } });

  it('streams the bytes with their type and ETag to whoever sees the task, 404 to others', async () => {
    const { tasks } = await ec.events.intake(people.citizen, 'citizen', {
      description: '较场口夜市烧烤油烟太大',
      location: { lon: 106.574, lat: 29.551 },
    });
    const lead = tasks.find((t) => t.role === 'lead')!;
    const co = tasks.find((t) => t.role === 'co')!;
    await ec.dispatch.act(people.officer, lead.id, 'accept');
    const upload = await api.inject({
      method: 'POST',
      url: `/api/v1/field/tasks/${lead.id}/evidence`,
      headers: { authorization: 'Bearer officer', 'content-type': 'image/jpeg' },
      payload: JPEG,
    });
    expect(upload.statusCode).toBe(201);
    const photo = upload.json();
    const url = `/api/v1/tasks/${lead.id}/evidence/${photo.id}`;
    for (const user of ['officer', 'district']) {
      const res = await get(url, user);
      expect(res.statusCode).toBe(200);
      expect(res.rawPayload.equals(JPEG)).toBe(true);
      expect(res.headers).toMatchObject({
        'content-type': 'image/jpeg',
        etag: `"${photo.sha256}"`,
        'cache-control': expect.stringMatching(/^private/),
        'x-content-type-options': 'nosniff',
      });
    }
    expect((await get(url, 'officer', { 'if-none-match': `W/"${photo.sha256}"` })).statusCode).toBe(304);
    const other = await get(url, 'otherStreet');
    expect([other.statusCode, other.json().error.code]).toEqual([404, 'not_found']);
    // The officer's department is not the co task's (ecology & environment): not theirs to see.
    await ec.dispatch.act(people.district, co.id, 'accept');
    const coPhoto = await ec.dispatch.addEvidence(people.district, co.id, PNG);
    expect((await get(`/api/v1/tasks/${co.id}/evidence/${coPhoto.id}`, 'officer')).statusCode).toBe(404);
    expect((await get(`/api/v1/tasks/${co.id}/evidence/${coPhoto.id}`, 'district')).statusCode).toBe(200);
    // A photo of another task under this task's URL: not found.
    expect((await get(`/api/v1/tasks/${lead.id}/evidence/${coPhoto.id}`, 'district')).statusCode).toBe(404);
  });
});
