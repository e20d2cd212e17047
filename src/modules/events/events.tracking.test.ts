import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../../platform/db/testing.ts';
import type { Api } from '../../platform/http/server.ts';
import { openEventCentreApi } from './events.fixture.ts';
import { formatTrackingNumber, isTrackingNumber, trackingDay } from './events.tracking.ts';

const EAST = { lon: 106.58, lat: 29.556 }; // 解放碑街道 500103003

describe('tracking numbers: shape', () => {
  it('numbers a request by the city, its local (UTC+8) day and its place in the day', () => {
    expect(formatTrackingNumber('CQ', '20261207', 123)).toBe('CQ-20261207-000123');
    expect(formatTrackingNumber('CQ', '20261207', 1_234_567)).toBe('CQ-20261207-1234567');
    // 23:30 UTC on the 6th is already the 7th in Chongqing.
    expect(trackingDay(new Date('2026-12-06T23:30:00Z'))).toBe('20261207');
    expect(trackingDay(new Date('2026-12-06T15:59:59Z'))).toBe('20261206');
    expect(isTrackingNumber('CQ-20261207-000123')).toBe(true);
    for (const s of [
      'cq-20261207-000123',
      'CQ-2026127-000123',
      '0b1c2d3e-aaaa-4bbb-8ccc-123456789abc',
      'CQ-20261207-12',
    ])
      expect(isTrackingNumber(s), s).toBe(false);
  });
});

/** Every request gets the next number of its day, in the intake's transaction; reads accept it in place of the id. */
describe.each(testBackends)('tracking numbers on %s', (kind) => {
  let api: Api;
  let setClock: (to: string) => void;
  let close: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const opened = await openEventCentreApi(kind, ['district'], { eventRoutes: true });
    ({ api, close } = opened);
    setClock = (to) => opened.ec.clock.set(to);
  }, 180_000);
  afterAll(() => close?.());

  const file = async (description: string) => {
    const r = await api.inject({
      method: 'POST',
      url: '/api/v1/citizen/requests',
      payload: { description, location: EAST },
    });
    expect(r.statusCode, r.body).toBe(201);
    return r.json().event as { id: string; trackingNo: string };
  };
  const asDistrict = (url: string) =>
    api.inject({ method: 'GET', url, headers: { authorization: 'Bearer district' } });

  it('gives dense numbers per local day and starts again after midnight in Chongqing', async () => {
    setClock('2025-11-20T23:58:00+08:00');
    const a = await file('解放碑路灯不亮了');
    const b = await file('解放碑人行道地砖松动');
    setClock('2025-11-21T00:01:00+08:00');
    const c = await file('解放碑垃圾桶满了没人清');
    expect([a.trackingNo, b.trackingNo, c.trackingNo]).toEqual([
      'CQ-20251120-000001',
      'CQ-20251120-000002',
      'CQ-20251121-000001',
    ]);
  });

  it('finds an event by its tracking number: the event page and the feed search', async () => {
    setClock('2025-11-21T09:00:00+08:00');
    const e = await file('解放碑步行街井盖松动');
    const got = await asDistrict(`/api/v1/events/${e.trackingNo}`);
    expect(got.statusCode, got.body).toBe(200);
    expect(got.json().id).toBe(e.id);
    const found = await asDistrict(`/api/v1/events?q=${e.trackingNo.toLowerCase()}`);
    expect((found.json().items as { id: string }[]).map((x) => x.id)).toEqual([e.id]);
    const unknown = await asDistrict('/api/v1/events/CQ-20991231-000001');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('not_found');
  });
});
