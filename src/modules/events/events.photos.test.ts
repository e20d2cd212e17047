import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { basename } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../../platform/db/testing.ts';
import { metricsRegistry } from '../../platform/http/metrics.ts';
import type { Api } from '../../platform/http/server.ts';
import { type openEventCentre, openEventCentreApi, people } from './events.fixture.ts';

// Real image headers (the store checks content, not the declared type); the fixture allows 1,024 bytes.
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const HERE = { lon: 106.574, lat: 29.551 };

/** Citizen photos through the real HTTP stack (validation, errors, raw bodies), on both engines. */
describe.each(testBackends)('citizen photos on %s', (kind) => {
  let ec: Awaited<ReturnType<typeof openEventCentre>>;
  let api: Api;
  let close: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ ec, api, close } = await openEventCentreApi(kind, ['street', 'otherStreet', 'district', 'officer'], {
      eventRoutes: true,
    }));
  }, 60_000);
  afterAll(() => close?.());

  const upload = (body: Buffer, from = '10.0.0.1', headers: Record<string, string> = {}) =>
    api.inject({
      method: 'POST',
      url: '/api/v1/citizen/photos',
      remoteAddress: from,
      headers: { 'content-type': 'image/png', ...headers },
      payload: body,
    });
  const file = (description: string, photos: string[], where = HERE) =>
    api.inject({
      method: 'POST',
      url: '/api/v1/citizen/requests',
      payload: { description, location: where, photos },
    });
  const get = (url: string, user?: string, headers: Record<string, string> = {}) =>
    api.inject({
      method: 'GET',
      url,
      headers: { ...(user ? { authorization: `Bearer ${user}` } : {}), ...headers },
    });
  const photoRows = async () =>
    Number(
      (
        await ec.db
          .selectFrom('ev_photo' as never)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('uploads without an account, attaches to the complaint; staff in scope and the reporter download it', async () => {
    const up = await upload(PNG);
    expect(up.statusCode).toBe(201);
    const photo = up.json();
    expect(photo).toMatchObject({ sha256: sha(PNG), mime: 'image/png', bytes: PNG.length });
    expect(photo.url).toMatch(new RegExp(`^http://[^/]+/api/v1/citizen/photos/${photo.id}$`));
    expect(up.headers.location).toBe(photo.url);

    // Unattached: nobody sees it yet.
    expect((await get(`/api/v1/citizen/photos/${photo.id}`, 'district')).json().error.code).toBe('not_found');

    const filed = await file('较场口夜市烧烤油烟太大', [photo.id]);
    expect(filed.statusCode).toBe(201);
    const { event, token } = filed.json();
    const detail = (await get(`/api/v1/events/${event.id}`, 'street')).json();
    expect(detail.photos).toEqual([
      expect.objectContaining({ id: photo.id, kind: 'report', url: `/api/v1/citizen/photos/${photo.id}` }),
    ]);

    const staff = await get(`/api/v1/citizen/photos/${photo.id}`, 'street');
    expect(staff.statusCode).toBe(200);
    expect(staff.rawPayload.equals(PNG)).toBe(true);
    expect(staff.headers).toMatchObject({
      'content-type': 'image/png',
      etag: `"${sha(PNG)}"`,
      'x-content-type-options': 'nosniff',
      'content-length': String(PNG.length),
    });
    expect(staff.headers['cache-control']).toMatch(/^private\b/);
    const again = await get(`/api/v1/citizen/photos/${photo.id}`, 'street', {
      'if-none-match': `"${sha(PNG)}"`,
    });
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.length).toBe(0);

    // Another street's operator: as if it did not exist. No credentials and no token: 401.
    const other = await get(`/api/v1/citizen/photos/${photo.id}`, 'otherStreet');
    expect([other.statusCode, other.json().error.code]).toEqual([404, 'not_found']);
    const anonymous = await get(`/api/v1/citizen/photos/${photo.id}`);
    expect([anonymous.statusCode, anonymous.json().error.code]).toEqual([401, 'unauthenticated']);

    // The reporter with their token; someone else's token: 404.
    const mine = await get(`/api/v1/citizen/photos/${photo.id}?token=${token}`);
    expect(mine.statusCode).toBe(200);
    expect(mine.rawPayload.equals(PNG)).toBe(true);
    const stranger = (await file('七星岗路口垃圾堆积', [], { lon: 106.56, lat: 29.553 })).json();
    const theirs = await get(`/api/v1/citizen/photos/${photo.id}?token=${stranger.token}`);
    expect([theirs.statusCode, theirs.json().error.code]).toEqual([404, 'not_found']);
    const list = await get(`/api/v1/citizen/requests/${event.id}/photos?token=${token}`);
    expect(list.json().items.map((p: { id: string; kind: string }) => [p.id, p.kind])).toEqual([
      [photo.id, 'report'],
    ]);
  });

  it('refuses a photo already attached or never uploaded, and stores no report', async () => {
    const photo = (await upload(PNG, '10.0.0.2')).json();
    expect((await file('较场口夜市烧烤油烟太大呛人', [photo.id])).statusCode).toBe(201);
    const before = (await get('/api/v1/events?limit=1000', 'district')).json().items.length;
    const reused = await file('解放碑又有烧烤油烟', [photo.id]);
    expect(reused.statusCode).toBe(422);
    expect(reused.json().error).toMatchObject({
      code: 'invalid_data',
      details: { photoId: photo.id, reason: 'photo_already_attached' },
    });
    const unknown = await file('解放碑又有烧烤油烟', ['00000000-0000-4000-8000-000000000000']);
    expect(unknown.json().error).toMatchObject({
      code: 'invalid_data',
      details: { reason: 'unknown_photo' },
    });
    const notUuid = await file('解放碑又有烧烤油烟', ['../../etc/passwd']);
    expect([notUuid.statusCode, notUuid.json().error.code]).toEqual([400, 'invalid_request']);
    expect((await get('/api/v1/events?limit=1000', 'district')).json().items.length).toBe(before);
  });

  it('refuses non-images, empty and oversized bodies, and uploads beyond the allowance', async () => {
    const rows = await photoRows();
    const gif = await upload(Buffer.from('GIF89a……'), '10.0.1.1', { 'content-type': 'image/png' });
    expect([gif.statusCode, gif.json().error.code]).toEqual([415, 'unsupported_media_type']);
    const svg = await upload(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), '10.0.1.2', {
      'content-type': 'image/svg+xml',
    });
    expect([svg.statusCode, svg.json().error.code]).toEqual([415, 'unsupported_media_type']);
    const empty = await upload(Buffer.alloc(0), '10.0.1.3');
    expect([empty.statusCode, empty.json().error.code]).toEqual([422, 'invalid_data']);
    const big = await upload(Buffer.concat([JPEG, Buffer.alloc(1100)]), '10.0.1.4');
    expect(big.statusCode).toBe(413);
    expect(big.json().error).toMatchObject({ code: 'payload_too_large', details: { maxBytes: 1024 } });
    expect(await photoRows()).toBe(rows);

    // Five per window from one address (the fixture's allowance); others are not affected.
    for (let i = 0; i < 5; i++) expect((await upload(JPEG, '10.0.2.1')).statusCode).toBe(201);
    const sixth = await upload(JPEG, '10.0.2.1');
    expect([sixth.statusCode, sixth.json().error.code]).toEqual([429, 'rate_limited']);
    expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(0);
    expect((await upload(JPEG, '10.0.2.2')).statusCode).toBe(201);
    // With credentials the caller's own (larger) allowance counts, not the address's.
    expect((await upload(JPEG, '10.0.2.1', { authorization: 'Bearer officer' })).statusCode).toBe(201);
    ec.clock.advance(10 * 60_000);
    expect((await upload(JPEG, '10.0.2.1')).statusCode).toBe(201);
    expect(await photoRows()).toBe(rows + 8);
  });

  it('shows the reporter the proof photos once the centre closes the request; staff download them in scope', async () => {
    const photo = (await upload(PNG, '10.0.3.1')).json();
    const { event, token, tasks } = (await file('较场口烧烤摊油烟熏人', [photo.id], HERE)).json();
    expect(tasks.length).toBeGreaterThan(0);
    const evidence: { taskId: string; id: string }[] = [];
    for (const t of tasks) {
      await ec.dispatch.act(people.district, t.id, 'accept');
      evidence.push(await ec.dispatch.addEvidence(people.district, t.id, JPEG));
      await ec.dispatch.act(people.district, t.id, 'complete', { note: 'done' });
    }
    const proof = evidence[0]!;
    const staff = await get(`/api/v1/tasks/${proof.taskId}/evidence/${proof.id}`, 'street');
    expect(staff.statusCode).toBe(200);
    expect(staff.rawPayload.equals(JPEG)).toBe(true);
    expect(staff.headers).toMatchObject({ 'content-type': 'image/jpeg', etag: `"${sha(JPEG)}"` });
    expect((await get(`/api/v1/tasks/${proof.taskId}/evidence/${proof.id}`, 'otherStreet')).statusCode).toBe(
      404,
    );
    expect((await get(`/api/v1/tasks/${proof.taskId}/evidence/nope`, 'street')).json().error.code).toBe(
      'not_found',
    );

    // Resolved but not yet verified: the citizen sees only their own photo.
    const listed = async () =>
      (await get(`/api/v1/citizen/requests/${event.id}/photos?token=${token}`)).json().items as {
        kind: string;
        url: string;
      }[];
    expect((await listed()).map((p) => p.kind)).toEqual(['report']);
    const early = await get(`/api/v1/citizen/requests/${event.id}/evidence/${proof.id}?token=${token}`);
    expect(early.statusCode).toBe(404);

    await ec.events.verify(people.street, event.id, { approve: true, note: '已整改' });
    const after = await listed();
    expect(after.map((p) => p.kind)).toEqual(['report', ...tasks.map(() => 'result')]);
    const result = after.find((p) => p.kind === 'result')!;
    const got = await get(`${result.url}?token=${token}`);
    expect(got.statusCode).toBe(200);
    expect(got.rawPayload.equals(JPEG)).toBe(true);
    expect(got.headers['x-content-type-options']).toBe('nosniff');
    const wrong = await get(`${result.url}?token=${'x'.repeat(24)}`);
    expect([wrong.statusCode, wrong.json().error.code]).toEqual([404, 'not_found']);
  });

  it('deletes uploads no report named within a day, keeping attached ones and bytes they share', async () => {
    const bytes = () => Buffer.concat([JPEG, randomBytes(32)]);
    const shared = bytes();
    const lonely = (await upload(bytes(), '10.0.4.1')).json();
    const twin = (await upload(shared, '10.0.4.1')).json();
    const named = (await upload(shared, '10.0.4.1')).json();
    const filed = (await file('解放碑步行街烧烤摊油烟很大', [named.id], { lon: 106.58, lat: 29.558 })).json();
    const ids = async () =>
      (
        await ec.db
          .selectFrom('ev_photo' as never)
          .select('id' as never)
          .execute()
      ).map((r) => (r as { id: string }).id);
    const pathOf = async (id: string) =>
      (
        (await ec.db
          .selectFrom('ev_photo' as never)
          .select('stored_path' as never)
          .where('id' as never, '=', id as never)
          .executeTakeFirstOrThrow()) as { stored_path: string }
      ).stored_path;
    const lonelyPath = await pathOf(lonely.id);
    const sharedPath = await pathOf(named.id);
    expect(await pathOf(twin.id)).toBe(sharedPath);

    // Within the day: nothing goes.
    ec.clock.advance(23 * 3_600_000);
    await ec.events.photos.purgeUnattached();
    expect(await ids()).toEqual(expect.arrayContaining([lonely.id, twin.id, named.id]));
    // After it (files aged to match the simulated clock): unnamed rows go, and the file nobody else uses.
    ec.clock.advance(2 * 3_600_000);
    const old = new Date(ec.clock.now().getTime() - 25 * 3_600_000);
    for (const f of [lonelyPath, sharedPath]) fs.utimesSync(f, old, old);
    const purged = await ec.events.photos.purgeUnattached();
    expect(purged.rows).toBeGreaterThanOrEqual(2);
    const left = await ids();
    expect(left).toContain(named.id);
    expect(left).not.toContain(lonely.id);
    expect(left).not.toContain(twin.id);
    expect(fs.existsSync(lonelyPath)).toBe(false);
    expect(fs.existsSync(sharedPath)).toBe(true);
    const mine = await get(`/api/v1/citizen/photos/${named.id}?token=${filed.token}`);
    expect(mine.statusCode).toBe(200);
    expect(mine.rawPayload.equals(shared)).toBe(true);
    const late = await file('解放碑步行街又有烧烤', [lonely.id], { lon: 106.58, lat: 29.558 });
    expect(late.json().error.details.reason).toBe('unknown_photo');
  });

  it('reports and counts a file the purge cannot remove, and still removes the others', async () => {
    const stuck = (await upload(Buffer.concat([JPEG, randomBytes(32)]), '10.0.5.1')).json();
    const fine = (await upload(Buffer.concat([JPEG, randomBytes(32)]), '10.0.5.1')).json();
    const row = (id: string) =>
      ec.db
        .selectFrom('ev_photo' as never)
        .select('stored_path' as never)
        .where('id' as never, '=', id as never)
        .executeTakeFirstOrThrow() as Promise<{ stored_path: string }>;
    const finePath = (await row(fine.id)).stored_path;
    // A poison record: its stored path is a directory, which unlink refuses (even for root).
    const dir = `${finePath}.d`;
    fs.mkdirSync(dir);
    await sql`update ev_photo set stored_path = ${dir} where id = ${stuck.id}`.execute(ec.db);
    ec.clock.advance(25 * 3_600_000);
    const old = new Date(ec.clock.now().getTime() - 25 * 3_600_000);
    for (const f of [dir, finePath]) fs.utimesSync(f, old, old);
    const metric = async (outcome: string) =>
      (await metricsRegistry.getSingleMetric('citybrain_events_photo_purge_files_total')?.get())?.values.find(
        (v) => v.labels.outcome === outcome,
      )?.value ?? 0;
    const failedBefore = await metric('failed');
    const purged = await ec.events.photos.purgeUnattached();
    expect(purged).toMatchObject({ failed: 1 });
    expect(fs.existsSync(finePath)).toBe(false);
    expect(fs.existsSync(dir)).toBe(true);
    expect(await metric('failed')).toBe(failedBefore + 1);
    const audited = await sql<{ details: { count: number; files: { file: string; reason: string }[] } }>`
      select details from audit_log where action = 'event.photos_purge_failed'`.execute(ec.db);
    expect(audited.rows.at(-1)?.details.files[0]?.file).toBe(basename(dir));
    expect(audited.rows.at(-1)?.details.files[0]?.reason).toMatch(/EISDIR|EPERM/);
    fs.rmdirSync(dir);
  });
});
