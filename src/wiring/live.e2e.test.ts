import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type App, createApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { DEMO_PASSWORD, prepareCity } from '../demo/prepare.ts';
import { openTestDatabase, testBackends } from '../platform/db/testing.ts';
import { createLogger } from '../platform/logger.ts';

const WAIT = { timeout: 15_000, interval: 25 };
/** 解放碑, 渝中区. */
const YUZHONG = { lon: 106.577, lat: 29.557 };

interface Message {
  event: string;
  id?: string;
  data: Record<string, unknown>;
  at: number;
}

/** A client of `GET /api/v1/live` over plain HTTP: the raw headers and every message as it arrives. */
function openLive(base: string, token: string, headers: Record<string, string> = {}) {
  const messages: Message[] = [];
  let request: http.ClientRequest | undefined;
  const opened = new Promise<http.IncomingMessage>((resolve, reject) => {
    request = http.get(
      `${base}/api/v1/live`,
      { headers: { authorization: `Bearer ${token}`, 'accept-encoding': 'gzip, br', ...headers } },
      resolve,
    );
    request.on('error', reject);
  });
  const ready = opened.then((res) => {
    res.setEncoding('utf8');
    let buffer = '';
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const lines = buffer.slice(0, end).split('\n');
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
        const field = (name: string) => lines.find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
        const event = field('event');
        const data = field('data');
        if (event && data) messages.push({ event, id: field('id'), data: JSON.parse(data), at: Date.now() });
      }
    });
    res.on('error', () => {});
    return res;
  });
  return {
    messages,
    ready,
    /** Event-centre messages about one event. */
    about: (eventId: string) => messages.filter((m) => m.event === 'event' && m.data.eventId === eventId),
    close: () => request?.destroy(),
  };
}

/** A raw GET (no automatic decompression): status, headers and the body bytes. */
function rawGet(url: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>(
    (resolve, reject) => {
      http
        .get(url, { headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
          );
        })
        .on('error', reject);
    },
  );
}

/** The real app, listening: event-centre changes reach live clients by jurisdiction; compression. */
describe.each(testBackends)('live event push and compression on %s', (kind) => {
  let app: App;
  let dataDir: string;
  let base: string;
  const tokens: Record<string, string> = {};

  const call = async (method: 'GET' | 'POST', url: string, user: string | undefined, body?: unknown) => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: {
        ...(user ? { authorization: `Bearer ${tokens[user]}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // The few fields these tests read (login token, the filed event's id).
    return { status: res.status, body: (await res.json()) as { token: string; event: { id: string } } };
  };
  const login = async (username: string, password = DEMO_PASSWORD) => {
    const res = await call('POST', '/api/v1/auth/login', undefined, { username, password });
    expect(res.status).toBe(200);
    tokens[username] = res.body.token;
  };
  const complain = async (description: string) => {
    const res = await call('POST', '/api/v1/citizen/requests', undefined, { description, location: YUZHONG });
    expect(res.status).toBe(201);
    return res.body.event.id;
  };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-live-e2e-'));
    const config = loadConfig(
      {},
      { dataDir, port: 0, mqttPort: 0, adminPassword: 'admin-password-e2e', tokenSecret: 'l'.repeat(40) },
    );
    app = await createApp({ config, logger: createLogger('silent'), database: await openTestDatabase(kind) });
    await prepareCity(app, { demo: true });
    base = await app.listen();
    await login('admin', 'admin-password-e2e');
    await login('district.yuzhong');
    const wanzhou = await call('POST', '/api/v1/users', 'admin', {
      username: 'district.wanzhou',
      displayName: '万州区城市运行管理中心 值班员',
      password: DEMO_PASSWORD,
      roles: ['district_operator'],
      jurisdictionCode: '500101',
    });
    expect(wanzhou.status).toBe(201);
    await login('district.wanzhou');
  }, 180_000);
  afterAll(async () => {
    await app?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('pushes a complaint filed through the API to a client in scope, not to one out of scope', async () => {
    const yuzhong = openLive(base, tokens['district.yuzhong']!);
    const wanzhou = openLive(base, tokens['district.wanzhou']!);
    const res = await yuzhong.ready;
    await wanzhou.ready;
    // The stream is never compressed, even when the client accepts it.
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(res.headers['content-encoding']).toBeUndefined();
    await vi.waitFor(() => expect(yuzhong.messages.map((m) => m.event)).toContain('ready'), WAIT);
    expect(yuzhong.messages[0]!.data).toEqual({ resumed: false });

    const filedAt = Date.now();
    const id = await complain('解放碑步行街井盖松动，行人易绊倒');
    await vi.waitFor(() => expect(yuzhong.about(id).map((m) => m.data.change)).toContain('created'), WAIT);
    const created = yuzhong.about(id).find((m) => m.data.change === 'created')!;
    expect(created.id).toMatch(/^[\w-]+-\d+$/);
    expect(created.data).toMatchObject({
      eventId: id,
      taskId: null,
      jurisdictionPath: expect.stringMatching(/^50\/500103\//),
      status: expect.any(String),
    });
    console.log(`live: event created → in-scope SSE client in ${created.at - filedAt} ms (${kind})`);
    // The routing that follows (tasks made, status) arrives too, for the same event.
    await vi.waitFor(
      () => expect(yuzhong.about(id).some((m) => String(m.data.change).startsWith('task_'))).toBe(true),
      WAIT,
    );
    // Out of scope: nothing about it (the bus delivered it to the feed before the in-scope
    // client got it; a little longer for good measure).
    await new Promise((r) => setTimeout(r, 300));
    expect(wanzhou.about(id)).toEqual([]);
    expect(wanzhou.messages.map((m) => m.event)).toEqual(['ready']);
    yuzhong.close();
    wanzhou.close();
    await vi.waitFor(() => expect(app.live.size).toBe(0), WAIT);
  });

  it('resumes a reconnecting client from Last-Event-ID, and tells one it cannot resume to reload', async () => {
    const first = openLive(base, tokens['district.yuzhong']!);
    await first.ready;
    await vi.waitFor(() => expect(first.messages.some((m) => m.event === 'ready')).toBe(true), WAIT);
    const a = await complain('较场口夜市露天烧烤油烟太大');
    await vi.waitFor(() => expect(first.about(a).length).toBeGreaterThan(0), WAIT);
    const lastSeen = first.messages.findLast((m) => m.id)!.id!;
    first.close();
    await vi.waitFor(() => expect(app.live.size).toBe(0), WAIT);

    // Missed while disconnected (an admin client that stays connected shows when the feed has it).
    const observer = openLive(base, tokens.admin!);
    await vi.waitFor(() => expect(observer.messages.some((m) => m.event === 'ready')).toBe(true), WAIT);
    const b = await complain('解放碑地下通道积水严重');
    await vi.waitFor(() => expect(observer.about(b).length).toBeGreaterThan(0), WAIT);
    observer.close();

    const again = openLive(base, tokens['district.yuzhong']!, { 'last-event-id': lastSeen });
    await vi.waitFor(() => expect(again.messages.some((m) => m.event === 'ready')).toBe(true), WAIT);
    const ready = again.messages.find((m) => m.event === 'ready')!;
    expect(ready.data).toEqual({ resumed: true });
    // b's creation was replayed before `ready`; nothing of a (seen already) was sent again.
    const replayed = again.messages.slice(0, again.messages.indexOf(ready));
    expect(replayed.some((m) => m.data.eventId === b && m.data.change === 'created')).toBe(true);
    expect(replayed.some((m) => m.data.eventId === a && m.data.change === 'created')).toBe(false);
    again.close();

    // An id of another process (or from before a restart) cannot be resumed.
    const stranger = openLive(base, tokens['district.yuzhong']!, { 'last-event-id': 'elsewhere-42' });
    await vi.waitFor(() => expect(stranger.messages.some((m) => m.event === 'ready')).toBe(true), WAIT);
    expect(stranger.messages).toEqual([
      expect.objectContaining({ event: 'ready', data: { resumed: false } }),
    ]);
    stranger.close();
    // A client out of scope replaying from the same id gets none of 渝中区's events.
    const outside = openLive(base, tokens['district.wanzhou']!, { 'last-event-id': lastSeen });
    await vi.waitFor(() => expect(outside.messages.some((m) => m.event === 'ready')).toBe(true), WAIT);
    expect(outside.messages).toEqual([expect.objectContaining({ event: 'ready', data: { resumed: true } })]);
    outside.close();
  });

  it('compresses a large JSON answer with gzip or brotli as accepted, and leaves small ones alone', async () => {
    const url = `${base}/api/v1/events?limit=200`;
    const auth = { authorization: `Bearer ${tokens['district.yuzhong']}` };
    const plain = await rawGet(url, auth);
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.length).toBeGreaterThan(1024);
    const gz = await rawGet(url, { ...auth, 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers.vary).toMatch(/accept-encoding/i);
    expect(JSON.parse(zlib.gunzipSync(gz.body).toString('utf8'))).toEqual(
      JSON.parse(plain.body.toString('utf8')),
    );
    expect(gz.body.length).toBeLessThan(plain.body.length / 2);
    const br = await rawGet(url, { ...auth, 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(zlib.brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
    // A small answer is not worth it.
    const health = await rawGet(`${base}/health`, { 'accept-encoding': 'gzip' });
    expect(health.body.length).toBeLessThan(1024);
    expect(health.headers['content-encoding']).toBeUndefined();
    console.log(
      `compression: GET /api/v1/events (${kind}) ${plain.body.length} B → gzip ${gz.body.length} B, br ${br.body.length} B`,
    );
  });
});
