import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import { ManualClock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { testBackends } from '../../platform/db/testing.ts';
import { createTestApi, testPrincipal } from '../../platform/http/testing.ts';
import type { SensingService } from '../sensing/index.ts';
import { minuteReadings, openTestTraffic, TEST_ROADS } from './traffic.fixture.ts';
import { travelTimeIndex } from './traffic.levels.ts';
import { registerTrafficRoutes } from './traffic.routes.ts';
import type { TrafficService } from './traffic.service.ts';
import type { CongestionAlert } from './traffic.subjects.ts';

const at = (hhmm: string) => Date.parse(`2025-11-24T${hhmm}:00+08:00`);

describe.each(testBackends)('traffic on %s', (kind) => {
  const clock = new ManualClock('2025-11-24T05:00:00+08:00');
  let database: Database;
  let sensing: SensingService;
  let traffic: TrafficService;
  let published: { subject: string; alert: CongestionAlert }[];

  beforeAll(async () => {
    ({ database, sensing, traffic, published } = await openTestTraffic(kind, clock, {
      lookbackMinutes: 180,
    }));
  });
  afterAll(() => database?.close());

  it('refuses a broken network whole, naming the feature, and imports a good one with its detectors', async () => {
    const broken = structuredClone(TEST_ROADS);
    (broken.features[2]!.geometry as { coordinates: unknown }).coordinates = [[106.6, 29.0]];
    await expect(traffic.importNetwork(SYSTEM_PRINCIPAL, broken)).rejects.toMatchObject({
      code: 'invalid_data',
      message: expect.stringContaining('feature 2 (id qj-1)'),
    });
    const outside = structuredClone(TEST_ROADS);
    (outside.features[1]!.geometry as { coordinates: unknown }).coordinates = [
      [120, 40],
      [120.01, 40],
    ];
    await expect(traffic.importNetwork(SYSTEM_PRINCIPAL, outside)).rejects.toThrow(
      /feature 1 \(id jfb-2\): .*outside the city/,
    );
    expect(await traffic.linkCount()).toBe(0);
    const operator = testPrincipal('50/500103', ['district_operator']);
    await expect(traffic.importNetwork(operator, TEST_ROADS)).rejects.toMatchObject({ code: 'forbidden' });

    const r = await traffic.importNetwork(SYSTEM_PRINCIPAL, TEST_ROADS);
    expect(r).toEqual({ links: 3, byClass: { arterial: 2, secondary: 1 }, detectors: 3, unmapped: 1 });
    expect(traffic.linkOfDetector('tf-a')).toBe('jfb-1');
    expect(traffic.linkOfDetector('tf-b')).toBe('jfb-2');
    expect(traffic.linkOfDetector('tf-q')).toBe('qj-1');
    expect(traffic.linkOfDetector('tf-far')).toBeUndefined();
  });

  it('dead-letters readings for unknown links and negative or absurd speeds, with the reason', async () => {
    const now = clock.now();
    const obs = (deviceId: string, extra: Record<string, unknown>) => ({
      deviceId,
      payload: { observedAt: now.toISOString(), intensity: 5, ...extra },
      receivedAt: now,
    });
    const r = await sensing.ingest([
      obs('tf-far', { averageVehicleSpeed: 40 }),
      obs('tf-a', { averageVehicleSpeed: 40, refRoadSegment: 'no-such-link' }),
      obs('tf-a', { averageVehicleSpeed: -5 }),
      obs('tf-b', { averageVehicleSpeed: 250 }),
      obs('tf-b', { averageVehicleSpeed: 38, refRoadSegment: 'jfb-2' }),
    ]);
    expect(r).toMatchObject({ received: 5, deadLettered: 4, stored: 2 });
    const dead = await sensing.deadLetters(SYSTEM_PRINCIPAL, { limit: 10 });
    const byDevice = dead.map((d) => `${d.deviceId} ${d.reason}: ${d.detail}`).sort();
    expect(byDevice).toEqual([
      'tf-a out_of_range: averageVehicleSpeed -5 is outside 0–200 km/h',
      "tf-a unknown_link: refRoadSegment 'no-such-link' is not a link of the road network",
      'tf-b out_of_range: averageVehicleSpeed 250 is outside 0–200 km/h',
      "tf-far unknown_link: detector 'tf-far' is on no link of the road network (none within 1000 m)",
    ]);
  });

  it('computes a day’s index, peaks and arterial speed from the readings (night speeds as free flow)', async () => {
    // Night 01:00–04:00 at 55 km/h on the arterial: its free flow. The secondary road has no night data (class default 40).
    await sensing.ingest(minuteReadings('tf-a', at('01:00'), at('04:00'), () => 55, 2));
    clock.set(new Date(at('08:05')));
    // Morning peak: the arterial at 20 km/h (TTI 2.75), the secondary road at 30 km/h (TTI 1.33).
    await sensing.ingest(minuteReadings('tf-a', at('07:00'), at('08:00'), () => 20, 20));
    await sensing.ingest(minuteReadings('tf-b', at('07:00'), at('08:00'), () => 30, 10));
    const x = await traffic.queries.index(SYSTEM_PRINCIPAL, { day: '2025-11-24' });
    const links = await traffic.queries.links(SYSTEM_PRINCIPAL, { at: new Date(at('08:05')).toISOString() });
    const len = new Map(links.items.map((l) => [l.id, l.lengthM / 1000]));
    const w1 = len.get('jfb-1')! * 20;
    const w2 = len.get('jfb-2')! * 10;
    const expected = (w1 * travelTimeIndex(55, 20) + w2 * travelTimeIndex(40, 30)) / (w1 + w2);
    // 07:00–08:00 is half the morning peak; the figure is over the slots with data.
    expect(x.figures.morningPeakTti).toBeCloseTo(expected, 3);
    expect(x.figures.peakTti).toBeCloseTo(expected, 3);
    expect(x.figures.peakLevel).toBe('severe');
    expect(x.figures.peakArterialSpeedKmh).toBe(20);
    expect(x.figures.links).toBe(2);
    expect(x.curve).toHaveLength(288);
    expect(x.curve[12]).toBe(1); // 01:00, the arterial at its own free-flow speed
    expect(x.curve[7 * 12]).toBeCloseTo(expected, 3);
    expect(x.districts.map((d) => d.code)).toEqual(['500103', '500110']);
    expect(links.items.find((l) => l.id === 'jfb-1')).toMatchObject({
      freeFlowKmh: 55,
      speedKmh: 20,
      level: 'severe',
      tti: 2.75,
    });
    expect(links.counts).toMatchObject({ severe: 1, basic: 1, none: 1 });
  });

  it('raises a congestion alert after 15 minutes at severe, once, and clears it when the link recovers', async () => {
    const first = await traffic.evaluate();
    expect(first.raised.map((a) => [a.linkId, a.startedAt, a.raisedAt, a.clearedAt])).toEqual([
      ['jfb-1', new Date(at('07:00')).toISOString(), new Date(at('07:15')).toISOString(), null],
    ]);
    expect(first.raised[0]).toMatchObject({
      minutes: 15,
      level: 'severe',
      linkName: '民族路',
      jurisdictionPath: '50/500103/500103001',
    });
    expect((await traffic.evaluate()).raised).toEqual([]);
    // Still severe to 08:30, then back to 50 km/h.
    clock.set(new Date(at('09:10')));
    await sensing.ingest(minuteReadings('tf-a', at('08:00'), at('08:30'), () => 18, 25));
    await sensing.ingest(minuteReadings('tf-a', at('08:30'), at('09:05'), () => 50, 12));
    const second = await traffic.evaluate();
    expect(second.raised).toEqual([]);
    expect(second.cleared).toHaveLength(1);
    expect(second.cleared[0]).toMatchObject({
      linkId: 'jfb-1',
      clearedAt: new Date(at('08:30')).toISOString(),
    });
    expect(second.cleared[0]!.peakTti).toBeCloseTo(55 / 18, 3);
    expect((await traffic.evaluate()).cleared).toEqual([]);
    expect(published.map((p) => p.subject)).toEqual([
      'traffic.congestion.raised',
      'traffic.congestion.cleared',
    ]);
  });

  it('serves the layer, index, arterial speed and alerts, scoped, with declared access', async () => {
    const city = testPrincipal('50', ['city_operator']);
    const street = testPrincipal('50/500103/500103001', ['street_operator']);
    const api = await createTestApi({ city, street });
    registerTrafficRoutes(api, { traffic });
    await api.ready();
    const get = (url: string, token?: string) =>
      api.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });
    expect((await get('/api/v1/traffic/links')).statusCode).toBe(401);
    const mine = (await get('/api/v1/traffic/links', 'street')).json();
    expect(mine.items.map((l: { id: string }) => l.id)).toEqual(['jfb-1', 'jfb-2']);
    // The live part without geometry: the same links in the same order, the same states and counts.
    expect((await get('/api/v1/traffic/levels')).statusCode).toBe(401);
    const levels = (await get('/api/v1/traffic/levels', 'street')).json();
    expect(levels.ids).toEqual(['jfb-1', 'jfb-2']);
    expect(levels.counts).toEqual(mine.counts);
    expect(levels.levels).toEqual(mine.items.map((l: { level: string | null }) => l.level));
    expect(levels.speedKmh).toEqual(mine.items.map((l: { speedKmh: number | null }) => l.speedKmh));
    expect(levels.tti).toEqual(mine.items.map((l: { tti: number | null }) => l.tti));
    expect((await get('/api/v1/traffic/levels?class=motorway', 'street')).json().error.code).toBe(
      'invalid_request',
    );
    const idx = await get('/api/v1/traffic/index?day=2025-11-24&area=500103&compareDay=2025-11-23', 'city');
    expect(idx.statusCode).toBe(200);
    expect(idx.json()).toMatchObject({ area: '500103', compare: { figures: { peakTti: null } } });
    expect(idx.json().figures.peakLevel).toBe('severe');
    const speed = (await get('/api/v1/traffic/arterial-speed?day=2025-11-24', 'city')).json();
    expect(speed.peakSpeedKmh).toBeLessThan(25);
    expect(speed.curve).toHaveLength(288);
    expect((await get('/api/v1/traffic/index?day=24-11-2025', 'city')).json().error.code).toBe(
      'invalid_request',
    );
    const alerts = (await get('/api/v1/traffic/alerts', 'street')).json();
    expect(alerts.items).toHaveLength(1);
    expect(alerts.items[0].clearedAt).not.toBeNull();
    const post = await api.inject({
      method: 'POST',
      url: '/api/v1/traffic/network',
      headers: { authorization: 'Bearer city' },
      payload: TEST_ROADS,
    });
    expect(post.statusCode).toBe(403);
    await api.close();
  });
  it('shows a link’s current slot on the layer as it fills, else its latest closed slot', async () => {
    clock.set(new Date(at('10:02')));
    // 09:55–10:00 closed at 50 km/h; the current slot 10:00–10:05 has one crawling reading so far.
    await sensing.ingest(minuteReadings('tf-a', at('09:55'), at('10:00'), () => 50, 10));
    const closed = await traffic.queries.links(SYSTEM_PRINCIPAL, {});
    expect(closed.items.find((l) => l.id === 'jfb-1')).toMatchObject({
      slotStart: new Date(at('09:55')).toISOString(),
      speedKmh: 50,
    });
    await sensing.ingest(minuteReadings('tf-a', at('10:01'), at('10:02'), () => 10, 10));
    const live = await traffic.queries.links(SYSTEM_PRINCIPAL, {});
    expect(live.items.find((l) => l.id === 'jfb-1')).toMatchObject({
      slotStart: new Date(at('10:00')).toISOString(),
      speedKmh: 10,
      level: 'severe',
    });
    const levels = await traffic.queries.levels(SYSTEM_PRINCIPAL, {});
    const i = levels.ids.indexOf('jfb-1');
    expect([levels.levels[i], levels.speedKmh[i]]).toEqual(['severe', 10]);
    expect(levels.counts).toEqual(live.counts);
  });
});
