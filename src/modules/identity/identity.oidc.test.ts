import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../../platform/db/testing.ts';
import { AppError } from '../../platform/errors.ts';
import { asPrincipal, PASSWORD, seedUsers, setupIdentity } from './identity.fixtures.ts';
import type { IdentityService } from './identity.service.ts';

type Setup = Awaited<ReturnType<typeof setupIdentity>>;

const AUDIENCE = 'citybrain-web';

async function reason(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, ...(error.details as object) };
    throw error;
  }
  return 'ok';
}

describe.each(testBackends)('OIDC bearer tokens on %s', (kind) => {
  let s: Setup;
  let u: Awaited<ReturnType<typeof seedUsers>>;
  let server: Server;
  let issuer: string;
  let key: CryptoKey;
  let impostor: CryptoKey;
  let jwksRequests = 0;

  /** A JWT from the test identity provider, valid for 5 minutes from the test clock's now. */
  const idToken = (claims: JWTPayload, options: { signer?: CryptoKey; iss?: string; aud?: string } = {}) => {
    const now = Math.floor(s.clock.now().getTime() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'idp-1' })
      .setIssuer(options.iss ?? issuer)
      .setAudience(options.aud ?? AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(options.signer ?? key);
  };
  const auth = (identity: IdentityService, token: string) =>
    identity.authenticate({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    key = pair.privateKey;
    impostor = (await generateKeyPair('RS256')).privateKey;
    const jwks = JSON.stringify({
      keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' }],
    });
    server = createServer((req, res) => {
      if (req.url === '/.well-known/jwks.json' || req.url === '/keys') {
        jwksRequests += 1;
        res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
      } else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    s = await setupIdentity(kind, { oidc: { issuer, audience: AUDIENCE } });
    u = await seedUsers(s.identity);
  });
  afterAll(async () => {
    await s?.database.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('maps a valid token to the local user, whose roles and jurisdiction govern', async () => {
    expect(
      await auth(s.identity, await idToken({ sub: 'idp|42', preferred_username: 'S1031', roles: ['admin'] })),
    ).toEqual(asPrincipal(u.s1031));
    expect(await auth(s.identity, await idToken({ sub: 'd103' }))).toEqual(asPrincipal(u.d103));
    expect(jwksRequests).toBeGreaterThan(0);
  });

  it('rejects wrong issuer, wrong audience, expiry, bad signature and unknown users', async () => {
    const cases: Array<[string, Promise<string>, object]> = [
      ['wrong issuer', idToken({ sub: 's1031' }, { iss: 'http://127.0.0.1:1' }), { reason: 'invalid_token' }],
      ['wrong audience', idToken({ sub: 's1031' }, { aud: 'someone-else' }), { reason: 'invalid_token' }],
      [
        'bad signature',
        idToken({ sub: 's1031' }, { signer: impostor }),
        { check: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' },
      ],
      ['unknown user', idToken({ sub: 'stranger' }), { reason: 'unknown_user' }],
    ];
    for (const [name, token, expected] of cases) {
      expect([name, await reason(auth(s.identity, await token))]).toEqual([
        name,
        expect.objectContaining({ code: 'unauthenticated', ...expected }),
      ]);
    }
    const token = await idToken({ sub: 's1032' });
    s.clock.advance(301_000);
    expect(await reason(auth(s.identity, token))).toEqual({
      code: 'unauthenticated',
      reason: 'token_expired',
    });
  });

  it('refuses deactivated users and still accepts citybrain’s own tokens', async () => {
    await s.identity.users.update(asPrincipal(u.admin), u.s1041.id, { active: false });
    expect(await reason(auth(s.identity, await idToken({ sub: 's1041' })))).toMatchObject({
      reason: 'unknown_user',
    });
    const { token } = await s.identity.login('d104', PASSWORD);
    expect((await auth(s.identity, token))?.name).toBe('d104');
  });

  it('uses an explicit JWKS URL and accepts any audience when none is configured', async () => {
    const before = jwksRequests;
    const other = await setupIdentity(kind, { oidc: { issuer, jwksUrl: `${issuer}/keys` } });
    try {
      await seedUsers(other.identity);
      other.clock.set(s.clock.now());
      expect((await auth(other.identity, await idToken({ sub: 'city' }, { aud: 'anything' })))?.name).toBe(
        'city',
      );
      expect(jwksRequests).toBe(before + 1);
    } finally {
      await other.database.close();
    }
  });
});
