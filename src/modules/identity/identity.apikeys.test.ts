import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import { testBackends } from '../../platform/db/testing.ts';
import { AppError } from '../../platform/errors.ts';
import { hashApiKey } from './identity.apikeys.ts';
import { asPrincipal, seedUsers, setupIdentity } from './identity.fixtures.ts';

type Setup = Awaited<ReturnType<typeof setupIdentity>>;

async function reason(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, ...(error.details as object) };
    throw error;
  }
  return 'ok';
}

describe.each(testBackends)('API keys on %s', (kind) => {
  let s: Setup;
  let u: Awaited<ReturnType<typeof seedUsers>>;

  beforeAll(async () => {
    s = await setupIdentity(kind);
    u = await seedUsers(s.identity);
  });
  afterAll(() => s?.database.close());

  it('creates a key shown once, authenticates it by either header, and refuses it once revoked', async () => {
    const d103 = asPrincipal(u.d103);
    const { apiKey, secret } = await s.identity.createApiKey(d103, {
      name: 'yuzhong-sensors',
      roles: ['field_officer'],
      jurisdictionCode: '500103',
      departmentCode: 'water',
    });
    expect(secret).toMatch(new RegExp(`^cbk_${apiKey.id}_[\\w-]{32}$`));
    expect(apiKey).toMatchObject({ name: 'yuzhong-sensors', jurisdictionPath: '50/500103', revokedAt: null });
    expect(apiKey.createdBy).toBe(`user:${u.d103.id}`);

    const stored = await sql<{
      key_hash: string;
    }>`select key_hash from api_keys where id = ${apiKey.id}`.execute(s.database.db);
    expect(stored.rows[0]?.key_hash).toBe(hashApiKey(secret));
    expect(JSON.stringify(stored.rows)).not.toContain(secret.slice(-32));

    const expected = {
      kind: 'api_key',
      id: apiKey.id,
      name: 'yuzhong-sensors',
      roles: ['field_officer'],
      jurisdictionCode: '500103',
      jurisdictionPath: '50/500103',
      departmentCode: 'water',
    };
    expect(await s.identity.authenticate({ 'x-api-key': secret })).toEqual(expected);
    expect(await s.identity.authenticate({ authorization: `ApiKey ${secret}` })).toEqual(expected);
    expect(await reason(s.identity.authenticate({ 'x-api-key': `${secret}x` }))).toEqual({
      code: 'unauthenticated',
      reason: 'invalid_api_key',
    });

    const listed = await s.identity.apiKeys.list(d103);
    expect(listed.map((k) => k.id)).toEqual([apiKey.id]);
    expect(JSON.stringify(listed)).not.toContain(secret);
    expect(await s.identity.apiKeys.list(asPrincipal(u.d104))).toEqual([]);
    expect(await reason(s.identity.apiKeys.revoke(asPrincipal(u.d104), apiKey.id))).toMatchObject({
      code: 'not_found',
    });

    const revoked = await s.identity.apiKeys.revoke(d103, apiKey.id);
    expect(revoked.revokedAt).toBe(s.clock.now().toISOString());
    expect(await reason(s.identity.authenticate({ 'x-api-key': secret }))).toEqual({
      code: 'unauthenticated',
      reason: 'api_key_revoked',
    });
    const actions = await s.audit.list(s.database.db, SYSTEM_PRINCIPAL, { limit: 10, subjectId: apiKey.id });
    expect(actions.map((a) => a.action)).toEqual(['api_key.revoked', 'api_key.created']);
    expect(actions.every((a) => a.jurisdictionPath === '50/500103')).toBe(true);
  });

  it('applies the same scope and grant rules as users', async () => {
    const create = (who: keyof typeof u, input: object) =>
      reason(
        s.identity.createApiKey(asPrincipal(u[who]), {
          name: 'k',
          roles: [],
          jurisdictionCode: '500103',
          ...input,
        }),
      );
    expect(await create('d103', { jurisdictionCode: '500104' })).toMatchObject({ code: 'not_found' });
    expect(await create('d103', { roles: ['auditor'] })).toMatchObject({ code: 'forbidden' });
    expect(await create('s1031', { jurisdictionCode: '500103001' })).toMatchObject({ code: 'forbidden' });
    expect(await create('admin', { roles: ['street_operator'] })).toMatchObject({ code: 'invalid_data' });
    expect(await create('admin', { jurisdictionCode: 'nowhere' })).toMatchObject({ code: 'invalid_data' });
    expect(await create('d103', { name: 'dup' })).toBe('ok');
    expect(await create('d103', { name: 'dup' })).toMatchObject({ code: 'conflict' });
  });

  it('ensureApiKey keeps a known secret, and replaces the key when the secret changes', async () => {
    const input = { roles: [], jurisdictionCode: '50', departmentCode: null };
    const first = await s.identity.ensureApiKey('open311', 'open311-demo-secret-123', input);
    const again = await s.identity.ensureApiKey('open311', 'open311-demo-secret-123', input);
    expect([first.created, again.created]).toEqual([true, false]);
    expect(again.apiKey.id).toBe(first.apiKey.id);
    expect((await s.identity.authenticate({ 'x-api-key': 'open311-demo-secret-123' }))?.name).toBe('open311');

    const rotated = await s.identity.ensureApiKey('open311', 'a-new-open311-secret-456', input);
    expect(rotated.created).toBe(true);
    expect(await reason(s.identity.authenticate({ 'x-api-key': 'open311-demo-secret-123' }))).toMatchObject({
      reason: 'api_key_revoked',
    });
    expect((await s.identity.authenticate({ 'x-api-key': 'a-new-open311-secret-456' }))?.id).toBe(
      rotated.apiKey.id,
    );
    expect(await reason(s.identity.ensureApiKey('short', 'too-short', input))).toMatchObject({
      code: 'invalid_data',
    });
  });
});
