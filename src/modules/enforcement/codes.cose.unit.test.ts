import { randomBytes } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { decode, encode, Tagged } from 'cborg';
import { unzlibSync, zlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { base45Decode, base45Encode } from './base45.ts';
import {
  type CodeClaims,
  issueCode,
  parseCode,
  publicJwk,
  signingKeyFrom,
  verifyCode,
} from './codes.cose.ts';

const key = signingKeyFrom(new Uint8Array(32).fill(7));
const other = signingKeyFrom(new Uint8Array(32).fill(8));
const now = 1_764_000_000;
const claims: CodeClaims = {
  iss: 'citybrain:50',
  sub: 'insp-500155-market_regulation-01',
  kind: 'inspector',
  role: '500155:market_regulation',
  status: 12_345,
  iat: now,
  exp: now + 86_400,
};
const keys = (kid: string) => (kid === Buffer.from(key.kid).toString('hex') ? key.publicKey : undefined);
const ctx = { keys, nowSeconds: now + 60, isRevoked: () => false };

describe('enforcement codes (COSE_Sign1 + CWT, zlib, Base45, CB1:)', () => {
  it('issues a QR text of at most 350 bytes that verifies and carries the claims', () => {
    const text = issueCode(claims, key);
    expect(text.startsWith('CB1:')).toBe(true);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(350);
    expect(verifyCode(text, ctx)).toEqual({ valid: true, claims, kid: Buffer.from(key.kid).toString('hex') });
  });
  it('is a standard COSE_Sign1 (tag 18, ES256, kid in the protected header) over a CWT (iss 1, sub 2, exp 4, iat 6)', () => {
    const cose = unzlibSync(base45Decode(issueCode(claims, key).slice(4)));
    const tagged = decode(cose, { useMaps: true, tags: Tagged.preserve(18) }) as Tagged;
    expect(tagged.tag).toBe(18);
    const [prot, , payload, sig] = tagged.value as [Uint8Array, unknown, Uint8Array, Uint8Array];
    const header = decode(prot, { useMaps: true }) as Map<number, unknown>;
    expect(header.get(1)).toBe(-7);
    expect(header.get(4)).toEqual(key.kid);
    const cwt = decode(payload, { useMaps: true }) as Map<number, unknown>;
    expect([cwt.get(1), cwt.get(2), cwt.get(4), cwt.get(6)]).toEqual([
      claims.iss,
      claims.sub,
      claims.exp,
      claims.iat,
    ]);
    // Verified with the raw Sig_structure of RFC 9052 §4.4, independently of verifyCode.
    const toBeSigned = encode(['Signature1', prot, new Uint8Array(0), payload]);
    expect(p256.verify(sig, toBeSigned, key.publicKey)).toBe(true);
  });
  it('publishes the key as a P-256 JWK whose coordinates are the public key', () => {
    const jwk = publicJwk(key);
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    expect(Buffer.from(jwk.x as string, 'base64url')).toEqual(Buffer.from(key.publicKey.slice(1, 33)));
  });

  it.each([
    [
      'a code signed by another key under the issuer kid',
      () => {
        const forged = parseCode(issueCode(claims, other));
        if (!forged) throw new Error('parse');
        const prot = encode(
          new Map<number, unknown>([
            [1, -7],
            [4, key.kid],
          ]),
        );
        const sig = p256.sign(
          encode(['Signature1', prot, new Uint8Array(0), forged.payload]),
          other.secretKey,
        );
        return `CB1:${base45Encode(zlibSync(encode(new Tagged(18, [prot, new Map(), forged.payload, sig]))))}`;
      },
      'bad_signature',
    ],
    [
      'a code whose claims were edited after signing',
      () => {
        const p = parseCode(issueCode(claims, key));
        if (!p) throw new Error('parse');
        const cwt = decode(p.payload, { useMaps: true }) as Map<number, unknown>;
        cwt.set(4, now + 10 * 86_400);
        const cose = encode(new Tagged(18, [p.protectedBytes, new Map(), encode(cwt), p.signature]));
        return `CB1:${base45Encode(zlibSync(cose))}`;
      },
      'bad_signature',
    ],
    ['a code of an unknown issuer key', () => issueCode(claims, other), 'unknown_key'],
    ['an expired code', () => issueCode({ ...claims, exp: now }, key), 'expired'],
    [
      'a code issued in the future',
      () => issueCode({ ...claims, iat: now + 3600, exp: now + 7200 }, key),
      'not_yet_valid',
    ],
    ['text without the prefix', () => issueCode(claims, key).slice(4), 'malformed'],
    ['random Base45', () => `CB1:${base45Encode(randomBytes(120))}`, 'malformed'],
  ])('refuses %s', (_what, make, reason) => {
    expect(verifyCode(make(), ctx)).toMatchObject({ valid: false, reason });
  });
  it('refuses a revoked code by its status-list index', () => {
    const text = issueCode(claims, key);
    expect(verifyCode(text, { ...ctx, isRevoked: (i) => i === 12_345 })).toMatchObject({
      valid: false,
      reason: 'revoked',
    });
  });
});
