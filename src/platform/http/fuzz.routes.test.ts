import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fc, it } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { type App, createApp } from '../../app.ts';
import { loadConfig } from '../../config.ts';
import { prepareCity } from '../../demo/prepare.ts';
import { AUTO, syntheticCity } from '../../modules/jurisdictions/jurisdictions.fixture.ts';
import { SYSTEM_PRINCIPAL } from '../access.ts';
import { openTestDatabase } from '../db/testing.ts';
import { createLogger } from '../logger.ts';
import {
  arbitraryOf,
  hostileContentType,
  hostileJson,
  hostileJsonText,
  hostileUrlText,
  type Json,
  type JsonSchema,
  jsonText,
} from './fuzz.arbitraries.ts';

/**
 * Property-based fuzzing of every HTTP route of the real app (PGlite in memory, a small
 * synthetic city; FUZZ_DEMO=1 loads the Chongqing demo city instead). Inputs are generated
 * from the app's own OpenAPI document, then mutated with hostile values. Whatever comes in:
 * no 5xx, every 4xx in the documented error shape (Open311's own under /open311/), /health
 * still OK afterwards. FUZZ_RUNS and FUZZ_SEED make a longer or different run (docs/api.md).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 800);
const SEED = Number(process.env.FUZZ_SEED ?? 20261206);

interface Param {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: JsonSchema;
}

interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  params: Param[];
  body?: JsonSchema;
  open311: boolean;
}

interface Sent {
  method: Operation['method'];
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

/** Routes the fuzzer leaves out, and why. */
const SKIPPED = new Set([
  'GET /api/v1/live', // an endless event stream: inject would wait for its end forever
]);

function operationsOf(doc: {
  paths: Record<
    string,
    Record<
      string,
      { parameters?: Param[]; requestBody?: { content: Record<string, { schema: JsonSchema }> } }
    >
  >;
}): Operation[] {
  const ops: Operation[] = [];
  for (const [p, byMethod] of Object.entries(doc.paths))
    for (const [m, op] of Object.entries(byMethod)) {
      const method = m.toUpperCase() as Operation['method'];
      if (SKIPPED.has(`${method} ${p}`)) continue;
      ops.push({
        method,
        path: p,
        params: op.parameters ?? [],
        body: op.requestBody?.content['application/json']?.schema,
        open311: p.startsWith('/open311/'),
      });
    }
  return ops;
}

/** A request to one operation: valid values, then at most one mutation. */
interface Case {
  op: Operation;
  values: { path: Record<string, Json>; query: Record<string, Json>; body: Json | undefined };
  mutation: Mutation;
  admin: boolean;
  form: boolean;
}

type Mutation =
  | { kind: 'none' }
  | { kind: 'path' | 'query'; index: number; text: string }
  | { kind: 'query-extra'; text: string }
  | { kind: 'body-field'; index: number; value: Json }
  | { kind: 'body-whole'; value: Json }
  | { kind: 'body-text'; text: string }
  | { kind: 'body-empty' }
  | { kind: 'content-type'; contentType: string }
  | { kind: 'header'; name: 'x-api-key' | 'authorization' | 'accept' | 'x-request-id'; text: string };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'none' as const }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constantFrom('path' as const, 'query' as const),
      index: fc.nat(),
      text: hostileUrlText,
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ kind: fc.constant('query-extra' as const), text: hostileUrlText }), weight: 1 },
  {
    arbitrary: fc.record({ kind: fc.constant('body-field' as const), index: fc.nat(), value: hostileJson }),
    weight: 5,
  },
  { arbitrary: fc.record({ kind: fc.constant('body-whole' as const), value: hostileJson }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('body-text' as const), text: hostileJsonText }), weight: 2 },
  { arbitrary: fc.constant({ kind: 'body-empty' as const }), weight: 1 },
  {
    arbitrary: fc.record({ kind: fc.constant('content-type' as const), contentType: hostileContentType }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('header' as const),
      name: fc.constantFrom(
        'x-api-key' as const,
        'authorization' as const,
        'accept' as const,
        'x-request-id' as const,
      ),
      text: fc.constantFrom(
        'Bearer x',
        `Bearer ${'a'.repeat(5000)}`,
        'Bearer a.b.c',
        "' OR 1=1",
        'text/xml',
        '*/*;q=NaN',
        'a\u0000b',
        'x\u0001y',
        '',
      ),
    }),
    weight: 1,
  },
);

function caseArb(
  ops: Operation[],
  refs: Record<string, JsonSchema>,
  known: Record<string, string[]>,
): fc.Arbitrary<Case> {
  return fc.constantFrom(...ops).chain((op) => {
    const record = (where: Param['in']) => {
      const model: Record<string, fc.Arbitrary<Json>> = {};
      for (const p of op.params.filter((q) => q.in === where)) {
        const generated = arbitraryOf(p.schema, refs);
        const real = known[p.name] ?? (where === 'path' && /id$/i.test(p.name) ? known.id : undefined);
        model[p.name] = real?.length
          ? fc.oneof({ arbitrary: fc.constantFrom(...real), weight: 3 }, { arbitrary: generated, weight: 1 })
          : generated;
      }
      const required = op.params.filter((q) => q.in === where && q.required).map((q) => q.name);
      return fc.record(model, { requiredKeys: where === 'path' ? Object.keys(model) : required });
    };
    return fc.record({
      op: fc.constant(op),
      values: fc.record({
        path: record('path'),
        query: record('query'),
        body: op.body ? arbitraryOf(op.body, refs) : fc.constant(undefined),
      }),
      mutation: mutationArb,
      admin: fc.oneof({ arbitrary: fc.constant(true), weight: 3 }, fc.constant(false)),
      form: op.open311 ? fc.boolean() : fc.constant(false),
    });
  });
}

/** Every JSON pointer-ish place in a value, as key paths (the root is []). */
function places(value: Json, at: Array<string | number> = [], out: Array<Array<string | number>> = []) {
  out.push(at);
  if (value && typeof value === 'object' && out.length < 200)
    for (const [k, v] of Object.entries(value)) places(v, [...at, Array.isArray(value) ? Number(k) : k], out);
  return out;
}

function replaceAt(value: Json, at: Array<string | number>, by: Json): Json {
  if (!at.length) return by;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<
    string | number,
    Json
  >;
  const [head, ...rest] = at as [string | number, ...Array<string | number>];
  copy[head] = replaceAt(copy[head] as Json, rest, by);
  return copy as Json;
}

const urlText = (v: Json) => encodeURIComponent(typeof v === 'string' ? v.toWellFormed() : JSON.stringify(v));

function formBody(body: Json): string {
  const form = new URLSearchParams();
  if (body && typeof body === 'object' && !Array.isArray(body))
    for (const [k, v] of Object.entries(body))
      for (const item of Array.isArray(v) ? v : [v])
        form.append(k.toWellFormed(), typeof item === 'string' ? item.toWellFormed() : JSON.stringify(item));
  return form.toString();
}

/** Turns a case into the request it sends. */
function build(c: Case, token: string): Sent {
  const { op, mutation: m } = c;
  const pathNames = op.params.filter((p) => p.in === 'path').map((p) => p.name);
  const queryNames = Object.keys(c.values.query);
  let url = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    if (m.kind === 'path' && pathNames[m.index % pathNames.length] === name) return m.text;
    return urlText(c.values.path[name] ?? 'x');
  });
  const query = queryNames.map((name, i) =>
    m.kind === 'query' && m.index % queryNames.length === i
      ? `${name}=${m.text}`
      : `${name}=${urlText(c.values.query[name] as Json)}`,
  );
  if (m.kind === 'query-extra' || (m.kind === 'query' && !queryNames.length)) query.push(`q=${m.text}`);
  if (query.length) url += `?${query.join('&')}`;

  const headers: Record<string, string> = c.admin ? { authorization: `Bearer ${token}` } : {};
  if (m.kind === 'header') headers[m.name] = m.text;
  let body = c.values.body;
  if (m.kind === 'body-field' && body !== undefined) {
    const all = places(body);
    body = replaceAt(body, all[m.index % all.length] as Array<string | number>, m.value);
  }
  if (m.kind === 'body-whole') body = m.value;
  if (body === undefined && !['body-text', 'content-type', 'body-empty'].includes(m.kind))
    return { method: op.method, url, headers };
  const sent: Sent = { method: op.method, url, headers };
  if (m.kind === 'body-text') {
    headers['content-type'] = 'application/json';
    sent.payload = m.text;
  } else if (m.kind === 'body-empty') {
    headers['content-type'] = c.form ? 'application/x-www-form-urlencoded' : 'application/json';
    sent.payload = '';
  } else if (c.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    sent.payload = formBody(body ?? null);
  } else {
    headers['content-type'] = 'application/json';
    sent.payload = jsonText(body ?? null);
  }
  if (m.kind === 'content-type') {
    headers['content-type'] = m.contentType;
    sent.payload ??= m.contentType.includes('xml') ? '<a>1</a>' : 'x';
  }
  return sent;
}

/** What went wrong with an answer, or undefined if it is acceptable. */
function fault(status: number, body: string, open311: boolean): string | undefined {
  if (status >= 500) return `status ${status}: ${body.slice(0, 300)}`;
  if (status < 400) return undefined;
  if (open311) {
    if (body.startsWith('<?xml'))
      return body.includes('<errors>')
        ? undefined
        : `open311 XML error without <errors>: ${body.slice(0, 200)}`;
    try {
      const list = JSON.parse(body) as Array<{ code: number; description: string }>;
      if (
        Array.isArray(list) &&
        typeof list[0]?.code === 'number' &&
        typeof list[0]?.description === 'string'
      )
        return undefined;
    } catch {}
    return `open311 error not in its format: ${body.slice(0, 200)}`;
  }
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
    if (typeof parsed.error?.code === 'string' && typeof parsed.error.message === 'string') return undefined;
  } catch {}
  return `error not in the documented shape: ${body.slice(0, 200)}`;
}

describe('fuzzing every route of the real app', () => {
  let app: App;
  let dataDir: string;
  let token: string;
  let ops: Operation[];
  let refs: Record<string, JsonSchema>;
  let known: Record<string, string[]>;

  /**
   * Real ids, codes, keys and tokens (from one filed request and every list route), so that
   * mutated bodies also reach handlers past their not-found checks.
   */
  const harvest = async (all: Operation[]) => {
    const found: Record<string, Set<string>> = {};
    const keep = (name: string, value: unknown) => {
      if (typeof value !== 'string' && typeof value !== 'number') return;
      found[name] ??= new Set();
      if (found[name].size < 20) found[name].add(String(value));
    };
    const walk = (value: unknown, depth = 0) => {
      if (!value || typeof value !== 'object' || depth > 4) return;
      for (const [k, v] of Object.entries(value)) {
        if (/^(id|code|key|token|version|category|evidenceId|format)$/.test(k)) keep(k, v);
        walk(v, depth + 1);
      }
    };
    const filed = await app.http.inject({
      method: 'POST',
      url: '/api/v1/citizen/requests',
      payload: { description: '路灯不亮 fuzz seed', location: { lon: 106.05, lat: 29.05 } },
    });
    walk(filed.json());
    for (const op of all.filter((o) => o.method === 'GET' && !o.path.includes('{') && !o.open311)) {
      const res = await app.http.inject({
        method: 'GET',
        url: op.path,
        headers: { authorization: `Bearer ${token}` },
      });
      if (res.headers['content-type']?.toString().startsWith('application/json')) walk(res.json());
    }
    return Object.fromEntries(Object.entries(found).map(([k, v]) => [k, [...v]]));
  };

  const send = async (sent: Sent) => {
    const res = await app.http.inject({
      method: sent.method,
      url: sent.url,
      headers: sent.headers,
      ...(sent.payload === undefined ? {} : { payload: sent.payload }),
    });
    return { status: res.statusCode, body: res.body };
  };
  const describeSent = (s: Sent) =>
    `${s.method} ${s.url.slice(0, 200)} ${JSON.stringify(s.headers).slice(0, 200)} ${String(s.payload ?? '').slice(0, 300)}`;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-fuzz-'));
    const config = loadConfig(
      {},
      { dataDir, port: 0, adminPassword: 'admin-password-fuzz', tokenSecret: 'z'.repeat(40) },
    );
    app = await createApp({
      config,
      logger: createLogger('silent'),
      database: await openTestDatabase('pglite'),
    });
    if (process.env.FUZZ_DEMO === '1') await prepareCity(app, { demo: true });
    else {
      const { jurisdictions, organisation } = app.services;
      await jurisdictions.importGeoJson(SYSTEM_PRINCIPAL, syntheticCity(), AUTO);
      const nodes = (await jurisdictions.list()).map((n) => ({ ...n, point: n.label }));
      await organisation.structure.generate(SYSTEM_PRINCIPAL, nodes, { demoTeams: true });
      await app.services.centre.teams.reload();
      await prepareCity(app, { demo: false });
    }
    const login = await app.http.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password: 'admin-password-fuzz' },
    });
    token = login.json().token;
    const doc = (await app.http.inject({ method: 'GET', url: '/docs/json' })).json();
    refs = doc.components?.schemas ?? {};
    ops = operationsOf(doc);
    known = await harvest(ops);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('reads the routes from the OpenAPI document, Open311 included', () => {
    expect(token).toBeTruthy();
    expect(ops.length).toBeGreaterThan(90);
    expect(ops.filter((o) => o.open311).length).toBeGreaterThanOrEqual(7);
    expect(known.id?.length).toBeGreaterThan(3);
    expect(known.token?.length).toBeGreaterThan(0);
  });

  it('refuses NUL and lone surrogates in login and citizen requests with 400 invalid_text', async () => {
    for (const username of ['ad\u0000min', 'ad\ud800min']) {
      const res = await app.http.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username, password: 'x' },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({
        code: 'invalid_text',
        details: [{ in: 'body', path: '/username' }],
      });
    }
    for (const description of ['a\u0000b 路灯坏了', 'a\ud800b 路灯坏了']) {
      const res = await app.http.inject({
        method: 'POST',
        url: '/api/v1/citizen/requests',
        payload: { description, location: { lon: 106.05, lat: 29.05 } },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({
        code: 'invalid_text',
        details: [{ in: 'body', path: '/description' }],
      });
    }
    // The raw JSON escape (what a hostile client sends) gives the same.
    const raw = await app.http.inject({
      method: 'POST',
      url: '/api/v1/citizen/requests',
      headers: { 'content-type': 'application/json' },
      payload: '{"description":"a\\ud800b","location":{"lon":106.05,"lat":29.05}}',
    });
    expect(raw.statusCode).toBe(400);
    expect(raw.json().error.code).toBe('invalid_text');
  });

  it('answers %00 in a photo id or an Open311 token with 4xx', async () => {
    for (const url of [
      '/api/v1/citizen/photos/%00',
      '/api/v1/citizen/photos/abc%00def',
      '/api/v1/citizen/photos/%00?token=0123456789ab',
      '/open311/v2/tokens/%00.json',
      '/open311/v2/tokens/abc%00.xml',
    ]) {
      for (const headers of [{}, { authorization: `Bearer ${token}` }]) {
        const res = await app.http.inject({ method: 'GET', url, headers });
        expect(res.statusCode, url).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, url).toBeLessThan(500);
      }
    }
  });

  it('refuses a 5,000-deep JSON body with 400 naming the limit', async () => {
    const res = await app.http.inject({
      method: 'POST',
      url: '/api/v1/citizen/requests',
      headers: { 'content-type': 'application/json' },
      payload: `{"description":"deep","location":{"lon":106.05,"lat":29.05},"reporter":${'['.repeat(5000)}${']'.repeat(5000)}}`,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'invalid_request',
      details: { in: 'body', maxDepth: 32 },
    });
  });

  it('gives the same answers over a real socket', async () => {
    const base = await app.http.listen({ port: 0, host: '127.0.0.1' });
    const cases: Array<[string, RequestInit, number, string]> = [
      ['/api/v1/citizen/photos/%00', {}, 400, 'invalid_text'],
      ['/api/v1/citizen/photos/%ED%A0%80', {}, 400, 'invalid_request'],
      ['/api/v1/jurisdictions?q=a%00b', {}, 400, 'invalid_text'],
      [
        '/api/v1/auth/login',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"username":"a\\ud800","password":"x"}',
        },
        400,
        'invalid_text',
      ],
      [
        '/api/v1/citizen/requests',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: `${'['.repeat(5000)}${']'.repeat(5000)}`,
        },
        400,
        'invalid_request',
      ],
    ];
    for (const [url, init, status, code] of cases) {
      const res = await fetch(base + url, init);
      expect([url, res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([
        url,
        status,
        code,
      ]);
    }
  });

  it('refuses bad text in every path parameter, query field and body of every route, as admin', async () => {
    const faults: string[] = [];
    for (const op of ops) {
      const cases: Sent[] = [];
      const path0 = op.path.replace(/\{([^}]+)\}/g, (_, n: string) => (n === 'format' ? 'json' : 'x1'));
      const headers = { authorization: `Bearer ${token}` };
      for (const p of op.params.filter((q) => q.in === 'path'))
        cases.push({
          method: op.method,
          url: op.path.replace(/\{([^}]+)\}/g, (_, n: string) =>
            n === p.name ? 'a%00b' : n === 'format' ? 'json' : 'x1',
          ),
          headers,
        });
      for (const p of op.params.filter((q) => q.in === 'query'))
        cases.push({ method: op.method, url: `${path0}?${p.name}=a%00b`, headers });
      if (op.body && op.method !== 'GET')
        cases.push({
          method: op.method,
          url: path0,
          headers: { ...headers, 'content-type': 'application/json' },
          payload: '{"description":"a\\ud800b","x\\u0000":1}',
        });
      for (const sent of cases) {
        const { status, body } = await send(sent);
        const ok = op.open311
          ? status === 400 && JSON.parse(body)[0]?.code === 400
          : (status === 400 && JSON.parse(body).error?.code === 'invalid_text') ||
            // photo uploads take raw bytes (no text to check): the service refuses them by content
            (status >= 400 && status < 500 && op.path.includes('photos') && sent.payload !== undefined) ||
            (status >= 400 && status < 500 && op.path.includes('evidence') && sent.payload !== undefined);
        if (!ok) faults.push(`${describeSent(sent)} → ${status} ${body.slice(0, 200)}`);
      }
    }
    expect(faults).toEqual([]);
  }, 60_000);

  it(
    'answers hostile variations of valid requests without 5xx, in the documented error shape',
    async () => {
      const faults: string[] = [];
      const seen: Record<string, number> = {};
      await fc.assert(
        fc.asyncProperty(caseArb(ops, refs, known), async (c) => {
          const sent = build(c, token);
          try {
            const { status, body } = await send(sent);
            const problem = fault(status, body, c.op.open311);
            const key = `${c.mutation.kind} ${status}`;
            seen[key] = (seen[key] ?? 0) + 1;
            if (process.env.FUZZ_VERBOSE)
              console.log(status, describeSent(sent).slice(0, 300), body.slice(0, 200));
            if (problem) faults.push(`${describeSent(sent)} → ${problem}`);
          } catch (error) {
            faults.push(`${describeSent(sent)} → threw ${String(error)}`);
          }
          return true;
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
      if (process.env.FUZZ_VERBOSE) console.log(seen);
      const health = await app.http.inject({ method: 'GET', url: '/health' });
      expect(health.statusCode).toBe(200);
      expect(faults).toEqual([]);
    },
    Math.max(110_000, RUNS * 100),
  );
});
