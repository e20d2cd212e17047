import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import { ManualClock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { openTestDatabase, testBackends } from '../../platform/db/testing.ts';
import type { Api } from '../../platform/http/server.ts';
import { createTestApi, testPrincipal } from '../../platform/http/testing.ts';
import { AlgorithmRegistry, algorithmMigrations, registerAlgorithmRoutes } from '../algorithms/index.ts';
import { AuditLog, auditMigrations } from '../audit/index.ts';
import { FIXTURE_STREETS } from './patrol.fixture.ts';
import { patrolMigrations } from './patrol.migrations.ts';
import type { Incident } from './patrol.model.ts';
import { registerPatrolRoutes } from './patrol.routes.ts';
import { PatrolService } from './patrol.service.ts';

const FILING = path.resolve(import.meta.dirname, '../../../data/algorithms/patrol.v1.json');
const NOW = Date.parse('2026-12-07T01:00:00Z');
const WEEK = 7 * 86_400_000;

/** A year of stored events: a hot corner in each street, a background, and patrol-found incidents elsewhere. */
function storedEvents(): Incident[] {
  let seed = 11;
  const rand = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  const out: Incident[] = [];
  const add = (lon: number, lat: number, at: number, source: string) =>
    out.push({ id: `e${out.length}`, lon, lat, at, source, synthetic: false });
  for (let w = 52; w >= 1; w--) {
    const t = NOW - w * WEEK;
    for (let k = 0; k < 6; k++)
      add(106.495 + rand() * 0.0005, 29.495 + rand() * 0.0005, t + k * 1000, 'citizen');
    for (let k = 0; k < 4; k++)
      add(106.527 + rand() * 0.0005, 29.503 + rand() * 0.0005, t + k * 1000, 'citizen');
    for (let k = 0; k < 6; k++) add(106.49 + rand() * 0.045, 29.49 + rand() * 0.02, t + 5000 + k, 'citizen');
    for (let k = 0; k < 30; k++)
      add(106.51 + rand() * 0.0005, 29.51 + rand() * 0.0005, t + 9000 + k, 'patrol');
  }
  return out;
}

/** Hot spots, plans through the filed algorithm (logged with reasons), the cap, displacement, on each database. */
describe.each(testBackends)('patrol on %s', (kind) => {
  const clock = new ManualClock(new Date(NOW).toISOString());
  let database: Database;
  let registry: AlgorithmRegistry;
  let patrol: PatrolService;
  let api: Api;
  const district = testPrincipal('50/500103', ['district_operator']);
  const street = testPrincipal('50/500103/500103002', ['street_operator']);
  const officer = testPrincipal('50/500103/500103002', ['field_officer']);
  const auditor = testPrincipal('50', ['auditor']);
  const call = (method: 'GET' | 'POST', url: string, token: string, payload?: object) =>
    api.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload ? { payload } : {}),
    });

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrateToLatest(database.db, [auditMigrations, algorithmMigrations, patrolMigrations]);
    const audit = new AuditLog(clock);
    registry = new AlgorithmRegistry({ db: database.db, audit, clock, refreshMs: 100, flushMs: 20 });
    await registry.start();
    const events = storedEvents();
    patrol = new PatrolService({
      db: database.db,
      clock,
      algorithms: registry,
      streets: async () => FIXTURE_STREETS,
      incidents: async (from, to) => events.filter((e) => e.at >= from.getTime() && e.at <= to.getTime()),
    });
    api = await createTestApi({ district, street, officer, auditor });
    registerPatrolRoutes(api, { patrol });
    registerAlgorithmRoutes(api, { registry });
    await api.ready();
  });
  afterAll(async () => {
    await api?.close();
    await registry?.stop();
    await database?.close();
  });

  it('refuses to plan while the algorithm is not filed and in use', async () => {
    expect((await call('GET', '/api/v1/patrol/beats/mine', 'officer')).json()).toEqual({
      plan: null,
      beats: [],
    });
    const r = await call('POST', '/api/v1/patrol/plans', 'district', { beats: 4, shareCap: 0.6 });
    expect(r.statusCode, r.body).toBe(409);
    expect(r.json().error.details.reason).toBe('algorithm_not_in_use');
  });

  it('finds the hot spots from reported incidents only, with the held-out PAI beside a count baseline', async () => {
    await registry.loadRegisterFile(FILING, SYSTEM_PRINCIPAL);
    const r = await call('GET', '/api/v1/patrol/hotspots?limit=5', 'street');
    expect(r.statusCode, r.body).toBe(200);
    const { model, cells } = r.json();
    expect(model.fromReportedOnly).toBe(true);
    expect(model.sources).toEqual(['citizen']);
    expect(model.excluded.patrol).toBeGreaterThan(1000);
    expect(model.accuracy.testWeeks).toHaveLength(8);
    expect(model.accuracy.pai).toBeGreaterThan(5);
    expect(model.baseline.curve).toHaveLength(6);
    // The street operator sees only cells of its own street; the patrol-found pile is not a hot spot.
    expect(cells.every((c: { streetCode: string }) => c.streetCode === '500103002')).toBe(true);
    const all = (await call('GET', '/api/v1/patrol/hotspots?limit=3', 'district')).json().cells;
    expect(all[0].lon).toBeCloseTo(106.495, 2);
    expect(
      all.some(
        (c: { lon: number; lat: number }) =>
          Math.abs(c.lon - 106.51) < 0.002 && Math.abs(c.lat - 29.51) < 0.002,
      ),
    ).toBe(false);
  });

  it('plans beats with hours under the share cap; the plan is a logged decision with its reasons', async () => {
    const r = await call('POST', '/api/v1/patrol/plans', 'district', {
      beats: 6,
      totalHours: 60,
      shareCap: 0.6,
    });
    expect(r.statusCode, r.body).toBe(200);
    const plan = r.json();
    expect(plan.beats.length).toBe(6);
    expect(plan.maxAreaShare).toBeLessThanOrEqual(0.6005);
    expect(plan.beats.reduce((a: number, b: { hours: number }) => a + b.hours, 0)).toBeCloseTo(60, 0);
    expect(plan.algorithm).toEqual({ key: 'patrol.hotspot-plan', version: '1.0.0' });
    expect(plan.model.fromReportedOnly).toBe(true);
    expect(plan.reasons.join(' ')).toContain('reported incidents');
    const why = await call('GET', `/api/v1/why?subjectType=patrol_plan&subjectId=${plan.id}`, 'auditor');
    expect(why.statusCode, why.body).toBe(200);
    const items = why.json().decisions;
    expect(items[0]).toMatchObject({ key: 'patrol.hotspot-plan', outcome: 'decided' });
    expect(items[0].explanation.text).toContain('PAI');
    expect((await call('GET', `/api/v1/patrol/plans/${plan.id}`, 'street')).statusCode).toBe(404);
    // The officer of 乙街道 sees the beats of the district's plan in their street only.
    const mine = (await call('GET', '/api/v1/patrol/beats/mine', 'officer')).json();
    expect(mine.plan.id).toBe(plan.id);
    expect(mine.beats.length).toBeGreaterThan(0);
    expect(mine.beats.every((b: { streetCode: string }) => b.streetCode === '500103002')).toBe(true);
    expect((await call('GET', `/api/v1/patrol/plans/${plan.id}`, 'district')).json().id).toBe(plan.id);
  });

  it('refuses a plan that would break the cap with 422 naming the area; nothing stored', async () => {
    const before = (await call('GET', '/api/v1/patrol/plans', 'district')).json().items.length;
    const r = await call('POST', '/api/v1/patrol/plans', 'district', { beats: 6, shareCap: 0.3 });
    expect(r.statusCode, r.body).toBe(422);
    expect(r.json().error.code).toBe('share_cap_exceeded');
    expect(r.json().error.details.area).toMatch(/^50010300[12]$/);
    expect(r.json().error.details.areaName).toMatch(/街道$/);
    const manual = await call('POST', '/api/v1/patrol/plans', 'district', {
      beats: 3,
      shareCap: 0.7,
      hours: { B1: 100, B2: 1, B3: 1 },
    });
    expect(manual.statusCode, manual.body).toBe(422);
    expect(manual.json().error.details).toMatchObject({ level: 'street', shareCap: 0.7 });
    expect((await call('GET', '/api/v1/patrol/plans', 'district')).json().items.length).toBe(before);
    for (const [body, token, status] of [
      [{ beats: 0 }, 'district', 400],
      [{ shareCap: 1.5 }, 'district', 400],
      [{ capLevel: 'city' }, 'district', 400],
      [{ asOf: '2030-01-01T00:00:00Z' }, 'district', 400],
      [{ beats: 3, shareCap: 0.7 }, 'officer', 403],
    ] as const) {
      const x = await call('POST', '/api/v1/patrol/plans', token, body);
      expect(x.statusCode, JSON.stringify(body)).toBe(status);
      expect(x.json().error.code).toBeTruthy();
    }
  });

  it('checks displacement on the rings around a past plan’s beats (WDQ)', async () => {
    const asOf = new Date(NOW - 6 * WEEK).toISOString();
    const plan = (
      await call('POST', '/api/v1/patrol/plans', 'district', { beats: 2, shareCap: 0.6, asOf })
    ).json();
    expect(plan.asOf).toBe(asOf);
    const r = await call('GET', `/api/v1/patrol/plans/${plan.id}/displacement?weeks=4`, 'district');
    expect(r.statusCode, r.body).toBe(200);
    const d = r.json();
    expect(d.treatedCells).toBeGreaterThan(0);
    expect(d.bufferCells).toBeGreaterThan(0);
    expect(d.before.treated + d.before.buffer + d.before.control).toBeGreaterThan(50);
    expect(d.after.complete).toBe(true);
    expect(['diffusion', 'displacement', 'no_change_in_buffer', 'no_success']).toContain(d.finding);
    expect((await call('GET', '/api/v1/patrol/plans/not-a-uuid/displacement', 'district')).statusCode).toBe(
      400,
    );
  });
});
