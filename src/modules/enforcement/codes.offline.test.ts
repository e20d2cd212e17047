import { decode, encode, Tagged } from 'cborg';
import { zlibSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import { ManualClock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { openTestDatabase } from '../../platform/db/testing.ts';
import { testPrincipal } from '../../platform/http/testing.ts';
import { auditMigrations } from '../audit/index.ts';
import { base45Encode } from './base45.ts';
import { type Jwks, statusBits, verifyOffline } from './codes.offline.ts';
import { CODE_PREFIX, parseCode } from './codes.parse.ts';
import { buildTestEnforcement, FOOD_PLANT, TEST_STREETS } from './enforcement.fixture.ts';
import { enforcementMigrations } from './enforcement.migrations.ts';
import type { Enforcement } from './enforcement.module.ts';

/**
 * The field app's offline verification (codes.offline.ts: WebCrypto, cached JWKS and status list)
 * against codes issued by the server's code service: valid, tampered, forged, revoked, expired,
 * another issuer's key, and the same answers as the server's own verification.
 */
describe('offline verification of 执法码/企业码 (the field app’s decoder)', () => {
  let database: Database;
  let en: Enforcement;
  const clock = new ManualClock('2026-06-01T09:00:00+08:00');
  const operator = testPrincipal('50/500155', ['district_operator']);
  const now = () => Math.floor(clock.now().getTime() / 1000);
  let jwks: Jwks;

  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    await migrateToLatest(database.db, [auditMigrations, enforcementMigrations]);
    en = buildTestEnforcement(database.db, clock);
    await en.register.seed(SYSTEM_PRINCIPAL, { streets: TEST_STREETS, count: 50, extra: [FOOD_PLANT] });
    jwks = en.codes.jwks();
  });
  afterAll(() => database?.close());

  const offline = async (qr: string) =>
    verifyOffline(qr, { jwks, status: statusBits(await en.codes.statusList()), nowSeconds: now() });

  it('accepts a code the server issued, with its claims, as the server does', async () => {
    const { qr } = await en.codes.enterpriseCode(operator, FOOD_PLANT.creditCode);
    const check = await offline(qr);
    expect(check).toMatchObject({
      valid: true,
      claims: { kind: 'enterprise', sub: FOOD_PLANT.creditCode, role: FOOD_PLANT.riskClass },
    });
    expect((await en.codes.verify(qr)).valid).toBe(true);
    const inspector = await en.codes.inspectorCode(operator, 'insp-500155-market_regulation-1');
    expect(await offline(inspector.qr)).toMatchObject({
      valid: true,
      claims: { kind: 'inspector', sub: 'insp-500155-market_regulation-1' },
    });
  });

  it('refuses a tampered code: a changed character, a rewritten holder, a foreign key, garbage', async () => {
    const { qr } = await en.codes.enterpriseCode(operator, FOOD_PLANT.creditCode);
    // One Base45 character changed in the middle: zlib's checksum or the signature catches it.
    const i = Math.floor(qr.length / 2);
    const flipped = qr.slice(0, i) + (qr[i] === 'A' ? 'B' : 'A') + qr.slice(i + 1);
    expect((await offline(flipped)).valid).toBe(false);
    expect(['malformed', 'bad_signature']).toContain(((await offline(flipped)) as { reason: string }).reason);
    // The holder rewritten, the signature kept: a well-formed code whose signature fails.
    const parts = parseCode(qr);
    if (!parts) throw new Error('not a code');
    const claims = decode(parts.payload, { useMaps: true }) as Map<number, unknown>;
    claims.set(2, '91350100M000100Y43');
    const forged =
      CODE_PREFIX +
      base45Encode(
        zlibSync(encode(new Tagged(18, [parts.protectedBytes, new Map(), encode(claims), parts.signature]))),
      );
    expect(await offline(forged)).toMatchObject({ valid: false, reason: 'bad_signature' });
    expect(await en.codes.verify(forged)).toMatchObject({ valid: false, reason: 'bad_signature' });
    // Another issuer's key (not in the cached JWKS).
    expect(
      await verifyOffline(qr, { jwks: { keys: [] }, status: new Uint8Array(16), nowSeconds: now() }),
    ).toMatchObject({ valid: false, reason: 'unknown_key' });
    expect(await offline('CB1:NOTACODE')).toMatchObject({ valid: false, reason: 'malformed' });
    expect(await offline('https://example.org/')).toMatchObject({ valid: false, reason: 'malformed' });
  });

  it('refuses a revoked code once the cached status list holds it, and not before', async () => {
    const code = await en.codes.inspectorCode(operator, 'insp-500155-fire_rescue-1');
    const before = statusBits(await en.codes.statusList());
    await en.codes.revoke(operator, code.statusIndex, 'phone lost');
    // The list cached before the revocation still accepts it: the app refreshes the list when online.
    expect((await verifyOffline(code.qr, { jwks, status: before, nowSeconds: now() })).valid).toBe(true);
    expect(await offline(code.qr)).toMatchObject({ valid: false, reason: 'revoked' });
    expect(await en.codes.verify(code.qr)).toMatchObject({ valid: false, reason: 'revoked' });
  });

  it('refuses an expired code, and one issued in the future', async () => {
    const code = await en.codes.inspectorCode(operator, 'insp-500155-health-1');
    const exp = Date.parse(code.expiresAt) / 1000;
    const status = statusBits(await en.codes.statusList());
    expect(await verifyOffline(code.qr, { jwks, status, nowSeconds: exp - 1 })).toMatchObject({
      valid: true,
    });
    expect(await verifyOffline(code.qr, { jwks, status, nowSeconds: exp })).toMatchObject({
      valid: false,
      reason: 'expired',
    });
    expect(await verifyOffline(code.qr, { jwks, status, nowSeconds: now() - 3600 })).toMatchObject({
      valid: false,
      reason: 'not_yet_valid',
    });
  });

  it('verifies with pure-JS P-256 where WebCrypto is missing (a page over plain http)', async () => {
    const { qr } = await en.codes.enterpriseCode(operator, FOOD_PLANT.creditCode);
    const status = statusBits(await en.codes.statusList());
    vi.stubGlobal('crypto', {});
    vi.resetModules();
    try {
      const fresh = await import('./codes.offline.ts');
      expect(await fresh.verifyOffline(qr, { jwks, status, nowSeconds: now() })).toMatchObject({
        valid: true,
      });
      const parts = parseCode(qr);
      if (!parts) throw new Error('not a code');
      const bad = new Uint8Array(parts.signature);
      bad[5] = (bad[5] as number) ^ 1;
      const forged =
        CODE_PREFIX +
        base45Encode(zlibSync(encode(new Tagged(18, [parts.protectedBytes, new Map(), parts.payload, bad]))));
      expect(await fresh.verifyOffline(forged, { jwks, status, nowSeconds: now() })).toMatchObject({
        valid: false,
        reason: 'bad_signature',
      });
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
