import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import { ManualClock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { openTestDatabase, testBackends } from '../../platform/db/testing.ts';
import type { Api } from '../../platform/http/server.ts';
import { createTestApi, testPrincipal } from '../../platform/http/testing.ts';
import { createLogger } from '../../platform/logger.ts';
import { AuditLog, auditMigrations } from '../audit/index.ts';
import { SensingService, sensingMigrations } from '../sensing/index.ts';
import type { DemoSite } from './parking.demo.ts';
import { matchRequests } from './parking.match.ts';
import { parkingMigrations } from './parking.migrations.ts';
import { registerParkingRoutes } from './parking.routes.ts';
import { ParkingService } from './parking.service.ts';

const at = (local: string) => `${local}:00+08:00`;
const JFB = { lon: 106.577, lat: 29.557 };
const locator = {
  locate: (lon: number, lat: number) =>
    lon > 106.5 && lon < 106.7 && lat > 29.5 && lat < 29.6
      ? {
          path: '50/500103',
          chain: [
            { code: '50', name: '50', level: 'city' },
            { code: '500103', name: '500103', level: 'district' },
          ],
        }
      : undefined,
};

/** An office by Jiefangbei (weekday nights, weekends) and a residential compound 400 m off (weekday daytime). */
const SITES: DemoSite[] = [
  {
    id: 'office',
    name: '解放碑写字楼',
    ownerKind: 'office',
    districtCode: '500103',
    lon: 106.5775,
    lat: 29.5572,
    spaces: [
      { id: 'office-00', sensor: 'ps-t0' },
      { id: 'office-01', sensor: 'ps-t1' },
    ],
  },
  {
    id: 'home',
    name: '较场口小区',
    ownerKind: 'residential',
    districtCode: '500103',
    lon: 106.5745,
    lat: 29.5545,
    spaces: [{ id: 'home-00', sensor: null }],
  },
];

describe.each(testBackends)('parking on %s', (kind) => {
  // Monday 24 November 2025, 18:00 in Chongqing.
  const clock = new ManualClock(at('2025-11-24T18:00'));
  let database: Database;
  let sensing: SensingService;
  let parking: ParkingService;
  let api: Api;
  const call = async (method: 'GET' | 'POST', url: string, payload?: unknown, user?: string) => {
    const res = await api.inject({
      method,
      url,
      ...(payload === undefined ? {} : { payload: payload as object }),
      ...(user ? { headers: { authorization: `Bearer ${user}` } } : {}),
    });
    return { status: res.statusCode, body: res.json() };
  };
  const book = (spotId: string, from: string, to: string, plate = '渝A12345') =>
    call('POST', '/api/v1/parking/bookings', { spotId, plate, from: at(from), to: at(to) });

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrateToLatest(database.db, [auditMigrations, sensingMigrations, parkingMigrations]);
    const audit = new AuditLog(clock);
    parking = new ParkingService({
      db: database.db,
      audit,
      clock,
      logger: createLogger('silent'),
      locate: async (lon, lat) => locator.locate(lon, lat)?.path,
    });
    sensing = new SensingService({ db: database.db, audit, clock, locator, observers: [parking.observer()] });
    for (const id of ['ps-t0', 'ps-t1'])
      await sensing.devices.register(SYSTEM_PRINCIPAL, {
        id,
        type: 'ParkingSpot',
        name: id,
        ...JFB,
        metrics: ['status'],
      });
    await parking.addSites(SYSTEM_PRINCIPAL, SITES, true);
    api = await createTestApi({ op: testPrincipal('50/500103', ['district_operator']) });
    registerParkingRoutes(api, { parking });
    await api.ready();
  });
  afterAll(async () => {
    await api?.close();
    await database?.close();
  });

  it('lists the sites in scope with their free spaces now for the map layer, following the sensors', async () => {
    const sites = async (query = '') =>
      (await call('GET', `/api/v1/parking/sites${query}`, undefined, 'op')).body;
    // Monday 18:00: the compound shares (07:30–19:30), the office not yet (from 19:00).
    const six = await sites();
    expect(six.items).toMatchObject([
      { id: 'home', total: 1, free: 1, occupied: 0, sharedNow: true, lon: 106.5745, lat: 29.5545 },
      { id: 'office', total: 2, free: 0, occupied: 0, sharedNow: false },
    ]);
    expect(six.items[1].windows).toEqual([
      { days: [1, 2, 3, 4, 5], from: '19:00', to: '08:00' },
      { days: [6, 7], from: '00:00', to: '24:00' },
    ]);
    expect(six.totals).toEqual({ sites: 2, total: 3, free: 1, occupied: 0 });
    clock.set(new Date(at('2025-11-24T20:00')));
    try {
      const report = (status: string) =>
        sensing.ingest([
          {
            deviceId: 'ps-t0',
            payload: { observedAt: clock.now().toISOString(), status },
            receivedAt: clock.now(),
          },
        ]);
      expect((await sites()).items[1]).toMatchObject({ id: 'office', free: 2, occupied: 0, sharedNow: true });
      await report('occupied');
      expect((await sites()).items[1]).toMatchObject({ id: 'office', free: 1, occupied: 1 });
      expect((await sites()).totals).toEqual({ sites: 2, total: 3, free: 1, occupied: 1 });
      clock.advance(60_000);
      await report('free');
      expect((await sites()).items[1]).toMatchObject({ id: 'office', free: 2, occupied: 0 });
      // A running booking holds its space.
      const booked = await book('office-01', '2025-11-24T20:00', '2025-11-24T21:00');
      expect(booked.status).toBe(201);
      expect((await sites()).items[1]).toMatchObject({ id: 'office', free: 1, occupied: 0 });
      await call('POST', `/api/v1/parking/bookings/${booked.body.id}/cancel`, { plate: '渝A12345' });
      expect((await sites()).items[1]).toMatchObject({ id: 'office', free: 2 });
    } finally {
      clock.set(new Date(at('2025-11-24T18:00')));
    }
    expect((await sites('?area=500103')).items).toHaveLength(2);
    expect((await sites('?area=500101')).items).toHaveLength(0);
    expect((await call('GET', '/api/v1/parking/sites')).status).toBe(401);
    const bad = await call('GET', '/api/v1/parking/sites?area=', undefined, 'op');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request');
  });

  it('searches near a destination: sites in reach with the spaces offered and free for the window', async () => {
    const night = await call(
      'GET',
      `/api/v1/parking/spaces?lon=${JFB.lon}&lat=${JFB.lat}&radius=800&from=${encodeURIComponent(at('2025-11-24T19:30'))}&to=${encodeURIComponent(at('2025-11-24T23:00'))}`,
    );
    expect(night.status).toBe(200);
    expect(night.body.items.map((s: { id: string }) => s.id)).toEqual(['office', 'home']);
    expect(night.body.items[0]).toMatchObject({
      type: 'OffStreetParking',
      synthetic: true,
      totalSpotNumber: 2,
      availableSpotNumber: 2,
      freeSpots: ['office-00', 'office-01'],
    });
    expect(night.body.items[1]).toMatchObject({ availableSpotNumber: 0, freeSpots: [] });
    const near = await call(
      'GET',
      `/api/v1/parking/spaces?lon=${JFB.lon}&lat=${JFB.lat}&radius=100&from=${encodeURIComponent(at('2025-11-25T09:00'))}&to=${encodeURIComponent(at('2025-11-25T12:00'))}`,
    );
    expect(near.body.items.map((s: { id: string }) => s.id)).toEqual(['office']);
  });

  it('refuses bad input with 400 and a code', async () => {
    expect((await call('GET', '/api/v1/parking/spaces?lon=abc&lat=29.5&from=x&to=y')).status).toBe(400);
    const backwards = await book('office-00', '2025-11-24T22:00', '2025-11-24T20:00');
    expect(backwards).toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
    const plate = await call('POST', '/api/v1/parking/bookings', {
      spotId: 'office-00',
      plate: 'not a plate',
      from: at('2025-11-24T20:00'),
      to: at('2025-11-24T22:00'),
    });
    expect(plate.status).toBe(400);
    expect((await book('nowhere', '2025-11-24T20:00', '2025-11-24T22:00')).body.error.code).toBe('not_found');
    expect((await call('GET', '/api/v1/parking/bookings/not-a-uuid')).status).toBe(400);
  });

  it('refuses a booking outside the space’s offered window (office by day, compound by night)', async () => {
    const day = await book('office-00', '2025-11-25T09:00', '2025-11-25T12:00');
    expect(day.status).toBe(422);
    expect(day.body.error.code).toBe('outside_window');
    // Runs past 08:00, when the office wants its space back.
    expect((await book('office-00', '2025-11-25T06:00', '2025-11-25T09:00')).body.error.code).toBe(
      'outside_window',
    );
    expect((await book('home-00', '2025-11-24T20:00', '2025-11-24T22:00')).body.error.code).toBe(
      'outside_window',
    );
    // The compound shares by day; Friday night runs into the office's whole weekend (one stretch).
    expect((await book('home-00', '2025-11-25T09:00', '2025-11-25T17:00')).status).toBe(201);
    expect((await book('office-01', '2025-11-28T20:00', '2025-11-29T16:00')).status).toBe(201);
  });

  it('refuses a space already taken (409), lets it go on cancel', async () => {
    const first = await book('office-00', '2025-11-24T19:00', '2025-11-24T23:00');
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ status: 'booked', plate: '渝A***45', refParkingSite: 'office' });
    const clash = await book('office-00', '2025-11-24T22:00', '2025-11-25T01:00', '渝B54321');
    expect(clash).toMatchObject({ status: 409, body: { error: { code: 'taken' } } });
    // A wrong plate does not cancel someone else's booking.
    const wrong = await call('POST', `/api/v1/parking/bookings/${first.body.id}/cancel`, {
      plate: '渝B54321',
    });
    expect(wrong.status).toBe(404);
    const cancelled = await call('POST', `/api/v1/parking/bookings/${first.body.id}/cancel`, {
      plate: '渝A12345',
    });
    expect(cancelled.body.status).toBe('cancelled');
    expect((await book('office-00', '2025-11-24T22:00', '2025-11-25T01:00', '渝B54321')).status).toBe(201);
  });

  it('releases a no-show after the grace, confirms an occupied booking by its sensor, flags an overstay', async () => {
    const noShow = await book('office-01', '2025-11-24T19:00', '2025-11-24T21:00', '渝C11111');
    const kept = (
      await call(
        'GET',
        '/api/v1/parking/spaces?lon=106.577&lat=29.557&radius=300&from=' +
          encodeURIComponent(at('2025-11-24T19:00')) +
          '&to=' +
          encodeURIComponent(at('2025-11-24T21:00')),
      )
    ).body;
    // office-00 is booked from 22:00 only.
    expect(kept.items[0].freeSpots).toEqual(['office-00']);
    const before = await parking.queries.utilisation({ day: '2025-11-24' });

    clock.set(at('2025-11-24T19:10'));
    expect(await parking.sweep()).toEqual({ noShows: 0, overstays: 0 });
    clock.set(at('2025-11-24T19:16'));
    expect(await parking.sweep()).toEqual({ noShows: 1, overstays: 0 });
    expect((await call('GET', `/api/v1/parking/bookings/${noShow.body.id}`)).body).toMatchObject({
      status: 'no_show',
    });
    // Released: the space can be booked again.
    const again = await book('office-01', '2025-11-24T19:20', '2025-11-24T21:00', '渝D22222');
    expect(again.status).toBe(201);

    // The car arrives: the spot's sensor reports occupied through sensing's intake.
    clock.set(at('2025-11-24T19:26'));
    const r = await sensing.ingest([
      {
        deviceId: 'ps-t1',
        payload: { observedAt: at('2025-11-24T19:25'), status: 'occupied' },
        receivedAt: clock.now(),
      },
    ]);
    expect(r.deadLettered).toBe(0);
    const confirmed = (await call('GET', `/api/v1/parking/bookings/${again.body.id}`)).body;
    expect(confirmed).toMatchObject({
      status: 'occupied',
      occupiedAt: new Date(at('2025-11-24T19:25')).toISOString(),
    });
    expect((await call('GET', '/api/v1/parking/spots/office-01')).body).toMatchObject({
      type: 'ParkingSpot',
      status: 'occupied',
      category: ['offStreet'],
      refParkingSite: 'office',
      refDevice: 'ps-t1',
    });
    expect((await call('GET', '/api/v1/parking/spots/nowhere')).status).toBe(404);
    const after = await parking.queries.utilisation({ day: '2025-11-24' });
    expect(after.utilisationAfter).toBeGreaterThan(before.utilisationAfter);
    expect(after.utilisationBefore).toBe(before.utilisationBefore);
    const occupiedNow = (
      await call(
        'GET',
        `/api/v1/parking/spaces?lon=106.577&lat=29.557&radius=300&from=${encodeURIComponent(at('2025-11-24T23:00'))}&to=${encodeURIComponent(at('2025-11-24T23:30'))}`,
      )
    ).body;
    expect(occupiedNow.items[0]).toMatchObject({ occupiedSpotNumber: 1, occupancy: 0.5 });

    // Still there 16 minutes after the end: flagged; leaving completes the booking.
    clock.set(at('2025-11-24T21:16'));
    expect(await parking.sweep()).toEqual({ noShows: 0, overstays: 1 });
    expect((await call('GET', `/api/v1/parking/bookings/${again.body.id}`)).body.overstay).toBe(true);
    await sensing.ingest([
      {
        deviceId: 'ps-t1',
        payload: { observedAt: at('2025-11-24T21:20'), status: 'free' },
        receivedAt: clock.now(),
      },
    ]);
    expect((await call('GET', `/api/v1/parking/bookings/${again.body.id}`)).body.status).toBe('completed');
  });

  it('reports utilisation to operators only, and refuses an unknown site', async () => {
    expect((await call('GET', '/api/v1/parking/utilisation?day=2025-11-24')).status).toBe(401);
    const u = await call('GET', '/api/v1/parking/utilisation?day=2025-11-24&site=office', undefined, 'op');
    expect(u.status).toBe(200);
    expect(u.body).toMatchObject({ day: '2025-11-24', spaces: 2 });
    expect(u.body.utilisationAfter).toBeGreaterThan(u.body.utilisationBefore);
    expect(
      (await call('GET', '/api/v1/parking/utilisation?day=2025-11-24&site=x', undefined, 'op')).status,
    ).toBe(404);
  });

  it('matches requests to spaces within walking distance and their windows', async () => {
    const reqs = [
      { id: 'a', ...JFB, from: at('2025-11-25T20:00'), to: at('2025-11-25T22:00'), maxWalkM: 500 },
      { id: 'b', ...JFB, from: at('2025-11-25T20:30'), to: at('2025-11-25T21:00'), maxWalkM: 500 },
      { id: 'c', ...JFB, from: at('2025-11-25T21:00'), to: at('2025-11-25T23:00'), maxWalkM: 500 },
      { id: 'd', ...JFB, from: at('2025-11-25T20:40'), to: at('2025-11-25T21:00'), maxWalkM: 500 },
      { id: 'e', ...JFB, from: at('2025-11-25T10:00'), to: at('2025-11-25T12:00'), maxWalkM: 500 },
      { id: 'f', ...JFB, from: at('2025-11-25T10:00'), to: at('2025-11-25T12:00'), maxWalkM: 10 },
    ];
    expect((await call('POST', '/api/v1/parking/match', { requests: reqs })).status).toBe(401);
    expect((await call('POST', '/api/v1/parking/match', { requests: [] }, 'op')).body).toMatchObject({
      matched: 0,
    });
    expect(
      matchRequests(
        [],
        reqs.map((r) => ({ ...r, from: Date.parse(r.from), to: Date.parse(r.to) })),
        { from: 0, to: 1, offsetMin: 480 },
      ).matched,
    ).toBe(0);
    const m = await call('POST', '/api/v1/parking/match', { requests: reqs }, 'op');
    expect(m.status).toBe(200);
    const spot = Object.fromEntries(
      m.body.assignments.map((a: { request: string; spotId: string }) => [a.request, a.spotId]),
    );
    expect(spot.a).toMatch(/^office-/);
    expect(spot.b).toMatch(/^office-/);
    expect(spot.b).not.toBe(spot.a);
    expect(spot.d).toBeNull();
    expect(spot.c).toMatch(/^office-/);
    expect(spot.e).toBe('home-00');
    expect(spot.f).toBeNull();
    expect(m.body.matched).toBe(4);
  });
});
