import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import { testBackends } from '../../platform/db/testing.ts';
import type { AppError } from '../../platform/errors.ts';
import { openEventCentre, people } from './events.fixture.ts';
import { intakeAlert } from './events.sensing.ts';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const fail = (p: Promise<unknown>) =>
  p.then(
    () => Promise.reject(new Error('expected a failure')),
    (e: AppError) => e,
  );

describe.each(testBackends)('event centre services on %s', (kind) => {
  let ec: Awaited<ReturnType<typeof openEventCentre>>;
  beforeAll(async () => {
    ec = await openEventCentre(kind);
  }, 60_000);
  afterAll(() => ec?.close());

  /** Works every live task of an event to completion with a photo, as the district operator. */
  const finish = async (eventId: string) => {
    for (const t of await ec.dispatch.tasksOf(ec.db, eventId)) {
      if (t.status !== 'assigned') continue;
      await ec.dispatch.act(people.district, t.id, 'accept');
      await ec.dispatch.addEvidence(people.district, t.id, PNG);
      await ec.dispatch.act(people.district, t.id, 'complete', { note: 'done' });
    }
  };

  it('merges a duplicate into the first report, and tells every reporter at closure', async () => {
    const first = await ec.events.intake(people.citizen, 'citizen', {
      description: '较场口夜市烧烤油烟太大',
      location: { lon: 106.574, lat: 29.551 },
    });
    expect(first.event).toMatchObject({
      category: 'barbecue_smoke',
      status: 'dispatched',
      statusNote: 'dispatched to JFB-1',
      statusNoteCode: 'dispatched',
      statusNoteParams: { team: 'JFB-1' },
      multiDepartment: true,
    });
    expect(first.tasks.map((t) => [t.role, t.departmentCode, t.team?.code])).toEqual([
      ['lead', '500103003:urban_management', 'JFB-1'],
      ['co', '500103:ecology_environment', 'ENV-1'],
    ]);
    expect(first.tasks[0]?.assignReason).toMatch(
      /^team JFB-1 \(JFB-1\) chosen: \d+ m, on duty, skill 'smoke', 0\/10 tasks; next best JFB-2/,
    );
    // The same reason as a code and parameters, stored (jsonb) and read back, for clients to render.
    const stored = await ec.dispatch.get(people.district, first.tasks[0]!.id);
    expect(stored).toMatchObject({
      assignReasonCode: 'chosen',
      assignReasonParams: { teamCode: 'JFB-1', skill: 'smoke', load: 0, capacity: 10, nextTeamCode: 'JFB-2' },
    });
    expect(stored.assignReasonParams?.distanceM).toEqual(expect.any(Number));
    ec.clock.advance(30 * 60_000);
    const second = await ec.events.intake(people.citizen, 'citizen', {
      description: '较场口夜市烧烤油烟很大呛人',
      location: { lon: 106.5745, lat: 29.5515 },
    });
    expect(second).toMatchObject({
      duplicate: true,
      tasks: [],
      event: { status: 'merged', mergedInto: first.event.id },
    });
    const far = await ec.events.intake(people.citizen, 'citizen', {
      description: '较场口夜市烧烤油烟太大',
      location: { lon: 106.59, lat: 29.56 },
    });
    expect(far.duplicate).toBe(false);
    expect((await ec.events.get(people.street, first.event.id)).reporters).toBe(2);

    await finish(first.event.id);
    expect((await ec.events.get(people.street, first.event.id)).status).toBe('resolved');
    await ec.events.verify(people.street, first.event.id, { approve: true, note: '已整改' });
    for (const token of [first.token, second.token]) {
      const inbox = await ec.notify.inbox((await ec.events.reporterIds(token)).map((id) => `reporter:${id}`));
      // A code and parameters for the portal to render in the citizen's language; the text stays as a fallback.
      expect(inbox).toEqual([
        expect.objectContaining({
          subjectId: first.event.id,
          status: 'delivered',
          code: 'event.closed',
          params: { note: '已整改' },
          title: expect.stringContaining('已办结'),
        }),
      ]);
    }
    // The public status note: the operator's closing note, as a code with the note.
    expect(await ec.events.get(people.street, first.event.id)).toMatchObject({
      statusNote: '已整改',
      statusNoteCode: 'closed',
      statusNoteParams: { note: '已整改' },
    });
    const rated = await ec.events.rate(second.event.id, { token: second.token, rating: 4 });
    expect(rated.id).toBe(first.event.id);
    expect((await fail(ec.events.rate(far.event.id, { token: far.token, rating: 5 }))).code).toBe(
      'invalid_transition',
    );
    const reopened = await ec.events.reopen(first.event.id, { token: first.token, reason: '又开始烧烤了' });
    expect(reopened).toMatchObject({ status: 'dispatched', reopened: 1 });
  });

  it('sends low confidence to triage; a dispatcher’s category teaches the classifier and is recorded as an override', async () => {
    const r = await ec.events.intake(people.citizen, 'citizen', {
      description: '这里很乱请处理一下',
      location: { lon: 106.58, lat: 29.555 },
    });
    expect(r.event).toMatchObject({
      status: 'triage',
      category: null,
      triageReason: expect.stringContaining('low confidence'),
    });
    expect(
      (await fail(ec.events.verify(people.street, r.event.id, { approve: true, note: 'ok' }))).code,
    ).toBe('invalid_transition');
    const routed = await ec.events.categorise(people.street, r.event.id, {
      category: 'street_vending',
      reason: '现场核实为占道经营',
    });
    expect(routed).toMatchObject({
      status: 'dispatched',
      category: 'street_vending',
      classifiedBy: 'dispatcher',
    });
    expect(routed.tasks).toHaveLength(1);
    expect(ec.classifier.learnt).toContainEqual(['这里很乱请处理一下', 'street_vending']);
    const overrides = await ec.audit.list(ec.db, SYSTEM_PRINCIPAL, {
      action: 'algorithm.decision.overridden',
      limit: 10,
    });
    expect(overrides.some((o) => o.details.reason === '现场核实为占道经营')).toBe(true);
  });

  it('re-routes a task returned as the wrong department', async () => {
    const r = await ec.events.intake(people.citizen, 'citizen', {
      description: '路边有人摆摊卖水果',
      location: { lon: 106.58, lat: 29.556 },
    });
    const task = r.tasks[0]!;
    await ec.dispatch.act(people.officer, task.id, 'return', { reason: '不属于本队职责' });
    expect((await ec.events.get(people.street, r.event.id)).status).toBe('triage');
    const again = await ec.events.categorise(people.street, r.event.id, {
      category: 'barbecue_smoke',
      reason: '实为烧烤摊',
    });
    expect(again.tasks.filter((t) => t.status === 'assigned')).toHaveLength(2);
    expect(again.tasks.find((t) => t.id === task.id)?.status).toBe('returned');
  });

  it('keeps a task pending for a person when no team has the skill', async () => {
    const r = await ec.events.intake(people.district, 'citizen', {
      description: '路面垃圾',
      category: 'litter',
      location: { lon: 106.58, lat: 29.557 },
    });
    expect(r.tasks[0]).toMatchObject({
      status: 'pending',
      team: null,
      assignReason: expect.stringContaining("skill 'sanitation'"),
      assignReasonCode: 'no_team',
      assignReasonParams: { departmentType: 'urban_management', skill: 'sanitation' },
    });
    const inbox = await ec.notify.list(people.street, {
      recipient: 'centre:500103003',
      subjectId: r.tasks[0]!.id,
      limit: 5,
    });
    expect(inbox[0]?.title).toContain('Task needs a team');
    expect(inbox[0]).toMatchObject({
      code: 'task.needs_team',
      params: { category: 'litter', department: r.tasks[0]!.departmentCode, reasonCode: 'no_team' },
    });
  });

  it('refuses bad transitions, foreign tasks and bad photos, auditing each refusal', async () => {
    const r = await ec.events.intake(people.citizen, 'citizen', {
      description: '门口有流动摊贩',
      location: { lon: 106.59, lat: 29.558 },
    });
    const id = r.tasks[0]!.id;
    expect((await fail(ec.dispatch.act(people.officer, id, 'complete'))).code).toBe('invalid_transition');
    expect((await fail(ec.dispatch.get(people.otherStreet, id))).code).toBe('not_found');
    expect((await fail(ec.dispatch.act(people.otherStreet, id, 'accept'))).code).toBe('not_found');
    await ec.dispatch.act(people.officer, id, 'accept');
    expect(
      (await fail(ec.dispatch.addEvidence(people.officer, id, Buffer.from('GIF89a not accepted')))).code,
    ).toBe('unsupported_media_type');
    expect(
      (await fail(ec.dispatch.addEvidence(people.officer, id, Buffer.concat([PNG, Buffer.alloc(2000)]))))
        .code,
    ).toBe('payload_too_large');
    expect(
      (
        await fail(
          ec.events.intake(people.citizen, 'citizen', {
            description: '北京',
            location: { lon: 116.4, lat: 39.9 },
          }),
        )
      ).code,
    ).toBe('outside_city');
    expect(
      (
        await fail(
          ec.events.intake(people.citizen, 'citizen', {
            description: 'x',
            category: 'nope',
            location: { lon: 106.58, lat: 29.55 },
          }),
        )
      ).code,
    ).toBe('invalid_data');
    const refusals = await ec.audit.list(ec.db, SYSTEM_PRINCIPAL, {
      subjectId: id,
      action: 'task.refused',
      limit: 10,
    });
    expect(refusals.map((e) => e.details.code).sort()).toEqual([
      'invalid_transition',
      'not_found',
      'payload_too_large',
      'unsupported_media_type',
    ]);
  });

  it('escalates an overdue task street → district → city on the injected clock, once per level', async () => {
    const r = await ec.events.intake(people.citizen, 'citizen', {
      description: '解放碑路口占道摆摊',
      location: { lon: 106.595, lat: 29.559 },
    });
    const id = r.tasks[0]!.id;
    ec.clock.advance(16 * 60_000);
    await ec.scheduler.tick();
    expect(await ec.dispatch.get(people.district, id)).toMatchObject({
      level: 'district',
      centreCode: '500103',
      escalations: 1,
    });
    expect((await fail(ec.dispatch.assign(people.street, id, { reason: 'try' }))).code).toBe('forbidden');
    ec.clock.advance(16 * 60_000);
    await ec.scheduler.tick();
    expect(await ec.dispatch.get(people.district, id)).toMatchObject({
      level: 'city',
      centreCode: '50',
      escalations: 2,
    });
    await ec.dispatch.act(people.district, id, 'accept');
    ec.clock.advance(60 * 60_000);
    await ec.scheduler.tick();
    expect((await ec.dispatch.get(people.district, id)).escalations).toBe(2);
  });

  it('turns a sensing alert into one event, however often it is delivered', async () => {
    const alert = {
      id: 'alert-1',
      ruleId: 'smoke-1',
      categoryHint: 'barbecue_smoke',
      location: { lon: 106.566, lat: 29.552 },
      alertSource: '七星岗视频AI-03',
      severity: 'high',
      description: '视频识别到露天烧烤浓烟',
    };
    const isCategory = async (c: string) => c === 'barbecue_smoke';
    const a = await intakeAlert(ec.events, ec.events as never, alert, isCategory);
    const b = await intakeAlert(ec.events, ec.events as never, alert, isCategory);
    expect(a?.event).toMatchObject({
      source: 'sensor_alert',
      category: 'barbecue_smoke',
      classifiedBy: 'rule',
      priority: 'high',
      jurisdictionCode: '500103001',
    });
    expect(b?.event.id).toBe(a?.event.id);
    const warnings: unknown[] = [];
    const logger = { warn: (o: unknown) => warnings.push(o) } as never;
    expect(await intakeAlert(ec.events, logger, { id: 'x', description: 'no place' }, isCategory)).toBeNull();
    expect(
      await intakeAlert(
        ec.events,
        logger,
        { ...alert, id: 'alert-2', location: { lon: 116.4, lat: 39.9 } },
        isCategory,
      ),
    ).toBeNull();
    expect(warnings).toHaveLength(2);
  });
});
