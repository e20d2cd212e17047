import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../../platform/db/testing.ts';
import type { Api } from '../../platform/http/server.ts';
import { createTestApi } from '../../platform/http/testing.ts';
import { PASSWORD, seedUsers, setupIdentity } from './identity.fixtures.ts';
import { installAuthentication, registerIdentityRoutes } from './identity.routes.ts';

type Setup = Awaited<ReturnType<typeof setupIdentity>>;
type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

describe.each(testBackends)('identity routes on %s', (kind) => {
  let s: Setup;
  let u: Awaited<ReturnType<typeof seedUsers>>;
  let app: Api;
  const tokens: Record<string, string> = {};

  const call = (
    method: Method,
    url: string,
    options: { as?: string; body?: unknown; headers?: object } = {},
  ) =>
    app.inject({
      method,
      url,
      payload: options.body as object,
      headers: {
        ...(options.as ? { authorization: `Bearer ${tokens[options.as]}` } : {}),
        ...options.headers,
      },
    });

  beforeAll(async () => {
    s = await setupIdentity(kind);
    u = await seedUsers(s.identity);
    app = await createTestApi();
    installAuthentication(app, s.identity);
    registerIdentityRoutes(app, { identity: s.identity });
    await app.ready();
    for (const name of ['admin', 'd103', 's1031', 'f1031']) {
      const res = await call('POST', '/api/v1/auth/login', { body: { username: name, password: PASSWORD } });
      expect(res.statusCode).toBe(200);
      tokens[name] = res.json().token;
    }
  });
  afterAll(async () => {
    await app?.close();
    await s?.database.close();
  });

  it('logs in over HTTP and the token identifies the caller', async () => {
    const login = await call('POST', '/api/v1/auth/login', {
      body: { username: 'city', password: PASSWORD },
    });
    expect(login.json()).toMatchObject({
      user: { username: 'city', hasPassword: true },
      expiresAt: expect.any(String),
    });
    expect(login.body).not.toContain('scrypt');
    const me = await call('GET', '/api/v1/auth/me', {
      headers: { authorization: `Bearer ${login.json().token}` },
    });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      principal: { kind: 'user', name: 'city', jurisdictionPath: '50' },
      user: { id: u.city.id },
    });
  });

  it('answers 401 in the one error shape', async () => {
    const wrong = await call('POST', '/api/v1/auth/login', { body: { username: 'city', password: 'nope' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toEqual({
      error: {
        code: 'unauthenticated',
        message: 'invalid username or password',
        details: { reason: 'invalid_credentials' },
      },
    });
    const anonymous = await call('GET', '/api/v1/auth/me');
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe('unauthenticated');
    const bad = await call('GET', '/api/v1/users', { headers: { authorization: 'Bearer x.y.z' } });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error).toMatchObject({ code: 'unauthenticated', details: { reason: 'invalid_token' } });
  });

  it('refuses unknown fields and malformed input with 400', async () => {
    const extra = await call('POST', '/api/v1/auth/login', {
      body: { username: 'city', password: PASSWORD, admin: true },
    });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().error.code).toBe('invalid_request');
    const body = {
      username: 'new.one',
      displayName: 'New',
      password: PASSWORD,
      roles: [],
      jurisdictionCode: '500103',
    };
    expect(
      (await call('POST', '/api/v1/users', { as: 'd103', body: { ...body, isAdmin: true } })).statusCode,
    ).toBe(400);
    expect(
      (await call('POST', '/api/v1/users', { as: 'd103', body: { ...body, username: 'No Way' } })).statusCode,
    ).toBe(400);
    expect((await call('PATCH', `/api/v1/users/${u.s1031.id}`, { as: 'd103', body: {} })).statusCode).toBe(
      400,
    );
    expect((await call('GET', '/api/v1/users/not-a-uuid', { as: 'd103' })).statusCode).toBe(400);
    expect((await call('GET', '/api/v1/users?shoeSize=42', { as: 'd103' })).statusCode).toBe(400);
  });

  it('scopes user administration', async () => {
    const list = await call('GET', '/api/v1/users?role=street_operator', { as: 'd103' });
    expect(list.json().items.map((x: { username: string }) => x.username)).toEqual(['s1031', 's1032']);
    expect((await call('GET', '/api/v1/users', { as: 'f1031' })).statusCode).toBe(403);
    expect((await call('GET', `/api/v1/users/${u.s1032.id}`, { as: 's1031' })).json().error.code).toBe(
      'not_found',
    );
    expect((await call('GET', `/api/v1/users/${u.s1041.id}`, { as: 'd103' })).statusCode).toBe(404);
    const body = { username: 'new.one', displayName: 'New', password: PASSWORD, roles: ['street_operator'] };
    const created = await call('POST', '/api/v1/users', {
      as: 'd103',
      body: { ...body, jurisdictionCode: '500103002' },
    });
    expect(created.statusCode).toBe(201);
    const outside = await call('POST', '/api/v1/users', {
      as: 'd103',
      body: { ...body, username: 'outsider', jurisdictionCode: '500104001' },
    });
    expect([outside.statusCode, outside.json().error]).toEqual([
      404,
      {
        code: 'not_found',
        message: "jurisdiction '500104001' not found",
        details: { kind: 'jurisdiction', key: '500104001' },
      },
    ]);
    const patched = await call('PATCH', `/api/v1/users/${created.json().id}`, {
      as: 'd103',
      body: { active: false },
    });
    expect(patched.json()).toMatchObject({ active: false, username: 'new.one' });
  });

  it('changes your own password and ends your other sessions', async () => {
    const res = await call('POST', `/api/v1/users/${u.f1031.id}/password`, {
      as: 'f1031',
      body: { oldPassword: PASSWORD, newPassword: 'fresh password 2' },
    });
    expect(res.statusCode).toBe(204);
    const stale = await call('GET', '/api/v1/auth/me', { as: 'f1031' });
    expect(stale.json().error).toMatchObject({
      code: 'unauthenticated',
      details: { reason: 'token_revoked' },
    });
  });

  it('creates, uses, lists and revokes API keys', async () => {
    const made = await call('POST', '/api/v1/api-keys', {
      as: 'd103',
      body: { name: 'gauges', roles: ['field_officer'], jurisdictionCode: '500103' },
    });
    expect(made.statusCode).toBe(201);
    const { apiKey, secret } = made.json();
    const me = await call('GET', '/api/v1/auth/me', { headers: { 'x-api-key': secret } });
    expect(me.json()).toEqual({
      principal: expect.objectContaining({ kind: 'api_key', name: 'gauges' }),
      user: null,
    });
    const viaAuthorization = await call('GET', '/api/v1/auth/me', {
      headers: { authorization: `ApiKey ${secret}` },
    });
    expect(viaAuthorization.statusCode).toBe(200);
    const listed = await call('GET', '/api/v1/api-keys', { as: 'd103' });
    expect(listed.json().items.map((k: { id: string }) => k.id)).toEqual([apiKey.id]);
    expect(listed.body).not.toContain(secret);
    expect((await call('DELETE', `/api/v1/api-keys/${apiKey.id}`, { as: 's1031' })).statusCode).toBe(403);
    const revoked = await call('DELETE', `/api/v1/api-keys/${apiKey.id}`, { as: 'd103' });
    expect(revoked.json().revokedAt).toEqual(expect.any(String));
    const refused = await call('GET', '/api/v1/auth/me', { headers: { 'x-api-key': secret } });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.details).toEqual({ reason: 'api_key_revoked' });
  });

  it('documents the routes in OpenAPI', async () => {
    const doc = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(doc.statusCode).toBe(200);
    const paths = Object.keys(doc.json().paths);
    expect(paths).toEqual(
      expect.arrayContaining(['/api/v1/auth/login', '/api/v1/users/{id}', '/api/v1/api-keys/{id}']),
    );
  });
});
