import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer } from '../../src/platform/http/server.ts';
import { registerWebRoutes } from '../../src/platform/http/web.ts';
import { createLogger } from '../../src/platform/logger.ts';

/** registerWebRoutes on the real HTTP stack, with a tiny build and placeholder on disk. */
describe('web routes', () => {
  let dir: string;
  const make = async (built: boolean) => {
    const http = await createHttpServer({ logger: createLogger('silent'), version: 'test' });
    http.get('/api/v1/thing', async () => ({ ok: true }));
    const distDir = path.join(dir, built ? 'dist' : 'missing-dist');
    await registerWebRoutes(http, { distDir, placeholderDir: path.join(dir, 'public') });
    return http;
  };

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-webroutes-'));
    fs.mkdirSync(path.join(dir, 'dist/assets'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'public'));
    fs.writeFileSync(path.join(dir, 'dist/index.html'), '<div id="root"></div>');
    fs.writeFileSync(path.join(dir, 'dist/assets/app-abc.js'), 'console.log(1)');
    fs.writeFileSync(path.join(dir, 'dist/sw-field.js'), 'self');
    fs.writeFileSync(path.join(dir, 'public/index.html'), 'placeholder');
    fs.writeFileSync(path.join(dir, 'secret.txt'), 'outside');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('serves index.html for client routes and files of the build with cache headers', async () => {
    const http = await make(true);
    for (const url of ['/', '/citizen', '/field/tasks/1', '/?at=500103']) {
      const res = await http.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toContain('id="root"');
      expect(res.headers['cache-control']).toBe('no-cache');
    }
    const asset = await http.inject({ url: '/assets/app-abc.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await http.inject({ url: '/sw-field.js' })).headers['cache-control']).toBe('no-cache');
    await http.close();
  });

  it('leaves server paths to the server: unknown ones are JSON 404s, known ones answer', async () => {
    const http = await make(true);
    expect((await http.inject({ url: '/api/v1/thing' })).json()).toEqual({ ok: true });
    for (const url of [
      '/api/v1/nope',
      '/open311/v2/services.json',
      '/algorithms/x',
      '/metrics/x',
      '/health/x',
    ]) {
      const res = await http.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    }
    await http.close();
  });

  it('answers 404 for missing files and never serves outside the build', async () => {
    const http = await make(true);
    expect((await http.inject({ url: '/assets/gone-123.js' })).statusCode).toBe(404);
    expect((await http.inject({ url: '/%E0%A4%A' })).statusCode).toBe(400);
    for (const url of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const res = await http.inject({ url });
      expect(res.body, url).not.toContain('outside');
    }
    await http.close();
  });

  it('serves the placeholder while there is no build', async () => {
    const http = await make(false);
    const res = await http.inject({ url: '/field' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('placeholder');
    await http.close();
  });
});
