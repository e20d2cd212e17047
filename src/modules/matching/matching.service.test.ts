import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { openTestDatabase, testBackends } from '../../platform/db/testing.ts';
import type { Api } from '../../platform/http/server.ts';
import { createTestApi, testPrincipal } from '../../platform/http/testing.ts';
import { AuditLog, auditMigrations } from '../audit/index.ts';
import { LifeCircleService, lifecircleMigrations, registerLifeCircleRoutes } from '../lifecircle/index.ts';
import { FIXTURE_ROADS, FIXTURE_STREETS } from '../lifecircle/lifecircle.fixture.ts';
import { matchingMigrations } from './matching.migrations.ts';
import { registerMatchingRoutes } from './matching.routes.ts';
import { MatchingService } from './matching.service.ts';

const window = { windowStart: '2026-12-08T11:00:00+08:00', windowEnd: '2026-12-08T12:30:00+08:00' };
const need = (id: string, lon: number, over: object = {}) => ({
  id,
  source: 'elderly_care',
  category: 'meal_delivery',
  lon,
  lat: 29.5,
  ...window,
  ...over,
});

/** Needs, resources, runs, explanations, KPIs and the gap-list hook, on each database engine, over the two-street fixture. */
describe.each(testBackends)('matching on %s', (kind) => {
  const clock = new ManualClock('2026-12-07T09:00:00+08:00');
  let database: Database;
  let matching: MatchingService;
  let api: Api;
  const city = testPrincipal('50', ['city_operator']);
  const street = testPrincipal('50/500103/500103002', ['street_operator']);
  const other = testPrincipal('50/500104', ['district_operator']);
  const call = async (method: 'GET' | 'POST', url: string, body?: unknown, token = 'city') =>
    api.inject({
      method,
      url,
      ...(body === undefined ? {} : { payload: body as object }),
      headers: { authorization: `Bearer ${token}` },
    });

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrateToLatest(database.db, [auditMigrations, lifecircleMigrations, matchingMigrations]);
    const audit = new AuditLog(clock);
    const lifecircle = new LifeCircleService({
      db: database.db,
      audit,
      clock,
      streets: async () => FIXTURE_STREETS,
      roads: async () => FIXTURE_ROADS,
    });
    matching = new MatchingService({
      db: database.db,
      audit,
      clock,
      model: () => lifecircle.walkingModel(),
      facilities: () => lifecircle.facilities(),
    });
    lifecircle.setUnmetNeedsSource(() => matching.unmetByStreet());
    api = await createTestApi({ city, street, other });
    registerLifeCircleRoutes(api, { lifecircle });
    registerMatchingRoutes(api, { matching });
    await api.ready();
  });
  afterAll(async () => {
    await api?.close();
    await database?.close();
  });

  it('refuses bad rows with 4xx naming row and field; nothing stored is lost', async () => {
    const ok = await call('POST', '/api/v1/matching/needs', { needs: [need('n1', 106.501)] });
    expect(ok.statusCode, ok.body).toBe(200);
    const cases: [unknown, number, object][] = [
      [
        { needs: [need('x1', 106.5), need('x2', 106.5, { category: 'casino' })] },
        422,
        { row: 2, field: 'category', reason: 'unknown_category' },
      ],
      [
        { needs: [need('x3', 106.5, { lon: null })] },
        422,
        { row: 1, field: 'lon', reason: 'missing_coordinates' },
      ],
      [
        { needs: [need('x4', 106.5, { windowEnd: '2026-12-08T10:00:00+08:00' })] },
        422,
        { field: 'windowEnd', reason: 'window_end_before_start' },
      ],
      [
        { needs: [need('x5', 106.5), need('n1', 106.6)] },
        409,
        { row: 2, id: 'n1', reason: 'already_stored' },
      ],
    ];
    for (const [body, status, details] of cases) {
      const r = await call('POST', '/api/v1/matching/needs', body);
      expect(r.statusCode, r.body).toBe(status);
      expect(r.json().error.details).toMatchObject(details);
    }
    const res = await call('POST', '/api/v1/matching/resources', {
      resources: [
        {
          id: 'v1',
          kind: 'volunteer',
          name: '志愿者',
          categories: ['meal_delivery'],
          capacity: 0,
          lon: 106.5,
          lat: 29.5,
          hours: [{ days: [2], open: '11:00', close: '13:00' }],
        },
      ],
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.details).toMatchObject({
      row: 1,
      field: 'capacity',
      reason: 'capacity_not_positive',
    });
    expect((await call('POST', '/api/v1/matching/needs', { needs: 'x' })).statusCode).toBe(400);
    expect((await call('POST', '/api/v1/matching/runs', undefined, 'street')).statusCode).toBe(403);
    const k = (await call('GET', '/api/v1/matching/kpis')).json();
    expect(k).toMatchObject({ needs: 1, pending: 1, resources: 0 });
  });

  it('matches by urgency then walking distance, within capacity and hours, and explains each match', async () => {
    const r = await call('POST', '/api/v1/matching/resources', {
      resources: [
        // Tuesday 2026-12-08, 11:00–13:00; 2 meals a day.
        {
          id: 'v1',
          kind: 'volunteer',
          name: '志愿者甲',
          categories: ['meal_delivery', '上门探访'],
          capacity: 2,
          lon: 106.5,
          lat: 29.5,
          radiusM: 1000,
          hours: [{ days: [2], open: '11:00', close: '13:00' }],
        },
        {
          id: 'p1',
          kind: 'provider',
          name: '居家养老服务中心',
          categories: ['meal_delivery'],
          capacity: 10,
          lon: 106.52,
          lat: 29.5,
          radiusM: 3000,
          hours: [{ days: [1, 2, 3, 4, 5, 6, 7], open: '08:00', close: '20:00' }],
        },
      ],
    });
    expect(r.statusCode, r.body).toBe(200);
    clock.advance(30 * 60_000);
    await call('POST', '/api/v1/matching/needs', {
      needs: [
        need('n2', 106.502, { urgency: 5 }),
        need('n3', 106.5, { urgency: 4, quantity: 2 }),
        need('n4', 106.52, {
          windowStart: '2026-12-08T21:00:00+08:00',
          windowEnd: '2026-12-08T22:00:00+08:00',
        }),
        need('n5', 106.524, { category: 'day_care' }),
      ],
    });
    clock.advance(3600_000);
    const run = await call('POST', '/api/v1/matching/runs');
    expect(run.statusCode, run.body).toBe(200);
    expect(run.json()).toMatchObject({ needs: 5, matched: 3, unmet: 2 });
    const items = (await call('GET', '/api/v1/matching/matches?limit=100')).json().items as {
      needId: string;
      resourceId: string | null;
      explanation: Record<string, unknown>;
    }[];
    const of = (id: string) => items.find((i) => i.needId === id)!;
    // n2 (most urgent) takes the volunteer nearby; n3 (2 meals) no longer fits it and walks to the provider.
    expect(of('n2')).toMatchObject({
      resourceId: 'v1',
      explanation: { order: 0, distance: { method: 'walk', mode: 'visit' }, capacity: { usedAfter: 1 } },
    });
    expect(of('n3').resourceId).toBe('p1');
    expect(of('n3').explanation).toMatchObject({ nearerRejected: { full: 1 } });
    expect(of('n1').resourceId).toBe('v1');
    expect(of('n4')).toMatchObject({ resourceId: null, explanation: { reason: 'closed_in_window' } });
    expect(of('n5')).toMatchObject({ resourceId: null, explanation: { reason: 'no_resource_in_reach' } });
    const k = (await call('GET', '/api/v1/matching/kpis')).json();
    expect(k).toMatchObject({ needs: 5, matched: 3, unmet: 2, pending: 0, shareMet: 0.6 });
    // n1 waited 1.5 h, n2 and n3 1 h.
    expect(k.medianMatchSeconds).toBe(3600);
    expect(k.p90MatchSeconds).toBe(5400);
    // The street operator of 乙镇 sees only its street's decisions.
    const mine = (await call('GET', '/api/v1/matching/matches', undefined, 'street')).json().items;
    expect(mine.map((i: { needId: string }) => i.needId).sort()).toEqual(['n4', 'n5']);
  });

  it('feeds unmet needs to the life circle gap list; a second run keeps earlier matches', async () => {
    const gaps = (await call('GET', '/api/v1/lifecircle/gaps?category=elderly_care&limit=10')).json()
      .items as {
      code: string;
      unmetNeeds: number;
    }[];
    expect(gaps.find((g) => g.code === '500103002')?.unmetNeeds).toBe(2);
    expect(gaps.find((g) => g.code === '500103001')?.unmetNeeds ?? 0).toBe(0);
    clock.advance(60_000);
    // Another district's operator matches only its own district's needs: none here.
    expect((await call('POST', '/api/v1/matching/runs', undefined, 'other')).json()).toMatchObject({
      needs: 0,
    });
    const again = (await call('POST', '/api/v1/matching/runs')).json();
    expect(again).toMatchObject({ needs: 2, matched: 0 });
    const k = (await call('GET', '/api/v1/matching/kpis')).json();
    expect(k).toMatchObject({ matched: 3, unmet: 2 });
  });
});
