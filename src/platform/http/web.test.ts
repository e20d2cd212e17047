import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.ts';
import { createHttpServer } from './server.ts';
import { registerWebRoutes } from './web.ts';

/** Compression of the web app's files on the real HTTP stack, with a small build on disk. */
describe('web routes: compressed assets', () => {
  let dir: string;
  const js = `export const rows = ${JSON.stringify(Array.from({ length: 400 }, (_, i) => ({ i, name: `row ${i}` })))};\n`;
  const css = `.row { color: red; }\n`.repeat(200);
  const png = Buffer.concat([
    Buffer.from('89504e470d0a1a0a', 'hex'),
    Buffer.alloc(4096, 7), // compressible bytes: a PNG must still go out as it is
  ]);

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-webcompress-'));
    fs.mkdirSync(path.join(dir, 'dist/assets'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'dist/index.html'), `<div id="root"></div>${'<!-- pad -->'.repeat(200)}`);
    fs.writeFileSync(path.join(dir, 'dist/assets/app-abc.js'), js);
    // What the build writes beside it (web/vite.config.ts): served as they are.
    fs.writeFileSync(path.join(dir, 'dist/assets/app-abc.js.br'), zlib.brotliCompressSync(js));
    fs.writeFileSync(path.join(dir, 'dist/assets/app-abc.js.gz'), zlib.gzipSync(js, { level: 9 }));
    fs.writeFileSync(path.join(dir, 'dist/assets/style-abc.css'), css); // no precompressed twin
    fs.writeFileSync(path.join(dir, 'dist/icon.png'), png);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const make = async () => {
    const http = await createHttpServer({ logger: createLogger('silent'), version: 'test' });
    await registerWebRoutes(http, { distDir: path.join(dir, 'dist') });
    return http;
  };

  it('sends the precompressed twin of a built file by accept-encoding, byte for byte', async () => {
    const http = await make();
    const br = await http.inject({ url: '/assets/app-abc.js', headers: { 'accept-encoding': 'gzip, br' } });
    expect(br.statusCode).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/javascript/);
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(br.rawPayload.equals(fs.readFileSync(path.join(dir, 'dist/assets/app-abc.js.br')))).toBe(true);
    const gz = await http.inject({ url: '/assets/app-abc.js', headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(gz.rawPayload).toString()).toBe(js);
    const plain = await http.inject({ url: '/assets/app-abc.js' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(js);
    await http.close();
  });

  it('compresses text without a twin on the fly (also index.html for client routes), never a PNG', async () => {
    const http = await make();
    const cssRes = await http.inject({
      url: '/assets/style-abc.css',
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(cssRes.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(cssRes.rawPayload).toString()).toBe(css);
    const page = await http.inject({ url: '/plans/p-1', headers: { 'accept-encoding': 'br' } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-encoding']).toBe('br');
    expect(zlib.brotliDecompressSync(page.rawPayload).toString()).toContain('id="root"');
    const image = await http.inject({ url: '/icon.png', headers: { 'accept-encoding': 'gzip, br' } });
    expect(image.headers['content-type']).toBe('image/png');
    expect(image.headers['content-encoding']).toBeUndefined();
    expect(image.rawPayload.equals(png)).toBe(true);
    await http.close();
  });
});
