import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../../platform/db/testing.ts';
import type { Api } from '../../platform/http/server.ts';
import { createTestApi, testPrincipal } from '../../platform/http/testing.ts';
import { openEventCentre, people } from './events.fixture.ts';
import { EventInsights } from './events.insights.ts';
import { registerWorkloadRoutes } from './events.workload.routes.ts';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const principals = {
  district: people.district,
  street: people.street,
  other: people.otherStreet,
  city: testPrincipal('50', ['city_operator']),
};
type Row = { code: string; openEvents: number; liveTasks: number; overdueTasks: number };

describe.each(testBackends)('workload per area (choropleth) on %s', (kind) => {
  let ec: Awaited<ReturnType<typeof openEventCentre>>;
  let app: Api;
  const workload = async (who: keyof typeof principals) => {
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/areas/workload',
      headers: { authorization: `Bearer ${who}` },
    });
    expect(res.statusCode).toBe(200);
    return new Map((res.json().items as Row[]).map((r) => [r.code, r]));
  };

  beforeAll(async () => {
    ec = await openEventCentre(kind);
    app = await createTestApi(principals);
    registerWorkloadRoutes(app, new EventInsights({ db: ec.db, dispatch: ec.dispatch, clock: ec.clock }));
    await app.ready();
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await ec?.close();
  });

  it('counts open events and overdue tasks for every level of their paths, and only in scope', async () => {
    // Jiefangbei (east): barbecue smoke → a street task and a district co-task; street vending →
    // one task; a vague report waits in triage (open, no task).
    const smoke = await ec.events.intake(people.citizen, 'citizen', {
      description: '较场口夜市烧烤油烟太大',
      location: { lon: 106.574, lat: 29.551 },
    });
    const vending = await ec.events.intake(people.citizen, 'citizen', {
      description: '商场门口有流动摊贩',
      location: { lon: 106.58, lat: 29.556 },
    });
    await ec.events.intake(people.citizen, 'citizen', {
      description: '路边好像有点问题',
      location: { lon: 106.582, lat: 29.557 },
    });
    // Qixinggang (west): street vending → one task.
    await ec.events.intake(people.citizen, 'citizen', {
      description: '人行道上有人摆摊卖菜',
      location: { lon: 106.56, lat: 29.553 },
    });
    expect(smoke.tasks).toHaveLength(2);
    expect(vending.tasks).toHaveLength(1);

    let w = await workload('district');
    expect(w.get('500103003')).toEqual({ code: '500103003', openEvents: 3, liveTasks: 3, overdueTasks: 0 });
    expect(w.get('500103001')).toEqual({ code: '500103001', openEvents: 1, liveTasks: 1, overdueTasks: 0 });
    expect(w.get('500103')).toEqual({ code: '500103', openEvents: 4, liveTasks: 4, overdueTasks: 0 });

    // Accept limits are 15 min. The smoke lead task is accepted in time; at +20 min the smoke
    // co-task and both vending tasks have missed theirs.
    const lead = smoke.tasks.find((t) => t.role === 'lead')!;
    await ec.dispatch.act(people.district, lead.id, 'accept');
    ec.clock.advance(20 * 60_000);
    w = await workload('district');
    expect(w.get('500103003')).toMatchObject({ openEvents: 3, liveTasks: 3, overdueTasks: 2 });
    expect(w.get('500103001')).toMatchObject({ overdueTasks: 1 });
    expect(w.get('500103')).toMatchObject({ overdueTasks: 3 });

    // The lead misses its arrive limit (45 min) at +50 min.
    ec.clock.advance(30 * 60_000);
    expect((await workload('district')).get('500103003')).toMatchObject({ overdueTasks: 3 });

    // Finishing the vending task (accept, photo, complete) takes it off: no longer live or overdue.
    const [vendingTask] = vending.tasks;
    await ec.dispatch.act(people.district, vendingTask!.id, 'accept');
    await ec.dispatch.addEvidence(people.district, vendingTask!.id, PNG);
    await ec.dispatch.act(people.district, vendingTask!.id, 'complete', { note: 'cleared' });
    w = await workload('district');
    expect(w.get('500103003')).toMatchObject({ liveTasks: 2, overdueTasks: 2 });

    // A street operator sees only their street (and the levels above it, counted from it alone).
    const street = await workload('street');
    expect(street.has('500103001')).toBe(false);
    expect(street.get('500103')).toMatchObject({ overdueTasks: 2 });
    const other = await workload('other');
    expect([...other.keys()].sort()).toEqual(['50', '500103', '500103001']);
    expect((await workload('city')).get('50')).toMatchObject({ openEvents: 4, overdueTasks: 3 });
  });

  it('answers 401 without login', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/areas/workload' });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('unauthenticated');
  });
});
