import { encode } from 'cborg';
import { importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import { ManualClock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { openTestDatabase, testBackends } from '../../platform/db/testing.ts';
import type { Api } from '../../platform/http/server.ts';
import { createTestApi, testPrincipal } from '../../platform/http/testing.ts';
import { auditMigrations } from '../audit/index.ts';
import { parseCode } from './codes.cose.ts';
import { registerCodeRoutes } from './codes.routes.ts';
import { registerComplaintRoutes } from './complaints.routes.ts';
import { commitmentOf } from './draw.ts';
import { buildTestEnforcement, FOOD_PLANT, TEST_STREETS } from './enforcement.fixture.ts';
import { enforcementMigrations } from './enforcement.migrations.ts';
import { registerEnforcementRoutes } from './enforcement.routes.ts';

describe.each(testBackends)('enforcement routes on %s', (kind) => {
  let database: Database;
  let api: Api;
  const clock = new ManualClock('2026-06-01T09:00:00+08:00');
  const call = async (method: 'GET' | 'POST', url: string, who?: string, payload?: object) => {
    const res = await api.inject({
      method,
      url,
      headers: who ? { authorization: `Bearer ${who}` } : {},
      ...(payload ? { payload } : {}),
    });
    return { status: res.statusCode, body: res.json() };
  };

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrateToLatest(database.db, [auditMigrations, enforcementMigrations]);
    const enforcement = buildTestEnforcement(database.db, clock);
    await enforcement.register.seed(SYSTEM_PRINCIPAL, {
      streets: TEST_STREETS,
      count: 300,
      extra: [FOOD_PLANT],
    });
    api = await createTestApi({
      operator: testPrincipal('50/500155', ['district_operator']),
      officer: testPrincipal('50/500155', ['field_officer']),
      auditor: testPrincipal('50', ['auditor']),
      yuzhong: testPrincipal('50/500103', ['district_operator']),
      inspector: { ...testPrincipal('50/500155', ['field_officer']), name: 'insp.500155.fire_rescue.1' },
    });
    registerEnforcementRoutes(api, { enforcement });
    registerCodeRoutes(api, { enforcement });
    registerComplaintRoutes(api, { enforcement });
    await api.ready();
  });
  afterAll(async () => {
    await api?.close();
    await database?.close();
  });

  it('refuses a credit code with a bad check character: 400 invalid_credit_code', async () => {
    const bad = `${FOOD_PLANT.creditCode.slice(0, 17)}${FOOD_PLANT.creditCode[17] === 'A' ? 'B' : 'A'}`;
    const r = await call('GET', `/api/v1/enforcement/enterprises/${bad}`, 'operator');
    expect(r).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_credit_code', details: { reason: 'check_char' } } },
    });
    const post = await call('POST', '/api/v1/enforcement/enterprises', 'operator', {
      creditCode: '91350100M000100Y4',
      name: 'x',
      industry: 'retail',
      streetCode: '500155001',
    });
    expect(post).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_credit_code', details: { reason: 'length' } } },
    });
    expect(
      (await call('GET', `/api/v1/enforcement/enterprises/${FOOD_PLANT.creditCode}`, 'operator')).status,
    ).toBe(200);
  });

  it('publishes a JWKS with which a code’s COSE signature verifies independently (jose + WebCrypto)', async () => {
    const keys = await call('GET', '/api/v1/enforcement/keys');
    expect(keys.status).toBe(200);
    const jwk = keys.body.keys[0];
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    const code = await call(
      'GET',
      `/api/v1/enforcement/codes/enterprises/${FOOD_PLANT.creditCode}`,
      'operator',
    );
    expect(code.status).toBe(200);
    const parts = parseCode(code.body.qr);
    if (!parts) throw new Error('not a code');
    expect(Buffer.from(parts.kid).toString('base64url')).toBe(jwk.kid);
    const key = await importJWK(jwk, 'ES256');
    const toBeSigned = encode(['Signature1', parts.protectedBytes, new Uint8Array(0), parts.payload]);
    expect(
      await crypto.subtle.verify(
        { name: 'ECDSA', hash: 'SHA-256' },
        key as Parameters<typeof crypto.subtle.verify>[1],
        parts.signature,
        toBeSigned,
      ),
    ).toBe(true);
    expect(
      await call('POST', '/api/v1/enforcement/codes/verify', undefined, { qr: code.body.qr }),
    ).toMatchObject({
      status: 200,
      body: { valid: true, kind: 'enterprise', subject: FOOD_PLANT.creditCode },
    });
    expect(
      await call('POST', '/api/v1/enforcement/codes/verify', undefined, { qr: 'CB1:NOTACODE' }),
    ).toMatchObject({
      body: { valid: false, reason: 'malformed' },
    });
  });

  it('declares access: codes need a caller and a role; draws, keys, status list and re-runs are public', async () => {
    const url = `/api/v1/enforcement/codes/enterprises/${FOOD_PLANT.creditCode}`;
    expect((await call('GET', url)).status).toBe(401);
    expect((await call('GET', url, 'officer')).body.error.code).toBe('forbidden');
    expect((await call('GET', '/api/v1/enforcement/codes/status')).status).toBe(200);
    expect((await call('GET', '/api/v1/enforcement/kpis', 'officer')).status).toBe(403);
    expect((await call('GET', '/api/v1/enforcement/kpis', 'auditor')).status).toBe(200);
    const seed = 'route-test-seed-0123456789abcdef';
    const draw = await call('POST', '/api/v1/enforcement/draws', 'operator', {
      districtCode: '500155',
      month: '2026-06',
      commitment: commitmentOf(seed),
    });
    expect(draw.status).toBe(201);
    expect((await call('GET', `/api/v1/enforcement/draws/${draw.body.id}`)).body).toMatchObject({
      status: 'committed',
      seed: null,
    });
    expect(
      await call('POST', `/api/v1/enforcement/draws/${draw.body.id}/reveal`, 'operator', {
        seed: `${seed}!`,
      }),
    ).toMatchObject({
      status: 409,
      body: { error: { code: 'seed_mismatch' } },
    });
    expect(
      (await call('POST', `/api/v1/enforcement/draws/${draw.body.id}/reveal`, 'officer', { seed })).status,
    ).toBe(403);
    expect(
      (await call('POST', `/api/v1/enforcement/draws/${draw.body.id}/reveal`, 'operator', { seed })).status,
    ).toBe(200);
    expect((await call('POST', `/api/v1/enforcement/draws/${draw.body.id}/rerun`)).body).toMatchObject({
      matches: true,
    });
    const inputs = await call('GET', `/api/v1/enforcement/draws/${draw.body.id}/inputs`);
    expect(inputs.body.enterprises.length).toBeGreaterThan(0);
  });

  it('lists the signed-in inspector’s visits of a day with the enterprise and the combined published checklist', async () => {
    for (const department of ['market_regulation', 'fire_rescue'])
      expect(
        (
          await call('POST', '/api/v1/enforcement/inspections', 'operator', {
            enterpriseCode: FOOD_PLANT.creditCode,
            department,
            start: '2026-06-01',
            end: '2026-06-10',
          })
        ).status,
      ).toBe(201);
    const mine = await call('GET', '/api/v1/enforcement/visits/mine', 'inspector');
    expect(mine.status).toBe(200);
    expect(mine.body.date).toBe('2026-06-01');
    expect(mine.body.inspector).toMatchObject({ id: 'insp-500155-fire_rescue-1', department: 'fire_rescue' });
    const plant = mine.body.visits.find(
      (v: { enterprise: { creditCode: string } }) => v.enterprise.creditCode === FOOD_PLANT.creditCode,
    );
    expect(plant.visit.departments).toEqual(expect.arrayContaining(['market_regulation', 'fire_rescue']));
    expect(plant.checklist.map((c: { itemId: string }) => c.itemId)).toEqual(plant.visit.items);
    expect(plant.checklist.find((c: { itemId: string }) => c.itemId === 'FR-FIRE')).toMatchObject({
      department: 'fire_rescue',
      legalBasis: expect.any(String),
      checks: expect.arrayContaining([expect.objectContaining({ id: 'FR-FIRE-1', zh: expect.any(String) })]),
    });
    const later = await call('GET', '/api/v1/enforcement/visits/mine?date=2026-06-11', 'inspector');
    expect(later.body.visits).toEqual([]);
    // A field officer who is no inspector, and a caller without a field role.
    expect((await call('GET', '/api/v1/enforcement/visits/mine', 'officer')).body).toMatchObject({
      inspector: null,
      visits: [],
    });
    expect((await call('GET', '/api/v1/enforcement/visits/mine', 'auditor')).status).toBe(403);
  });

  it('records complaints about repeated inspections for operators only, refusing bad input with a code and storing nothing', async () => {
    const url = '/api/v1/enforcement/complaints';
    const ok = { enterpriseCode: FOOD_PLANT.creditCode, source: 'hotline', text: '又来检查了' };
    const listed = async () => (await call('GET', url, 'auditor')).body.items.length as number;
    const created = await call('POST', url, 'operator', { ...ok, department: 'fire_rescue' });
    expect(created).toMatchObject({
      status: 201,
      body: { enterpriseCode: FOOD_PLANT.creditCode, districtCode: '500155', substantiated: false },
    });
    const before = await listed();
    expect(before).toBe(1);
    const refusals: [string, object, number, string][] = [
      ['officer', ok, 403, 'forbidden'],
      ['operator', { ...ok, text: 'x'.repeat(2001) }, 400, 'invalid_request'],
      ['operator', { ...ok, text: '   ' }, 400, 'invalid_request'],
      ['operator', { ...ok, source: 'wechat' }, 400, 'invalid_request'],
      ['operator', { ...ok, caller: '138…' }, 400, 'invalid_request'],
      ['operator', { ...ok, receivedAt: '2026-02-30T10:00:00+08:00' }, 400, 'invalid_request'],
      ['operator', { ...ok, enterpriseCode: '91350100M000100Y4' }, 400, 'invalid_credit_code'],
      ['operator', { ...ok, enterpriseCode: '91350100M000100Y43' }, 422, 'invalid_data'],
      ['operator', { ...ok, department: 'tax_bureau' }, 422, 'invalid_data'],
      ['yuzhong', ok, 404, 'not_found'],
    ];
    for (const [who, body, status, code] of refusals)
      expect(await call('POST', url, who, body), `${who} ${JSON.stringify(body).slice(0, 80)}`).toMatchObject(
        {
          status,
          body: { error: { code } },
        },
      );
    expect(
      (await call('POST', url, 'operator', { ...ok, enterpriseCode: '91350100M000100Y43' })).body,
    ).toMatchObject({
      error: { details: { field: 'enterpriseCode' } },
    });
    expect(await listed()).toBe(before);
    expect((await call('GET', url, 'officer')).status).toBe(403);
    expect((await call('GET', url, 'yuzhong')).body.items).toEqual([]);
    expect((await call('GET', `${url}?from=2026-06-02`, 'operator')).body.items).toEqual([]);
    expect((await call('GET', `${url}?from=June`, 'operator')).status).toBe(400);
    expect((await call('GET', '/api/v1/enforcement/kpis?from=2026-02-30', 'auditor')).status).toBe(400);
    const kpis = await call('GET', '/api/v1/enforcement/kpis?from=2026-06-01&to=2026-06-30', 'auditor');
    expect(kpis.body.total).toMatchObject({
      repeatComplaints: 1,
      substantiatedComplaints: 0,
      previousFrom: '2026-05-02',
      previousTo: '2026-05-31',
      previousRepeatComplaints: 0,
      repeatComplaintsChange: null,
    });
  });
});
