import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import { testBackends } from '../../platform/db/testing.ts';
import { openOpen311TestApp } from './open311.testing.ts';

const KEY = 'o311-photo-client-key-0123456789';
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]);

/** Open311 clients attach uploaded photos through media_url, on the real app and both engines. */
describe.each(testBackends)('Open311 photos on %s', (kind) => {
  let app: App;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ app, close } = await openOpen311TestApp(kind, KEY));
  }, 180_000);
  afterAll(() => close?.());

  const upload = async (bytes: Buffer, headers: Record<string, string> = {}) => {
    const res = await app.http.inject({
      method: 'POST',
      url: '/api/v1/citizen/photos',
      headers: { 'content-type': 'application/octet-stream', host: 'city.example', ...headers },
      payload: bytes,
    });
    return { status: res.statusCode, body: res.json() };
  };
  const post = async (fields: [string, string][]) => {
    const res = await app.http.inject({
      method: 'POST',
      url: '/open311/v2/requests.json',
      headers: { 'content-type': 'application/x-www-form-urlencoded', host: 'city.example' },
      payload: new URLSearchParams(fields).toString(),
    });
    return { status: res.statusCode, body: res.json() };
  };
  const fields = (extra: [string, string][], where = ['29.551', '106.574']): [string, string][] => [
    ['api_key', KEY],
    ['service_code', 'general'],
    ['lat', where[0]!],
    ['long', where[1]!],
    ['description', '较场口夜市露天烧烤油烟太大'],
    ...extra,
  ];
  const request = async (id: string) =>
    (
      await app.http.inject({ url: `/open311/v2/requests/${id}.json`, headers: { host: 'city.example' } })
    ).json()[0];
  const download = (url: string) => app.http.inject({ url: url.replace('http://city.example', '') });

  it('attaches photos named by media_url; media_url answers the photo, downloadable with the reporter_token', async () => {
    const a = await upload(PNG, { 'x-api-key': KEY });
    const b = await upload(JPEG);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.url).toBe(`http://city.example/api/v1/citizen/photos/${a.body.id}`);
    // Two of ours (the field repeated) and one elsewhere, kept as given.
    const filed = await post(
      fields([
        ['media_url', a.body.url],
        ['media_url', b.body.url],
        ['media_url', 'https://img.example.org/p/1.jpg'],
      ]),
    );
    expect(filed.status).toBe(201);
    const [{ service_request_id: id, reporter_token: token }] = filed.body;
    const event = await app.services.centre.events.get(SYSTEM_PRINCIPAL, id);
    expect(event.photos.map((p) => p.id)).toEqual([a.body.id, b.body.id]);
    expect(event.media).toEqual(['https://img.example.org/p/1.jpg']);

    const o311 = await request(id);
    expect(o311.media_url).toBe(a.body.url);
    expect((await download(o311.media_url)).statusCode).toBe(401);
    const got = await download(`${o311.media_url}?token=${token}`);
    expect(got.statusCode).toBe(200);
    expect(got.rawPayload.equals(PNG)).toBe(true);
    expect(got.headers['content-type']).toBe('image/png');
  });

  it('answers 400 for a photo that was never uploaded or already belongs to a request, storing nothing', async () => {
    const photo = await upload(PNG);
    expect((await post(fields([['media_url', photo.body.url]]))).status).toBe(201);
    const count = async () =>
      (await app.services.centre.events.list(SYSTEM_PRINCIPAL, { limit: 1000 })).length;
    const before = await count();
    const reused = await post(fields([['media_url', photo.body.url]]));
    expect(reused.status).toBe(400);
    expect(reused.body[0]).toMatchObject({
      code: 400,
      description: expect.stringMatching(/already belongs/),
    });
    const unknown = await post(
      fields([
        ['media_url', 'http://city.example/api/v1/citizen/photos/00000000-0000-4000-8000-000000000000'],
      ]),
    );
    expect([unknown.status, unknown.body[0].description]).toEqual([
      400,
      expect.stringMatching(/not uploaded/),
    ]);
    expect(await count()).toBe(before);
  });

  it('once closed, media_url is the proof photo of the work, downloadable by the reporter', async () => {
    const photo = await upload(PNG);
    // Far from the other reports, so it is not merged into them as a duplicate.
    const filed = await post(fields([['media_url', photo.body.url]], ['29.5585', '106.5805']));
    const [{ service_request_id: id, reporter_token: token }] = filed.body;
    const { dispatch, events } = app.services.centre;
    for (const t of await dispatch.tasksOf(app.database.db, id)) {
      await dispatch.act(SYSTEM_PRINCIPAL, t.id, 'accept');
      await dispatch.addEvidence(SYSTEM_PRINCIPAL, t.id, JPEG);
      await dispatch.act(SYSTEM_PRINCIPAL, t.id, 'complete', { note: '已整改' });
    }
    expect((await request(id)).media_url).toBe(photo.body.url);
    await events.verify(SYSTEM_PRINCIPAL, id, { approve: true, note: '经核查已整改' });
    const closed = await request(id);
    expect(closed.status).toBe('closed');
    expect(closed.media_url).toMatch(
      new RegExp(`^http://city\\.example/api/v1/citizen/requests/${id}/evidence/`),
    );
    const got = await download(`${closed.media_url}?token=${token}`);
    expect(got.statusCode).toBe(200);
    expect(got.rawPayload.equals(JPEG)).toBe(true);
    expect(got.headers.etag).toMatch(/^"[0-9a-f]{64}"$/);
    expect((await download(`${closed.media_url}?token=${'y'.repeat(20)}`)).statusCode).toBe(404);
  });
});
