import formbody from '@fastify/formbody';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import type { Api } from './server.ts';
import { createTestApi } from './testing.ts';
import { findBadText, MAX_BODY_DEPTH } from './text.ts';

describe('text hygiene at the HTTP edge', () => {
  let app: Api;
  beforeAll(async () => {
    app = await createTestApi();
    const Body = z.object({ name: z.string(), tags: z.array(z.string()).optional() }).passthrough();
    app.post('/things', { schema: { body: Body } }, async (request) => ({
      ok: true,
      name: request.body.name,
    }));
    app.get(
      '/things/:id',
      { schema: { querystring: z.object({ q: z.string().optional() }) } },
      async (request) => ({
        id: (request.params as { id: string }).id,
      }),
    );
    app.post('/text', async (request) => ({ length: String(request.body).length }));
    // A scope with its own error format and form bodies, the way Open311 has.
    app.register(
      async (scope) => {
        await scope.register(formbody);
        scope.setErrorHandler((error, _request, reply) => {
          const status = error instanceof AppError ? error.status : 500;
          reply.status(status).send([{ code: status, description: (error as Error).message }]);
        });
        scope.post('/requests/:token', async (request) => ({ body: request.body }));
      },
      { prefix: '/own' },
    );
    await app.ready();
  });
  afterAll(() => app.close());

  const post = (url: string, payload: string, contentType = 'application/json') =>
    app.inject({ method: 'POST', url, payload, headers: { 'content-type': contentType } });

  it('refuses NUL and lone surrogates in a JSON body, naming the fields', async () => {
    const res = await post('/things', '{"name":"a\\u0000b","tags":["ok","x\\udc00"]}');
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'invalid_text' });
    expect(res.json().error.details).toEqual(
      expect.arrayContaining([
        { in: 'body', path: '/name' },
        { in: 'body', path: '/tags/1' },
      ]),
    );
  });

  it('refuses bad text in an object key and accepts well-formed astral characters', async () => {
    const bad = await post('/things', '{"name":"ok","a/b\\u0000":1}');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toEqual([{ in: 'body', path: '/a~1b\u0000' }]);
    const good = await post('/things', JSON.stringify({ name: '重庆 😀 \ud83d\ude00' }));
    expect(good.statusCode).toBe(200);
  });

  it('refuses bad text in path parameters, query and headers before authentication', async () => {
    for (const url of ['/things/a%00b', '/things/x?q=%00']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.code).toBe('invalid_text');
    }
    const header = await app.inject({ method: 'GET', url: '/things/x', headers: { 'x-api-key': 'k\ud800' } });
    expect(header.statusCode).toBe(400);
    expect(header.json().error.details).toEqual([{ in: 'headers', path: '/x-api-key' }]);
  });

  it('keeps a plain x-request-id and replaces one it could not echo', async () => {
    const plain = await app.inject({
      method: 'GET',
      url: '/things/x',
      headers: { 'x-request-id': 'req-1.a:b' },
    });
    expect(plain.headers['x-request-id']).toBe('req-1.a:b');
    const bad = await app.inject({
      method: 'GET',
      url: '/things/x',
      headers: { 'x-request-id': 'a\u0000b' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('invalid_text');
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a text/plain body with NUL', async () => {
    const res = await post('/text', 'a\u0000b', 'text/plain');
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'invalid_text', details: [{ in: 'body', path: '' }] });
  });

  it(`refuses bodies nested deeper than ${MAX_BODY_DEPTH} levels, and accepts ${MAX_BODY_DEPTH}`, async () => {
    const nest = (n: number) => `{"name":"n","deep":${'['.repeat(n - 1)}${']'.repeat(n - 1)}}`;
    expect((await post('/things', nest(MAX_BODY_DEPTH))).statusCode).toBe(200);
    for (const n of [MAX_BODY_DEPTH + 1, 5000, 200_000]) {
      const res = await post('/things', nest(n));
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({
        code: 'invalid_request',
        details: { in: 'body', maxDepth: MAX_BODY_DEPTH },
      });
    }
  });

  it('answers malformed percent-encoding in a path with 400 in the documented shape', async () => {
    for (const url of ['/things/%ZZ', '/things/a%ED%A0%80b', '/things/%C0%80?q=1', '/things/%']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.code, url).toBe('invalid_request');
    }
    const long = await app.inject({ method: 'GET', url: `/things/${'x'.repeat(5000)}` });
    expect(long.statusCode).toBe(200);
  });

  it('hands its refusals to a scope with its own error format (form bodies included)', async () => {
    const form = await post('/own/requests/t1', 'description=a%00b&x=1', 'application/x-www-form-urlencoded');
    expect(form.statusCode).toBe(400);
    expect(form.json()).toEqual([{ code: 400, description: expect.stringContaining('body /description') }]);
    for (const url of ['/own/requests/%00', '/own/requests/%ED%A0%80']) {
      const res = await app.inject({
        method: 'POST',
        url,
        payload: 'a=1',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(res.statusCode, url).toBe(400);
      expect(res.json()[0].code).toBe(400);
    }
    const ok = await post(
      '/own/requests/t1',
      'description=%E8%B7%AF%E7%81%AF',
      'application/x-www-form-urlencoded',
    );
    expect(ok.json()).toEqual({ body: { description: '路灯' } });
  });

  it('walks without recursion and stops at ten findings', () => {
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, '\u0000']));
    expect(findBadText(many, 'body')).toHaveLength(10);
    expect(findBadText({ a: ['ok', { b: 'fine' }] }, 'query')).toEqual([]);
  });
});
