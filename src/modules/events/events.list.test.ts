import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../../platform/db/testing.ts';
import type { Api } from '../../platform/http/server.ts';
import { openEventCentreApi } from './events.fixture.ts';

const EAST = { lon: 106.58, lat: 29.556 }; // 解放碑街道 500103003
const WEST = { lon: 106.56, lat: 29.556 }; // 七星岗街道 500103001

/** The operator's feed filters and the area the KPIs are of, through the real HTTP stack. */
describe.each(testBackends)('event list filters on %s', (kind) => {
  let api: Api;
  let close: (() => Promise<void>) | undefined;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    ({ api, close } = await openEventCentreApi(kind, ['street', 'district'], { eventRoutes: true }));
    const file = async (key: string, description: string, location: typeof EAST, priority?: string) => {
      const r = await api.inject({
        method: 'POST',
        url: '/api/v1/citizen/requests',
        payload: { description, location, ...(priority ? { priority } : {}) },
      });
      expect(r.statusCode, r.body).toBe(201);
      ids[key] = r.json().event.id;
    };
    await file('noise', '解放碑夜里施工噪音很大', EAST);
    await file('litter', '七星岗路边垃圾堆放 100%_未清', WEST);
    await file('urgent', '解放碑井盖缺失有人掉落危险', EAST, 'urgent');
  }, 180_000);
  afterAll(() => close?.());

  const list = async (query: string, user = 'district') => {
    const r = await api.inject({
      method: 'GET',
      url: `/api/v1/events?${query}`,
      headers: { authorization: `Bearer ${user}` },
    });
    return r;
  };
  const idsOf = async (query: string, user = 'district') =>
    ((await list(query, user)).json().items as { id: string }[]).map((e) => e.id).sort();

  it('searches the description as literal text, the id by its start', async () => {
    expect(await idsOf('q=噪音')).toEqual([ids.noise]);
    expect(await idsOf(`q=${encodeURIComponent('100%_')}`)).toEqual([ids.litter]);
    // '%' alone is a character, not a wildcard: nothing contains it but the litter report.
    expect(await idsOf('q=%25')).toEqual([ids.litter]);
    expect(await idsOf(`q=${ids.urgent?.slice(0, 8)}`)).toEqual([ids.urgent]);
    expect(await idsOf('q=不存在的词')).toEqual([]);
  });

  it('filters by priority and narrows to one area inside the scope', async () => {
    expect(await idsOf('priority=urgent')).toEqual([ids.urgent]);
    expect(await idsOf('within=50/500103/500103001')).toEqual([ids.litter]);
    expect(await idsOf('within=50/500103/500103003')).toEqual([ids.noise, ids.urgent].sort());
    // A street operator asking for the other street sees nothing of it: within only narrows.
    expect(await idsOf('within=50/500103/500103001', 'street')).toEqual([]);
  });

  it('refuses a malformed filter with a code, and lists nothing less for it', async () => {
    for (const q of ['within=../50', 'priority=extreme', `q=${'长'.repeat(101)}`]) {
      const r = await list(q);
      expect(r.statusCode, q).toBe(400);
      expect(r.json().error.code, q).toBe('invalid_request');
    }
    expect(await idsOf('limit=100')).toHaveLength(3);
  });

  it('computes the KPIs of the area viewed, not of the whole scope', async () => {
    const kpis = async (query: string) =>
      (
        await api.inject({
          method: 'GET',
          url: `/api/v1/kpis?${query}`,
          headers: { authorization: 'Bearer district' },
        })
      ).json();
    expect((await kpis('')).events).toBe(3);
    expect((await kpis('within=50/500103/500103003')).events).toBe(2);
    expect((await kpis('within=50/500103/500103001')).events).toBe(1);
  });
});
