import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import { testBackends } from '../../platform/db/testing.ts';
import { AppError } from '../../platform/errors.ts';
import { asPrincipal, PASSWORD, SECRET, seedUsers, setupIdentity } from './identity.fixtures.ts';
import { LOGIN_WINDOW_MS } from './identity.login.ts';
import { PasswordHasher } from './identity.password.ts';

type Setup = Awaited<ReturnType<typeof setupIdentity>>;

/** Runs `fn` and returns the AppError it throws. */
async function failure(fn: () => Promise<unknown>): Promise<AppError> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe.each(testBackends)('login and session tokens on %s', (kind) => {
  let s: Setup;
  let users: Awaited<ReturnType<typeof seedUsers>>;

  beforeAll(async () => {
    s = await setupIdentity(kind);
    users = await seedUsers(s.identity);
  });
  afterAll(() => s?.database.close());

  it('signs in and the token authenticates as the user', async () => {
    const result = await s.identity.login('  S1031 ', PASSWORD, { ip: '10.0.0.1' });
    expect(result.user.username).toBe('s1031');
    expect(result.expiresAt).toBe(new Date(s.clock.now().getTime() + 3600_000).toISOString());
    const principal = await s.identity.authenticate(bearer(result.token));
    expect(principal).toEqual(asPrincipal(users.s1031));
    const logins = await s.audit.list(s.database.db, SYSTEM_PRINCIPAL, { limit: 10, action: 'auth.login' });
    expect(logins[0]).toMatchObject({ subjectId: users.s1031.id, jurisdictionPath: '50/500103/500103001' });
    expect(logins[0]?.details).toEqual({ username: 's1031', method: 'password', ip: '10.0.0.1' });
  });

  it('answers wrong password, unknown user and inactive user alike, and audits each', async () => {
    const wrong = await failure(() => s.identity.login('s1032', 'not the password'));
    const unknown = await failure(() => s.identity.login('nobody', PASSWORD));
    await s.identity.users.update(asPrincipal(users.d104), users.s1041.id, { active: false });
    const inactive = await failure(() => s.identity.login('s1041', PASSWORD));
    for (const e of [wrong, unknown, inactive]) {
      expect(e.code).toBe('unauthenticated');
      expect(e.status).toBe(401);
      expect(e.message).toBe('invalid username or password');
      expect(e.details).toEqual({ reason: 'invalid_credentials' });
    }
    const failed = await s.audit.list(s.database.db, SYSTEM_PRINCIPAL, {
      limit: 10,
      action: 'auth.login_failed',
    });
    expect(failed.map((f) => [f.details.username, f.details.reason])).toEqual([
      ['s1041', 'inactive'],
      ['nobody', 'unknown_user'],
      ['s1032', 'wrong_password'],
    ]);
    expect(failed[0]?.jurisdictionPath).toBe('50/500104/500104001');
  });

  it('brakes after 10 failures in 15 minutes, even for the right password, until the window passes', async () => {
    for (let i = 0; i < 10; i++) {
      s.clock.advance(1000);
      expect((await failure(() => s.identity.login('f1031', `guess ${i}`))).code).toBe('unauthenticated');
    }
    const braked = await failure(() => s.identity.login('f1031', PASSWORD));
    expect(braked.code).toBe('rate_limited');
    expect(braked.status).toBe(429);
    // Other usernames are unaffected.
    await expect(s.identity.login('s1031', PASSWORD)).resolves.toBeTruthy();
    s.clock.advance(LOGIN_WINDOW_MS - 10_000);
    expect((await failure(() => s.identity.login('f1031', PASSWORD))).code).toBe('rate_limited');
    s.clock.advance(10_000);
    await expect(s.identity.login('f1031', PASSWORD)).resolves.toMatchObject({ user: { username: 'f1031' } });
    const refused = await s.audit.list(s.database.db, SYSTEM_PRINCIPAL, {
      limit: 50,
      action: 'auth.login_failed',
    });
    expect(refused.filter((r) => r.details.reason === 'rate_limited')).toHaveLength(2);
  });

  it('refuses tampered, forged, foreign and expired tokens', async () => {
    const { token } = await s.identity.login('city', PASSWORD);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const elevated = Buffer.from(JSON.stringify({ ...claims, sub: users.admin.id })).toString('base64url');
    const flipped = signature.slice(0, -2) + (signature.endsWith('AA') ? 'BB' : 'AA');
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
    const otherKey = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(`${SECRET}x`));
    for (const bad of [
      `${header}.${elevated}.${signature}`,
      `${header}.${payload}.${flipped}`,
      none,
      otherKey,
      'not-a-jwt',
    ]) {
      const e = await failure(() => s.identity.authenticate(bearer(bad)));
      expect(e.code).toBe('unauthenticated');
      expect(e.details).toMatchObject({ reason: 'invalid_token' });
    }
    s.clock.advance(3600_000 + 1000);
    const expired = await failure(() => s.identity.authenticate(bearer(token)));
    expect(expired.details).toEqual({ reason: 'token_expired' });
  });

  it("carries identity only: a token re-signed with admin roles gets the user row's rights", async () => {
    const { token } = await s.identity.login('s1031', PASSWORD);
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(Object.keys(claims).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'sub', 'tv']);
    // Someone holding the secret mints a token claiming admin over the whole city.
    const forged = await new SignJWT({
      ...claims,
      roles: ['admin'],
      jurisdictionCode: '50',
      jurisdictionPath: '',
      departmentCode: 'water',
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(new TextEncoder().encode(SECRET));
    expect(await s.identity.authenticate(bearer(forged))).toEqual(asPrincipal(users.s1031));
  });

  it('refuses a token without exp, iat or sub even when correctly signed', async () => {
    const now = Math.floor(s.clock.now().getTime() / 1000);
    const base = () =>
      new SignJWT({ tv: 0 })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuer('citybrain')
        .setAudience('citybrain');
    const key = new TextEncoder().encode(SECRET);
    const noExp = await base().setSubject(users.s1031.id).setIssuedAt(now).sign(key);
    const noIat = await base()
      .setSubject(users.s1031.id)
      .setExpirationTime(now + 60)
      .sign(key);
    const noSub = await base()
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(key);
    for (const bad of [noExp, noIat, noSub]) {
      const e = await failure(() => s.identity.authenticate(bearer(bad)));
      expect(e.status).toBe(401);
      expect(e.details).toMatchObject({ reason: 'invalid_token' });
    }
    const good = await base()
      .setSubject(users.s1031.id)
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(key);
    expect((await s.identity.authenticate(bearer(good)))?.id).toBe(users.s1031.id);
  });

  it('stops tokens of deactivated users and after a password change; applies role changes at once', async () => {
    const admin = asPrincipal(users.admin);
    const { token } = await s.identity.login('s1032', PASSWORD);
    await s.identity.users.update(admin, users.s1032.id, { roles: ['street_operator', 'field_officer'] });
    expect((await s.identity.authenticate(bearer(token)))?.roles).toEqual([
      'street_operator',
      'field_officer',
    ]);
    await s.identity.users.changePassword(admin, users.s1032.id, { newPassword: 'a brand new password' });
    expect((await failure(() => s.identity.authenticate(bearer(token)))).details).toEqual({
      reason: 'token_revoked',
    });
    const fresh = await s.identity.login('s1032', 'a brand new password');
    await s.identity.users.update(admin, users.s1032.id, { active: false });
    expect((await failure(() => s.identity.authenticate(bearer(fresh.token)))).details).toEqual({
      reason: 'user_inactive',
    });
    // Reactivation does not revive tokens issued before the deactivation.
    await s.identity.users.update(admin, users.s1032.id, { active: true });
    expect((await failure(() => s.identity.authenticate(bearer(fresh.token)))).code).toBe('unauthenticated');
  });

  it('lets the CLI create users and set passwords as the platform', async () => {
    const made = await s.identity.createUser(SYSTEM_PRINCIPAL, {
      username: 'cli.user',
      displayName: 'CLI',
      password: PASSWORD,
      roles: ['auditor'],
      jurisdictionCode: '500104',
    });
    expect(made.jurisdictionPath).toBe('50/500104');
    await s.identity.setPassword('CLI.User', 'set by the cli');
    await expect(s.identity.login('cli.user', 'set by the cli')).resolves.toMatchObject({
      user: { id: made.id },
    });
    expect((await failure(() => s.identity.setPassword('cli.user', 'short'))).code).toBe('invalid_data');
    expect((await failure(() => s.identity.setPassword('ghost', 'long enough pw'))).code).toBe('not_found');
    const bad = { username: 'x', displayName: 'x', roles: [], jurisdictionCode: '50' };
    expect((await failure(() => s.identity.createUser(SYSTEM_PRINCIPAL, bad))).code).toBe('invalid_data');
    const audit = await s.audit.list(s.database.db, SYSTEM_PRINCIPAL, { limit: 5, subjectId: made.id });
    expect(audit.map((a) => [a.action, a.actorKind])).toContainEqual(['user.password_changed', 'system']);
  });

  it('treats absent credentials as anonymous and odd ones as errors', async () => {
    expect(await s.identity.authenticate({})).toBeUndefined();
    for (const headers of [
      { authorization: 'Basic abc' },
      { authorization: 'Bearer' },
      { 'x-api-key': '' },
    ]) {
      expect((await failure(() => s.identity.authenticate(headers))).code).toBe('unauthenticated');
    }
  });
});

describe('password hashes', () => {
  it('store their parameters, salt per hash, and verify only the right password', async () => {
    const hasher = new PasswordHasher(1024);
    const [a, b] = [await hasher.hash('secret password'), await hasher.hash('secret password')];
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[\w-]+\$[\w-]{43}$/);
    expect(a).not.toBe(b);
    expect(await hasher.verify('secret password', a)).toBe(true);
    expect(await hasher.verify('secret passwore', a)).toBe(false);
    expect(await new PasswordHasher(2048).verify('secret password', a)).toBe(true);
    expect(await hasher.verify('secret password', null)).toBe(false);
    expect(await hasher.verify('secret password', 'plain')).toBe(false);
  });
});
