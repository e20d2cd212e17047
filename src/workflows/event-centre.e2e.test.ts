import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { distance } from 'geokdbush';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { DEMO_PASSWORD, prepareCity } from '../demo/prepare.ts';
import { ensureOpen311Key } from '../modules/open311/index.ts';
import { ManualClock } from '../platform/clock.ts';
import { openTestDatabase, testBackends } from '../platform/db/testing.ts';
import { createLogger } from '../platform/logger.ts';

const KEY = 'o311-e2e-client-key-0123456789';
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

/** The Jiaochangkou story and an escalation, on simulated time, through the public HTTP API of the real app. */
describe.each(testBackends)('event centre end to end on %s', (kind) => {
  let app: App;
  let dataDir: string;
  const clock = new ManualClock('2025-11-20T20:00:00+08:00');
  const tokens: Record<string, string> = {};

  const call = async (
    method: 'GET' | 'POST',
    url: string,
    user?: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const auth: Record<string, string> = user ? { authorization: `Bearer ${tokens[user]}` } : {};
    const res = await app.http.inject({
      method,
      url,
      headers: { ...auth, ...headers },
      ...(payload === undefined ? {} : { payload: payload as string }),
    });
    const type = String(res.headers['content-type'] ?? '');
    return { status: res.statusCode, body: type.includes('json') ? res.json() : res.body };
  };
  const form = (fields: Record<string, string | number>) =>
    new URLSearchParams(Object.entries(fields).map(([k, v]): [string, string] => [k, String(v)])).toString();
  const open311 = (fields: Record<string, string | number>, format = 'json') =>
    call('POST', `/open311/v2/requests.${format}`, undefined, form(fields), {
      'content-type': 'application/x-www-form-urlencoded',
    });
  const at = (hhmm: string) => clock.set(`2025-11-20T${hhmm}:00+08:00`);
  const login = async (username: string, password = DEMO_PASSWORD) => {
    const res = await call('POST', '/api/v1/auth/login', undefined, { username, password });
    expect(res.status).toBe(200);
    tokens[username] = res.body.token;
  };
  const waitFor = async <T>(probe: () => Promise<T>, ok: (v: T) => boolean): Promise<T> => {
    for (let i = 0; i < 200; i++) {
      const v = await probe();
      if (ok(v)) return v;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('condition not reached');
  };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-ec-'));
    const config = loadConfig(
      {},
      { dataDir, port: 0, adminPassword: 'admin-password-e2e', tokenSecret: 'e'.repeat(40) },
    );
    const logger = createLogger('silent');
    app = await createApp({
      config,
      logger,
      clock,
      database: await openTestDatabase(kind),
      centre: { schedulerIntervalMs: 20 },
    });
    await prepareCity(app, { demo: true });
    await ensureOpen311Key(app.services.identity, '50', KEY);
    await login('admin', 'admin-password-e2e');
    for (const u of ['district.yuzhong', 'street.jiefangbei', 'officer.jiefangbei', 'auditor'])
      await login(u);
    const env = await call('POST', '/api/v1/users', 'admin', {
      username: 'officer.env.yuzhong',
      displayName: '渝中区生态环境执法队员',
      password: DEMO_PASSWORD,
      roles: ['field_officer'],
      jurisdictionCode: '500103',
      departmentCode: '500103:ecology_environment',
    });
    expect(env.status).toBe(201);
    await login('officer.env.yuzhong');
  }, 180_000);
  afterAll(async () => {
    await app?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('replays Jiaochangkou: Open311 complaint at 20:17 → nearest squad → photo → verified at 23:02 → notified → rated', async () => {
    at('20:17');
    const filed = await open311({
      api_key: KEY,
      service_code: 'general',
      lat: 29.551,
      long: 106.574,
      description: '较场口夜市露天烧烤油烟太大',
      first_name: '王',
      email: 'wang@example.cn',
    });
    expect(filed.status).toBe(201);
    const [{ service_request_id: id, reporter_token: token }] = filed.body;
    expect(id).toBeTruthy();
    expect((await call('GET', `/open311/v2/tokens/${token}.json`)).body).toEqual([
      { service_request_id: id, token },
    ]);

    const event = (await call('GET', `/api/v1/events/${id}`, 'street.jiefangbei')).body;
    expect(event).toMatchObject({
      category: 'barbecue_smoke',
      classifiedBy: 'classifier',
      status: 'dispatched',
      jurisdictionCode: '500103003',
      multiDepartment: true,
    });
    const lead = event.tasks.find((t: { role: string }) => t.role === 'lead');
    const co = event.tasks.find((t: { role: string }) => t.role === 'co');
    expect(lead).toMatchObject({
      departmentCode: '500103003:urban_management',
      status: 'assigned',
      level: 'street',
    });
    expect(co).toMatchObject({
      departmentCode: '500103:ecology_environment',
      status: 'assigned',
      level: 'district',
    });
    expect(lead.assignReason).toMatch(/chosen: \d+ m, on duty, skill 'smoke'/);
    // The chosen squad is the nearest on-duty squad of the street with the skill (by base; no fixes yet).
    const squads = (
      await call('GET', '/api/v1/teams?jurisdiction=500103003&skill=smoke&onDuty=true&limit=100', 'admin')
    ).body.items;
    const nearest = squads
      .filter((t: { departmentCode: string }) => t.departmentCode === '500103003:urban_management')
      .map((t: { id: string; base: { lon: number; lat: number } }) => ({
        id: t.id,
        d: distance(106.574, 29.551, t.base.lon, t.base.lat),
      }))
      .sort((a: { d: number }, b: { d: number }) => a.d - b.d)[0];
    expect(lead.team.id).toBe(nearest.id);
    const o311 = (await call('GET', `/open311/v2/requests/${id}.json`)).body[0];
    expect(o311).toMatchObject({
      service_request_id: id,
      status: 'open',
      service_code: 'general',
      lat: 29.551,
      long: 106.574,
    });
    expect(o311.agency_responsible).toContain('执法');

    const mine = (await call('GET', '/api/v1/field/tasks', 'officer.jiefangbei')).body.items;
    expect(mine.map((t: { id: string }) => t.id)).toContain(lead.id);
    expect(
      (await call('POST', `/api/v1/field/tasks/${lead.id}/complete`, 'officer.jiefangbei', {})).body.error
        .code,
    ).toBe('invalid_transition');
    at('20:25');
    expect(
      (await call('POST', `/api/v1/field/tasks/${lead.id}/accept`, 'officer.jiefangbei', {})).body.status,
    ).toBe('accepted');
    at('20:26');
    expect(
      (await call('POST', `/api/v1/field/tasks/${co.id}/accept`, 'officer.env.yuzhong', {})).status,
    ).toBe(200);
    at('20:35');
    const moving = await call('POST', `/api/v1/field/tasks/${lead.id}/en-route`, 'officer.jiefangbei', {
      lon: 106.5755,
      lat: 29.5525,
    });
    expect(moving.body).toMatchObject({ status: 'en_route', position: { lon: 106.5755 } });
    at('20:40');
    expect(
      (await call('POST', `/api/v1/field/tasks/${lead.id}/arrive`, 'officer.jiefangbei', {})).body.status,
    ).toBe('arrived');
    expect(
      (await call('POST', `/api/v1/field/tasks/${lead.id}/complete`, 'officer.jiefangbei', {})).body.error
        .details.reason,
    ).toBe('evidence_required');
    const text = await call(
      'POST',
      `/api/v1/field/tasks/${lead.id}/evidence`,
      'officer.jiefangbei',
      'not an image',
      { 'content-type': 'image/jpeg' },
    );
    expect(text.status).toBe(415);
    const photo = await call(
      'POST',
      `/api/v1/field/tasks/${lead.id}/evidence`,
      'officer.jiefangbei',
      PNG as never,
      { 'content-type': 'image/png' },
    );
    expect(photo.status).toBe(201);
    expect(photo.body).toMatchObject({
      mime: 'image/png',
      bytes: PNG.length,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    at('20:50');
    await call('POST', `/api/v1/field/tasks/${co.id}/arrive`, 'officer.env.yuzhong', {});
    await call('POST', `/api/v1/field/tasks/${co.id}/evidence`, 'officer.env.yuzhong', PNG as never, {
      'content-type': 'application/octet-stream',
    });
    at('22:30');
    const done = await call('POST', `/api/v1/field/tasks/${lead.id}/complete`, 'officer.jiefangbei', {
      note: '已劝导摊主改用无烟炉具，油烟消除',
    });
    expect(done.body.status).toBe('completed');
    expect((await call('GET', `/api/v1/events/${id}`, 'street.jiefangbei')).body.status).toBe('in_progress');
    at('22:40');
    await call('POST', `/api/v1/field/tasks/${co.id}/complete`, 'officer.env.yuzhong', {
      note: '油烟排放复查合格',
    });
    expect((await call('GET', `/api/v1/events/${id}`, 'street.jiefangbei')).body.status).toBe('resolved');

    at('23:02');
    const verified = await call('POST', `/api/v1/events/${id}/verify`, 'street.jiefangbei', {
      approve: true,
      note: '经核查，油烟问题已整改',
    });
    expect(verified.body).toMatchObject({
      status: 'closed',
      closedAt: new Date('2025-11-20T23:02:00+08:00').toISOString(),
    });
    const inbox = (await call('GET', `/api/v1/citizen/notifications?token=${token}`)).body.items;
    expect(inbox[0]).toMatchObject({ channel: 'in_app', status: 'delivered', subjectId: id });
    expect(inbox[0].title).toContain('已办结');
    expect((await call('GET', `/open311/v2/requests/${id}.json`)).body[0]).toMatchObject({
      status: 'closed',
      status_notes: '经核查，油烟问题已整改',
    });
    const xml = await call('GET', `/open311/v2/requests/${id}.xml`);
    expect(xml.body).toContain(
      `<service_requests><request><service_request_id>${id}</service_request_id><status>closed</status>`,
    );

    const rated = await call('POST', `/api/v1/citizen/requests/${id}/rating`, undefined, {
      token,
      rating: 5,
      comment: '处理及时',
    });
    expect(rated.status).toBe(200);
    const kpis = (await call('GET', '/api/v1/kpis', 'district.yuzhong')).body;
    expect(kpis.timeToClose.byCategory).toContainEqual(
      expect.objectContaining({ key: 'barbecue_smoke', closed: 1, avgMinutes: 165 }),
    );
    expect(kpis.collaboration).toMatchObject({ multiDepartment: 1, rate: 1 });
    expect(kpis.satisfaction).toMatchObject({ ratings: 1, average: 5 });
    expect(kpis.compliance.resolve).toMatchObject({ onTime: 2, total: 2 });
  });

  it('escalates an unaccepted task street → district → city; the higher centre reassigns', async () => {
    at('23:10');
    const street = (await call('GET', '/api/v1/jurisdictions/500103001')).body; // 七星岗街道, not the demo users' street
    const [lon, lat] = street.label;
    const filed = await open311({
      api_key: KEY,
      service_code: 'street_vending',
      lat,
      long: lon,
      description: '七星岗路口有流动摊贩占道经营',
    });
    const id = filed.body[0].service_request_id;
    const task = (await call('GET', `/api/v1/events/${id}`, 'district.yuzhong')).body.tasks[0];
    expect(task).toMatchObject({ level: 'street', status: 'assigned', centreCode: '500103001' });
    expect((await call('GET', `/api/v1/tasks/${task.id}`, 'street.jiefangbei')).status).toBe(404);
    expect(
      (await call('POST', `/api/v1/field/tasks/${task.id}/accept`, 'officer.jiefangbei', {})).status,
    ).toBe(404);

    clock.advance(16 * 60_000);
    const up = await waitFor(
      () => call('GET', `/api/v1/tasks/${task.id}`, 'admin'),
      (r) => r.body.level === 'district',
    );
    expect(up.body).toMatchObject({ centreCode: '500103', escalations: 1, status: 'assigned' });
    const note = (await call('GET', '/api/v1/notifications?recipient=centre:500103', 'district.yuzhong')).body
      .items;
    expect(
      note.some(
        (n: { subjectId: string; title: string }) => n.subjectId === task.id && n.title.includes('district'),
      ),
    ).toBe(true);
    const reassigned = await call('POST', `/api/v1/tasks/${task.id}/assign`, 'district.yuzhong', {
      reason: '原中队未响应，改派',
    });
    expect(reassigned.status).toBe(200);
    expect(reassigned.body.team.id).not.toBe(task.team.id);

    clock.advance(16 * 60_000);
    const top = await waitFor(
      () => call('GET', `/api/v1/tasks/${task.id}`, 'admin'),
      (r) => r.body.level === 'city',
    );
    expect(top.body).toMatchObject({ centreCode: '50', escalations: 2 });
    const denied = await call('POST', `/api/v1/tasks/${task.id}/assign`, 'district.yuzhong', {
      reason: 'try',
    });
    expect(denied.status).toBe(403);
  });

  it('answers bad Open311 input in the spec’s error format, JSON and XML, and audits refusals', async () => {
    const noKey = await open311({ service_code: 'general', lat: 29.55, long: 106.57, description: '测试' });
    expect(noKey.status).toBe(403);
    expect(noKey.body).toEqual([{ code: 403, description: expect.stringContaining('api_key') }]);
    expect(
      (
        await open311({
          api_key: 'wrong-key-wrong-key-1',
          service_code: 'general',
          lat: 29.55,
          long: 106.57,
          description: 'x',
        })
      ).status,
    ).toBe(403);
    const unknown = await open311(
      { api_key: KEY, service_code: 'no_such_service', lat: 29.55, long: 106.57, description: '测试' },
      'xml',
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatch(
      /^<\?xml version="1.0" encoding="utf-8"\?><errors><error><code>404<\/code><description>service_code/,
    );
    const outside = await open311({
      api_key: KEY,
      service_code: 'general',
      lat: 39.9,
      long: 116.4,
      description: '北京的问题',
    });
    expect(outside.body).toEqual([{ code: 400, description: expect.stringContaining('outside the city') }]);
    expect((await open311({ api_key: KEY, service_code: 'general', description: '没有位置' })).status).toBe(
      400,
    );
    expect((await call('GET', '/open311/v2/requests/nope.json')).body).toEqual([
      { code: 404, description: expect.any(String) },
    ]);
    const services = (await call('GET', '/open311/v2/services.json')).body;
    expect(services.map((s: { service_code: string }) => s.service_code)).toEqual(
      expect.arrayContaining(['general', 'barbecue_smoke']),
    );
    expect(services.map((s: { service_code: string }) => s.service_code)).not.toContain(
      'dissolved_oxygen_low',
    );
    expect((await call('GET', '/open311/v2/services/barbecue_smoke.xml')).body).toContain(
      '<attributes><attribute><variable>true</variable><code>ongoing</code>',
    );
    const audit = (await call('GET', '/api/v1/audit?action=event.refused&limit=50', 'auditor')).body.items;
    expect(audit.some((e: { details: { code: string } }) => e.details.code === 'outside_city')).toBe(true);
    expect((await call('GET', '/api/v1/audit/verify', 'auditor')).body).toMatchObject({ ok: true });
  });
});
