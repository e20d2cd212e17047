/** Response plans over the real event centre: the steps show the live status of the tasks they name. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../../platform/db/testing.ts';
import { createLogger } from '../../platform/logger.ts';
import { openEventCentre, people } from '../events/events.fixture.ts';
import { planMigrations } from './plans.migrations.ts';
import type { PlanTemplate } from './plans.schema.ts';
import { PlanService } from './plans.service.ts';

/** A plan whose two steps match the tasks a barbecue report already made (so they are adopted). */
const template: PlanTemplate = {
  key: 'test.smoke',
  version: 1,
  scenario: 'crowd',
  name: '油烟联合处置',
  category: 'barbecue_smoke',
  targetMinutes: 60,
  supersedesRouting: true,
  notifyCentres: [],
  summary: '{place} 油烟',
  tasks: [
    {
      key: 'street',
      departmentType: 'urban_management',
      level: 'street',
      skill: 'smoke',
      title: '街道劝导',
      instructions: '到 {place} 劝导',
      acceptMinutes: 10,
      dueMinutes: 60,
    },
    {
      key: 'env',
      departmentType: 'ecology_environment',
      level: 'district',
      skill: 'smoke',
      title: '环保监测',
      instructions: '监测 {place}',
      acceptMinutes: 10,
      dueMinutes: 60,
    },
  ],
};

describe.each(testBackends)('response plans on %s', (kind) => {
  let ec: Awaited<ReturnType<typeof openEventCentre>>;
  let plans: PlanService;
  beforeAll(async () => {
    ec = await openEventCentre(kind);
    // The event centre's migrations already ran; the plan tables come on top (same names, no merge).
    for (const m of Object.values(planMigrations)) await m.up(ec.db);
    plans = new PlanService({
      db: ec.db,
      audit: ec.audit,
      clock: ec.clock,
      logger: createLogger('silent'),
      algorithms: ec.registry,
      events: ec.events,
      dispatch: ec.dispatch,
      routing: ec.routing,
      notify: ec.notify,
      templates: [template],
    });
  }, 60_000);
  afterAll(() => ec?.close());

  it('a plan started on a merged duplicate shows the adopted tasks of its master, live', async () => {
    // The crowd timer's second assessment files a new alert event that duplicate detection merges
    // into the first; the plan is started on it and adopts the master's tasks.
    const first = await ec.events.intake(people.citizen, 'citizen', {
      description: '解放碑夜市烧烤油烟太大',
      location: { lon: 106.574, lat: 29.551 },
    });
    ec.clock.advance(10 * 60_000);
    const second = await ec.events.intake(people.citizen, 'citizen', {
      description: '解放碑夜市烧烤油烟很大呛人',
      location: { lon: 106.5742, lat: 29.5512 },
    });
    expect(second.event).toMatchObject({ status: 'merged', mergedInto: first.event.id });

    const plan = await plans.activate(people.district, {
      templateKey: 'test.smoke',
      eventId: second.event.id,
      params: { place: '解放碑' },
      analysis: {},
    });
    const [lead, co] = first.tasks;
    expect(plan.tasks.map((t) => [t.key, t.linked, t.taskId, t.status, t.team])).toEqual([
      ['street', true, lead!.id, 'assigned', lead!.team!.name],
      ['env', true, co!.id, 'assigned', co!.team!.name],
    ]);
    expect(plan.progress).toMatchObject({ total: 2, acknowledged: 0, done: 0 });

    await ec.dispatch.act(people.district, lead!.id, 'accept');
    const after = await plans.get(people.district, plan.id);
    expect(after.tasks[0]).toMatchObject({ status: 'accepted', acknowledgedAt: expect.any(String) });
    expect(after.progress).toMatchObject({ total: 2, acknowledged: 1, done: 0 });
    expect(after.tasks.some((t) => t.status === 'unknown')).toBe(false);
  });
});
