import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ROLE_GROUPS } from '../roles.ts';
import { declaredRoutes } from './access.ts';
import type { Api } from './server.ts';
import { createTestApi, testPrincipal } from './testing.ts';

describe('declared route access', () => {
  let app: Api;
  beforeAll(async () => {
    app = await createTestApi({
      operator: testPrincipal('50/500103', ['district_operator']),
      auditor: testPrincipal('50', ['auditor']),
      officer: testPrincipal('50/500103', ['field_officer']),
      admin: testPrincipal('50', ['admin']),
    });
    app.get('/api/open', { config: { access: 'public' } }, async (request) => ({
      who: request.principal?.roles ?? null,
    }));
    app.get('/api/mine', { config: { access: 'authenticated' } }, async (request) => ({
      who: request.principal?.roles ?? null,
    }));
    app.post(
      '/api/kpis',
      {
        config: { access: { roles: ROLE_GROUPS.oversight } },
        schema: { tags: ['t'], summary: 'oversight only', body: z.strictObject({ n: z.number() }) },
      },
      async () => ({ ok: true }),
    );
    app.post(
      '/api/tasks/:id/assign',
      { config: { access: { roles: ROLE_GROUPS.operators, audited: true } } },
      async (request) => ({ reached: request.principal?.roles ?? null }),
    );
    app.get('/api/undeclared', async () => ({ ok: true }));
    await app.ready();
  });
  afterAll(() => app.close());

  const call = (method: 'GET' | 'POST', url: string, who?: string, payload?: object) =>
    app.inject({
      method,
      url,
      headers: who ? { authorization: `Bearer ${who}` } : {},
      ...(payload ? { payload } : {}),
    });

  it('lets anyone call a public route, with or without credentials', async () => {
    expect((await call('GET', '/api/open')).json()).toEqual({ who: null });
    expect((await call('GET', '/api/open', 'officer')).json()).toEqual({ who: ['field_officer'] });
  });

  it('answers 401 unauthenticated without credentials on an authenticated or role-bound route', async () => {
    for (const [method, url] of [
      ['GET', '/api/mine'],
      ['POST', '/api/kpis'],
    ] as const) {
      const res = await call(method, url, undefined, { n: 1 });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('unauthenticated');
    }
  });

  it('lets any caller with credentials through an authenticated route', async () => {
    const res = await call('GET', '/api/mine', 'officer');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ who: ['field_officer'] });
  });

  it('answers 403 forbidden with the roles when the caller holds none of them', async () => {
    const res = await call('POST', '/api/kpis', 'officer', { n: 1 });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toMatchObject({
      code: 'forbidden',
      details: { roles: [...ROLE_GROUPS.oversight] },
    });
  });

  it('lets a caller with one of the roles through, and admin everywhere', async () => {
    for (const who of ['operator', 'auditor', 'admin']) {
      const res = await call('POST', '/api/kpis', who, { n: 1 });
      expect(res.statusCode, who).toBe(200);
    }
  });

  it('leaves an audited role check to the service (it records the refusal) but still wants a caller', async () => {
    expect((await call('POST', '/api/tasks/t1/assign')).statusCode).toBe(401);
    const res = await call('POST', '/api/tasks/t1/assign', 'officer');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ reached: ['field_officer'] });
    const doc = app.swagger() as unknown as {
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    expect(doc.paths['/api/tasks/{id}/assign']?.post).toMatchObject({
      'x-access': 'roles',
      'x-roles': [...ROLE_GROUPS.operators],
    });
  });

  it('validates the request before it checks access, as the handlers did', async () => {
    const res = await call('POST', '/api/kpis', undefined, { n: 'x' });
    expect(res.statusCode).toBe(400);
  });

  it('records every route with its declaration and shows it in the OpenAPI document', async () => {
    const routes = declaredRoutes(app);
    expect(routes).toContainEqual({ method: 'GET', url: '/api/open', access: 'public' });
    expect(routes).toContainEqual({ method: 'GET', url: '/api/undeclared', access: undefined });
    const doc = app.swagger() as unknown as {
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    expect(doc.paths['/api/kpis']?.post).toMatchObject({
      'x-access': 'roles',
      'x-roles': [...ROLE_GROUPS.oversight],
    });
    expect(doc.paths['/api/mine']?.get?.['x-access']).toBe('authenticated');
    expect(doc.paths['/api/open']?.get?.['x-access']).toBe('public');
    expect(doc.paths['/api/undeclared']?.get?.['x-access']).toBeUndefined();
  });
});
