import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../platform/db/database.ts';
import { testBackends } from '../../platform/db/testing.ts';
import type { Api } from '../../platform/http/server.ts';
import { createTestApi } from '../../platform/http/testing.ts';
import { registerAlgorithmRoutes } from './algorithms.routes.ts';
import type { AlgorithmRegistry } from './algorithms.service.ts';
import { openRegistry, people, sampleRegister } from './algorithms.testing.ts';

const base = '/api/v1/algorithms';
const v1 = `${base}/dispatch.nearest-team/versions/1.0.0`;

describe.each(testBackends)('algorithm routes on %s', (kind) => {
  let database: Database;
  let registry: AlgorithmRegistry;
  let app: Api;
  const as = (who: keyof typeof people) => ({ authorization: `Bearer ${who}` });

  beforeAll(async () => {
    ({ database, registry } = await openRegistry(kind));
    await registry.start();
    app = await createTestApi(people);
    registerAlgorithmRoutes(app, { registry });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await registry?.stop();
    await database?.close();
  });

  it('answers errors in the one shape', async () => {
    const anon = await app.inject({ method: 'GET', url: base });
    expect(anon.statusCode).toBe(401);
    expect(anon.json()).toMatchObject({ error: { code: 'unauthenticated' } });
    const bad = await app.inject({
      method: 'POST',
      url: base,
      headers: as('liaison'),
      payload: { key: 'Bad Key', version: '1' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('invalid_request');
    const extra = await app.inject({
      method: 'POST',
      url: base,
      headers: as('liaison'),
      payload: {
        key: 'dispatch.nearest-team',
        version: '1.0.0',
        register: { ...sampleRegister(), secretField: 1 },
      },
    });
    expect(extra.statusCode).toBe(400);
    const wrongDept = await app.inject({
      method: 'POST',
      url: base,
      headers: as('otherLiaison'),
      payload: { key: 'dispatch.nearest-team', version: '1.0.0', register: sampleRegister() },
    });
    expect(wrongDept.statusCode).toBe(403);
    expect(wrongDept.json()).toMatchObject({ error: { code: 'forbidden', details: { reason: 'role' } } });
    const missing = await app.inject({
      method: 'GET',
      url: `${base}/no.such/versions/1.0.0`,
      headers: as('auditor'),
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');
  });

  it('runs the lifecycle over HTTP, with four-eyes and illegal transitions refused', async () => {
    const created = await app.inject({
      method: 'POST',
      url: base,
      headers: as('liaison'),
      payload: { key: 'dispatch.nearest-team', version: '1.0.0', register: sampleRegister() },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ key: 'dispatch.nearest-team', status: 'draft' });
    const patched = await app.inject({
      method: 'PATCH',
      url: v1,
      headers: as('liaison'),
      payload: { register: { riskCategory: 'high' } },
    });
    expect(patched.json().register.riskCategory).toBe('high');
    const go = (who: keyof typeof people, to: string, reason = 'because') =>
      app.inject({ method: 'POST', url: `${v1}/transitions`, headers: as(who), payload: { to, reason } });
    const illegal = await go('auditor', 'in_use');
    expect(illegal.statusCode).toBe(409);
    expect(illegal.json()).toMatchObject({
      error: { code: 'invalid_transition', details: { from: 'draft', to: 'in_use' } },
    });
    expect((await go('liaison', 'filed')).statusCode).toBe(200);
    expect((await go('liaison', 'approved')).json()).toMatchObject({
      error: { code: 'forbidden', details: { reason: 'role' } },
    });
    expect((await go('auditor', 'approved')).statusCode).toBe(200);
    expect((await go('auditor', 'in_use')).json().status).toBe('in_use');
    const detail = await app.inject({ method: 'GET', url: v1, headers: as('dispatcher') });
    expect(detail.json().history.map((h: { to: string }) => h.to)).toEqual([
      'draft',
      'filed',
      'approved',
      'in_use',
    ]);
    const list = await app.inject({
      method: 'GET',
      url: `${base}?status=in_use&type=scheduling_decision`,
      headers: as('dispatcher'),
    });
    expect(list.json().items).toHaveLength(1);
  });

  it('explains a decision through /why with masked inputs, and takes overrides', async () => {
    const d = await registry.run(
      'dispatch.nearest-team',
      { event: { category: 'smoke' }, reporter: { phone: '13987654321', idNumber: '50010319850203123X' } },
      () => ({
        output: { teamId: '0412' },
        explanation: "team 0412 chosen: 380 m, on duty, skill 'smoke'; next best 0413 at 910 m",
      }),
      {
        subjects: [{ type: 'event', id: 'EV-20251120-0017' }],
        jurisdictionPath: '50/500103',
        principal: people.dispatcher,
      },
    );
    const why = await app.inject({
      method: 'GET',
      url: '/api/v1/why?subjectType=event&subjectId=EV-20251120-0017',
      headers: as('dispatcher'),
    });
    expect(why.statusCode).toBe(200);
    const [decision] = why.json().decisions;
    expect(decision).toMatchObject({
      id: d.decisionId,
      inputs: { 'reporter.phone': '139****4321', 'reporter.idNumber': '500103********123X' },
    });
    expect(why.body).not.toContain('13987654321');
    const forbidden = await app.inject({ method: 'GET', url: `${v1}/decisions`, headers: as('dispatcher') });
    expect(forbidden.statusCode).toBe(403);
    const log = await app.inject({ method: 'GET', url: `${v1}/decisions?limit=5`, headers: as('auditor') });
    expect(log.json().items.map((i: { id: string }) => i.id)).toContain(d.decisionId);
    const override = await app.inject({
      method: 'POST',
      url: `/api/v1/decisions/${d.decisionId}/override`,
      headers: as('dispatcher'),
      payload: { reason: 'team 0412 stuck in traffic; reassigned', newOutput: { teamId: '0413' } },
    });
    expect(override.statusCode).toBe(201);
    const metrics = await app.inject({
      method: 'GET',
      url: `${base}/dispatch.nearest-team/metrics`,
      headers: as('auditor'),
    });
    expect(metrics.json().versions).toMatchObject([
      { version: '1.0.0', decided: 1, overrides: 1, overrideRate: 1 },
    ]);
  });

  it('publishes the register without authentication or personal data, in zh-CN and en', async () => {
    await registry.register.create(people.liaison, {
      key: 'dispatch.draft-only',
      version: '0.1.0',
      register: sampleRegister(),
    });
    const zh = await app.inject({ method: 'GET', url: '/api/v1/public/algorithms' });
    expect(zh.statusCode).toBe(200);
    expect(zh.json()).toMatchObject({
      lang: 'zh-CN',
      items: [{ key: 'dispatch.nearest-team', name: '就近派遣', status: 'in_use' }],
    });
    expect(zh.json().items).toHaveLength(1); // the draft is not published
    expect(zh.body).not.toContain('13800001111');
    expect(zh.body).not.toContain('张伟');
    const en = await app.inject({ method: 'GET', url: '/api/v1/public/algorithms?lang=en' });
    expect(en.json().items[0]).toMatchObject({
      name: 'Nearest team assignment',
      contact: { functionalEmail: 'algo@cgj.example.gov.cn' },
    });
    const page = await app.inject({ method: 'GET', url: '/algorithms' });
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('<html lang="zh-CN">');
    expect(page.body).toContain('<caption>本市在用及已备案的治理算法</caption>');
    expect(page.body).toContain('<th scope="col">名称</th>');
    expect(page.body).toContain('<th scope="row" id="dispatch.nearest-team">');
    expect(page.body).toContain('调度决策类');
    const pageEn = await app.inject({ method: 'GET', url: '/algorithms?lang=en' });
    expect(pageEn.body).toContain('<html lang="en">');
    expect(pageEn.body).toContain('Scheduling/decision');
    expect(pageEn.body).not.toContain('张伟');
    const badLang = await app.inject({ method: 'GET', url: '/algorithms?lang=fr' });
    expect(badLang.statusCode).toBe(400);
  });

  it('documents every route in OpenAPI under the algorithms tag', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    for (const path of [
      '/api/v1/algorithms',
      '/api/v1/why',
      '/api/v1/decisions/{id}/override',
      '/api/v1/public/algorithms',
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect(doc.paths['/api/v1/why'].get.tags).toEqual(['algorithms']);
  });
});
