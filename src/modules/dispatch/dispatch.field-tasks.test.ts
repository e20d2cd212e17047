import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../../platform/db/testing.ts';
import type { Api } from '../../platform/http/server.ts';
import { type openEventCentre, openEventCentreApi } from '../events/events.fixture.ts';
import { cityDayStart } from './dispatch.field-tasks.ts';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);

describe('cityDayStart', () => {
  it.each([
    ['2025-11-20T20:17:00+08:00', '2025-11-20T00:00:00+08:00'],
    ['2025-11-20T00:00:00+08:00', '2025-11-20T00:00:00+08:00'],
    ['2025-11-20T23:59:59+08:00', '2025-11-20T00:00:00+08:00'],
    ['2025-11-20T15:59:00Z', '2025-11-20T00:00:00+08:00'],
    ['2025-11-20T16:00:00Z', '2025-11-21T00:00:00+08:00'],
  ])('%s → %s (city time, UTC+8)', (now, start) => {
    expect(cityDayStart(new Date(now)).getTime()).toBe(Date.parse(start));
  });
});

/** The field officer's list: what the card needs (description, place, photos) and what was done today. */
describe.each(testBackends)('field task list on %s', (kind) => {
  let ec: Awaited<ReturnType<typeof openEventCentre>>;
  let api: Api;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    ({ ec, api, close } = await openEventCentreApi(kind, ['officer', 'otherStreet'], { eventRoutes: true }));
  }, 60_000);
  afterAll(() => close?.());
  const call = (method: 'GET' | 'POST', url: string, user: string, payload?: object | Buffer) =>
    api.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${user}`,
        ...(Buffer.isBuffer(payload) ? { 'content-type': 'image/jpeg' } : {}),
      },
      ...(payload === undefined ? {} : { payload }),
    });

  it('carries the description, place names, citizen photos and my photos; completed today moves to done', async () => {
    const uploaded = await api.inject({
      method: 'POST',
      url: '/api/v1/citizen/photos',
      headers: { 'content-type': 'image/png' },
      payload: PNG,
    });
    expect(uploaded.statusCode).toBe(201);
    const photoId = uploaded.json().id as string;
    const filed = await api.inject({
      method: 'POST',
      url: '/api/v1/citizen/requests',
      payload: {
        description: '解放碑夜市烧烤油烟太大',
        location: { lon: 106.574, lat: 29.551 },
        photos: [photoId],
      },
    });
    expect(filed.statusCode).toBe(201);
    const eventId = filed.json().event.id as string;
    const lead = (await ec.dispatch.tasksOf(ec.db, eventId)).find((t) => t.role === 'lead')!;

    const list = await call('GET', '/api/v1/field/tasks', 'officer');
    expect(list.statusCode).toBe(200);
    const card = list.json().items.find((t: { id: string }) => t.id === lead.id);
    expect(card).toMatchObject({
      status: 'assigned',
      event: {
        description: '解放碑夜市烧烤油烟太大',
        chain: ['渝中区', '解放碑街道'],
        landmark: null,
        photos: [{ id: photoId, url: `/api/v1/citizen/photos/${photoId}` }],
      },
      evidence: [],
    });
    expect(list.json().done).toEqual([]);
    // The officer working the task downloads the citizen's photo; another street's operator does not.
    const photo = await call('GET', card.event.photos[0].url, 'officer');
    expect([photo.statusCode, photo.rawPayload.equals(PNG)]).toEqual([200, true]);
    expect((await call('GET', card.event.photos[0].url, 'otherStreet')).statusCode).toBe(404);

    await call('POST', `/api/v1/field/tasks/${lead.id}/accept`, 'officer', {});
    const proof = (await call('POST', `/api/v1/field/tasks/${lead.id}/evidence`, 'officer', JPEG)).json();
    const working = (await call('GET', '/api/v1/field/tasks', 'officer')).json();
    expect(working.items.find((t: { id: string }) => t.id === lead.id).evidence).toEqual([
      expect.objectContaining({ id: proof.id, url: `/api/v1/tasks/${lead.id}/evidence/${proof.id}` }),
    ]);
    expect((await call('GET', `/api/v1/tasks/${lead.id}/evidence/${proof.id}`, 'officer')).statusCode).toBe(
      200,
    );

    expect((await call('POST', `/api/v1/field/tasks/${lead.id}/complete`, 'officer', {})).statusCode).toBe(
      200,
    );
    const after = (await call('GET', '/api/v1/field/tasks', 'officer')).json();
    expect(after.items.map((t: { id: string }) => t.id)).not.toContain(lead.id);
    expect(after.done).toEqual([
      expect.objectContaining({
        id: lead.id,
        status: 'completed',
        event: expect.objectContaining({ description: '解放碑夜市烧烤油烟太大' }),
        evidence: [expect.objectContaining({ id: proof.id })],
      }),
    ]);
    // Tomorrow (city time) it is no longer today's.
    ec.clock.advance(24 * 3_600_000);
    expect((await call('GET', '/api/v1/field/tasks', 'officer')).json().done).toEqual([]);
  });
});
