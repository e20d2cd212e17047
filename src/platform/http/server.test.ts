import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import type { Api } from './server.ts';
import { createTestApi } from './testing.ts';

describe('HTTP layer', () => {
  let app: Api;
  beforeAll(async () => {
    app = await createTestApi();
    app.post(
      '/things',
      { schema: { body: z.strictObject({ name: z.string().min(1), size: z.number().int() }) } },
      async (request) => ({ ok: true, name: request.body.name }),
    );
    app.get('/conflict', async () => {
      throw new AppError('conflict', 'already there', { key: 'k' });
    });
    app.get('/deadlock', async () => {
      // The error node-postgres raises when PostgreSQL kills a transaction to break a lock cycle.
      const err = new pg.DatabaseError('deadlock detected', 0, 'error');
      err.code = '40P01';
      throw err;
    });
    app.get('/boom', async () => {
      throw new Error('secret internals');
    });
    await app.ready();
  });
  afterAll(() => app.close());

  it('answers malformed JSON with 400 invalid_json', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/things',
      payload: '{"name": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_json');
  });

  it('answers schema violations with 400 invalid_request and the issues', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/things',
      payload: { name: '', size: 1.5, extra: true },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.details.length).toBeGreaterThanOrEqual(2);
  });

  it('maps AppError codes to their status with details', async () => {
    const res = await app.inject({ method: 'GET', url: '/conflict' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({
      error: { code: 'conflict', message: 'already there', details: { key: 'k' } },
    });
  });

  it('answers a transaction the database rolled back with 503 retry and Retry-After', async () => {
    const res = await app.inject({ method: 'GET', url: '/deadlock' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json().error.code).toBe('retry');
  });

  it('hides unknown errors behind a bare 500', async () => {
    const res = await app.inject({ method: 'GET', url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: 'internal', message: 'internal error' } });
  });

  it('answers unknown routes with not_found and echoes a request id', async () => {
    const res = await app.inject({ method: 'GET', url: '/nowhere', headers: { 'x-request-id': 'abc-123' } });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
    expect(res.headers['x-request-id']).toBe('abc-123');
  });

  it('refuses bodies over the limit with 413', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/things',
      payload: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024), size: 1 }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('payload_too_large');
  });

  it('serves the OpenAPI document generated from the zod schemas', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(
      doc.paths['/things'].post.requestBody.content['application/json'].schema.properties.size.type,
    ).toBe('integer');
  });
});
