import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../platform/clock.ts';
import { guard } from './breaker.ts';
import { connectorContract, PERMITS } from './connector.contract.testing.ts';
import { RestConnector } from './rest.connector.ts';

const API_KEY = 'k-ecology-7f3a9c-secret';

const SPEC = {
  openapi: '3.1.0',
  info: { title: 'ecology bureau permits', version: '1' },
  paths: {
    '/permits': {
      get: {
        parameters: [
          { name: 'district', in: 'query', schema: { type: 'string' } },
          { name: 'limit', in: 'query', schema: { type: 'integer' } },
        ],
        responses: {
          '200': {
            content: {
              'application/json': {
                schema: { type: 'array', items: { $ref: '#/components/schemas/Permit' } },
              },
            },
          },
        },
      },
    },
    '/permits/{no}': { get: { responses: {} } },
    '/status': {
      get: { responses: { '200': { content: { 'application/json': { schema: { type: 'object' } } } } } },
    },
  },
  components: {
    schemas: {
      Permit: {
        type: 'object',
        properties: {
          permit_no: { type: 'string' },
          company: { type: 'string' },
          district: { type: 'string' },
          discharge_t: { type: 'number' },
          issued_at: { type: 'string', format: 'date-time' },
        },
      },
    },
  },
};

describe('REST/OpenAPI connector (local service)', () => {
  const seen: string[] = [];
  let server: Server;
  let connector: RestConnector;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      seen.push(url.pathname + url.search);
      if (req.headers['x-api-key'] !== API_KEY) {
        res.writeHead(401).end('{"error":"no key"}');
        return;
      }
      res.setHeader('content-type', 'application/json');
      if (url.pathname === '/api/openapi.json') return void res.end(JSON.stringify(SPEC));
      if (url.pathname === '/api/permits') {
        const district = url.searchParams.get('district');
        const limit = Number(url.searchParams.get('limit') ?? 1000);
        const rows = PERMITS.filter((p) => !district || p.district === district).slice(0, limit);
        return void res.end(JSON.stringify(rows));
      }
      res.writeHead(404).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    connector = new RestConnector({
      id: 'ecology-api',
      baseUrl: `http://127.0.0.1:${port}/api`,
      headers: { 'x-api-key': API_KEY },
    });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  connectorContract(() => ({ connector, resource: 'permits' }));

  it('sends equality on declared parameters and the limit to the service', async () => {
    seen.length = 0;
    const r = await connector.query('permits', [{ field: 'district', op: 'eq', value: '綦江区' }], 1);
    expect(r).toMatchObject({ pushedDown: 1, truncated: true });
    expect(seen).toEqual([`/api/permits?district=${encodeURIComponent('綦江区')}&limit=2`]);
    seen.length = 0;
    await connector.query('permits', [{ field: 'discharge_t', op: 'gt', value: 100 }], 1);
    expect(seen).toEqual(['/api/permits']);
  });

  it('a refused key and a stopped service are source_unavailable, without the key or address', async () => {
    const { port } = server.address() as AddressInfo;
    const clock = new ManualClock();
    const reasons: string[] = [];
    const wrongKey = guard(
      new RestConnector({
        id: 'police-api',
        baseUrl: `http://127.0.0.1:${port}/api`,
        headers: { 'x-api-key': 'Leak-Me-1' },
      }),
      clock,
      { onFailure: (_, reason) => reasons.push(reason) },
    );
    const e1 = await wrongKey.describe().catch((e) => e);
    expect(e1).toMatchObject({ code: 'source_unavailable', details: { source: 'police-api', kind: 'rest' } });
    expect(JSON.stringify({ m: e1.message, d: e1.details })).not.toMatch(/Leak-Me-1|127\.0\.0\.1/);
    // A port that was just free (fetch refuses port 1 before connecting: it is on the blocked list).
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const freePort = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const stopped = guard(
      new RestConnector({ id: 'gone-api', baseUrl: `http://127.0.0.1:${freePort}/api` }),
      clock,
      {
        onFailure: (_, reason) => reasons.push(reason),
      },
    );
    await expect(stopped.describe()).rejects.toMatchObject({ code: 'source_unavailable' });
    expect(reasons).toEqual(['HTTP_401', 'ECONNREFUSED']);
  });
});
