import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../../platform/db/testing.ts';
import type { Api } from '../../platform/http/server.ts';
import { createTestApi, testPrincipal } from '../../platform/http/testing.ts';
import { openEventCentre, people } from '../events/events.fixture.ts';
import { registerDispatchRoutes } from './dispatch.routes.ts';

const city = testPrincipal('50', ['city_operator']);
const auditor = testPrincipal('50/500103', ['auditor']);

type Row = Record<string, unknown>;

/** Manual escalation by a centre operator, through the HTTP route, on both storage backends. */
describe.each(testBackends)('manual escalation on %s', (kind) => {
  let ec: Awaited<ReturnType<typeof openEventCentre>>;
  let api: Api;
  beforeAll(async () => {
    ec = await openEventCentre(kind);
    api = await createTestApi({
      street: people.street,
      otherStreet: people.otherStreet,
      district: people.district,
      officer: people.officer,
      city,
      auditor,
    });
    registerDispatchRoutes(api, { dispatch: ec.dispatch });
    await api.ready();
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await ec?.close();
  });

  const escalate = (taskId: string, user: string, body: unknown = { reason: '街道力量不足，请求区级协调' }) =>
    api.inject({
      method: 'POST',
      url: `/api/v1/tasks/${taskId}/escalate`,
      headers: { authorization: `Bearer ${user}` },
      payload: body as Record<string, unknown>,
    });
  const rows = async (query: ReturnType<typeof sql>) => (await query.execute(ec.db)).rows as Row[];
  const audits = (taskId: string, action: string) =>
    rows(
      sql`select actor_id, details from audit_log where subject_id = ${taskId} and action = ${action} order by seq`,
    );
  const messages = (taskId: string) =>
    rows(
      sql`select payload from bus_outbox where subject = 'dispatch.task.escalated' and payload->>'taskId' = ${taskId} order by seq`,
    );
  const task = async (id: string) => ec.dispatch.get(people.district, id);

  it('raises a task one level per call, with the timer path’s audit, bus message and notifications', async () => {
    const { tasks } = await ec.events.intake(people.citizen, 'citizen', {
      description: '较场口夜市烧烤油烟太大',
      location: { lon: 106.574, lat: 29.551 },
    });
    const lead = tasks.find((t) => t.role === 'lead')!;
    expect(lead).toMatchObject({ level: 'street', centreCode: '500103003', escalations: 0 });

    // No reason, or a blank one: refused by validation, nothing changed.
    for (const body of [{}, { reason: ' ' }]) {
      const res = await escalate(lead.id, 'street', body);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('invalid_request');
    }
    // A role that may not (auditor, field officer): 403; another street's operator: 404.
    for (const user of ['auditor', 'officer']) {
      const res = await escalate(lead.id, user);
      expect([res.statusCode, res.json().error.code]).toEqual([403, 'forbidden']);
    }
    const other = await escalate(lead.id, 'otherStreet');
    expect([other.statusCode, other.json().error.code]).toEqual([404, 'not_found']);
    expect(await task(lead.id)).toMatchObject({ level: 'street', escalations: 0 });
    expect(await messages(lead.id)).toHaveLength(0);

    // The street centre escalates: the district centre follows it now.
    const up = await escalate(lead.id, 'street');
    expect(up.statusCode).toBe(200);
    expect(up.json()).toMatchObject({
      id: lead.id,
      level: 'district',
      centreCode: '500103',
      escalations: 1,
      status: lead.status,
    });
    expect(await task(lead.id)).toMatchObject({ level: 'district', centreCode: '500103', escalations: 1 });
    const [entry] = await audits(lead.id, 'task.escalated');
    expect(entry).toMatchObject({
      actor_id: people.street.id,
      details: {
        kind: 'manual',
        fromLevel: 'street',
        toLevel: 'district',
        centreCode: '500103',
        reason: '街道力量不足，请求区级协调',
      },
    });
    const [message] = await messages(lead.id);
    expect(message?.payload).toMatchObject({
      taskId: lead.id,
      eventId: lead.eventId,
      kind: 'manual',
      fromLevel: 'street',
      toLevel: 'district',
      centreCode: '500103',
      level: 'district',
      reason: '街道力量不足，请求区级协调',
    });
    const notes = await rows(
      sql`select recipient, title from nt_notification where subject_id = ${lead.id} and title like '人工上报%' order by recipient`,
    );
    expect(notes.map((n) => n.recipient)).toEqual(['centre:500103', 'centre:500103003']);

    // The street centre no longer follows it: 403, not a second level.
    const again = await escalate(lead.id, 'street');
    expect([again.statusCode, again.json().error.code, again.json().error.details.level]).toEqual([
      403,
      'forbidden',
      'district',
    ]);
    // The district centre raises it to the city; the city cannot go higher.
    expect((await escalate(lead.id, 'district')).json()).toMatchObject({
      level: 'city',
      centreCode: '50',
      escalations: 2,
    });
    const top = await escalate(lead.id, 'city');
    expect([top.statusCode, top.json().error.code]).toEqual([409, 'already_top_level']);
    expect(await task(lead.id)).toMatchObject({ level: 'city', escalations: 2 });
    expect(await messages(lead.id)).toHaveLength(2);
    // Every refusal is audited with what was attempted.
    const refused = await audits(lead.id, 'task.refused');
    expect(refused.map((r) => (r.details as Row).code)).toEqual([
      'forbidden',
      'forbidden',
      'not_found',
      'forbidden',
      'already_top_level',
    ]);
    expect(refused.every((r) => (r.details as Row).attempted === 'task.escalate')).toBe(true);
  });

  it('refuses a finished task with 409 and leaves it as it was', async () => {
    const { tasks } = await ec.events.intake(people.citizen, 'citizen', {
      description: '解放碑步行街有人摆摊占道',
      location: { lon: 106.578, lat: 29.556 },
    });
    const lead = tasks[0]!;
    await ec.dispatch.cancel(people.street, lead.id, '重复任务');
    const res = await escalate(lead.id, 'street');
    expect([res.statusCode, res.json().error.code]).toEqual([409, 'invalid_transition']);
    expect(await task(lead.id)).toMatchObject({ status: 'cancelled', level: 'street', escalations: 0 });
    expect(await messages(lead.id)).toHaveLength(0);
  });

  it('the timer’s escalation goes through the same code path (kind = the missed limit, re-armed)', async () => {
    const { tasks } = await ec.events.intake(people.citizen, 'citizen', {
      description: '解放碑有流动摊贩占道经营',
      location: { lon: 106.58, lat: 29.557 },
    });
    const lead = tasks[0]!;
    expect(lead.status).toBe('assigned');
    ec.clock.advance(16 * 60_000);
    expect(await ec.scheduler.tick()).toBeGreaterThan(0);
    expect(await task(lead.id)).toMatchObject({ level: 'district', escalations: 1 });
    const [entry] = await audits(lead.id, 'task.escalated');
    expect(entry).toMatchObject({
      actor_id: 'system',
      details: { kind: 'accept', fromLevel: 'street', toLevel: 'district', overdueMinutes: 1 },
    });
    expect((await messages(lead.id))[0]?.payload).toMatchObject({ kind: 'accept', toLevel: 'district' });
    const armed = await rows(
      sql`select kind from dp_timer where task_id = ${lead.id} and fired_at is null and kind = 'accept'`,
    );
    expect(armed).toHaveLength(1);
    // By hand from there: one more level, on top of the timer's.
    expect((await escalate(lead.id, 'district')).json()).toMatchObject({ level: 'city', escalations: 2 });
  });
});
