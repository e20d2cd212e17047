import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../../platform/db/testing.ts';
import type { Api } from '../../platform/http/server.ts';
import { createTestApi } from '../../platform/http/testing.ts';
import { openEventCentre, people } from '../events/events.fixture.ts';
import { registerDispatchRoutes } from './dispatch.routes.ts';

/** Naming a team in a write is scoped like reading it: a team outside the caller's jurisdiction is 404. */
describe.each(testBackends)('assigning to a named team on %s', (kind) => {
  let ec: Awaited<ReturnType<typeof openEventCentre>>;
  let api: Api;
  beforeAll(async () => {
    ec = await openEventCentre(kind);
    // A 万州区 team of the same type and skill, and one of another street of 渝中区.
    const jfb = ec.roster.find((t) => t.code === 'JFB-1')!;
    ec.roster.push({
      ...jfb,
      id: 'team-WZ-1',
      code: 'WZ-1',
      name: 'WZ-1',
      departmentCode: '500101:urban_management',
      jurisdictionCode: '500101',
      jurisdictionPath: '50/500101',
    });
    api = await createTestApi({ street: people.street, district: people.district });
    registerDispatchRoutes(api, { dispatch: ec.dispatch });
    await api.ready();
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await ec?.close();
  });

  const assign = (taskId: string, user: string, teamId: string) =>
    api.inject({
      method: 'POST',
      url: `/api/v1/tasks/${taskId}/assign`,
      headers: { authorization: `Bearer ${user}` },
      payload: { teamId, reason: '调度员指定队伍' },
    });

  it('refuses a team in another district or street as not found, and assigns one in scope', async () => {
    const { tasks } = await ec.events.intake(people.citizen, 'citizen', {
      description: '较场口夜市烧烤油烟太大',
      location: { lon: 106.574, lat: 29.551 },
    });
    const lead = tasks.find((t) => t.role === 'lead')!;
    expect(lead).toMatchObject({ level: 'street', centreCode: '500103003' });
    const before = await ec.dispatch.get(people.street, lead.id);

    // 万州区 and 七星岗 (another street) lie outside 解放碑's scope; a made-up id answers the same.
    for (const teamId of ['team-WZ-1', 'team-QXG-1', 'team-nope']) {
      const res = await assign(lead.id, 'street', teamId);
      expect([res.statusCode, res.json().error.code]).toEqual([404, 'not_found']);
      expect(res.json().error.message).toBe(`team '${teamId}' not found`);
    }
    expect((await ec.dispatch.get(people.street, lead.id)).team).toEqual(before.team);

    // The district operator sees 七星岗's team, not 万州区's.
    const far = await assign(lead.id, 'district', 'team-WZ-1');
    expect([far.statusCode, far.json().error.code]).toEqual([404, 'not_found']);
    const other = before.team?.id === 'team-JFB-2' ? 'team-JFB-1' : 'team-JFB-2';
    const ok = await assign(lead.id, 'street', other);
    expect(ok.statusCode).toBe(200);
    expect(ok.json().team.id).toBe(other);
    const wider = await assign(lead.id, 'district', 'team-QXG-1');
    expect(wider.statusCode).toBe(200);
    expect(wider.json().team.id).toBe('team-QXG-1');
  });
});
