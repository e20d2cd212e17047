// 执法码 and 企业码 in the EU Digital COVID Certificate layout: a CWT (RFC 8392) claims set, signed as
// a COSE_Sign1 (RFC 9052, ES256 over P-256, kid in the protected header), zlib-compressed, Base45
// (RFC 9285) and prefixed `CB1:`. Anyone holding the published keys (JWKS) verifies it offline.
import { createHash, createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { encode, Tagged } from 'cborg';
import { zlibSync } from 'fflate';
import { base45Encode } from './base45.ts';
import {
  CODE_PREFIX,
  COSE_SIGN1_TAG,
  type CodeCheck,
  type CodeClaims,
  checkClaims,
  ES256,
  HOLDER_CLAIM,
  parseCode,
  sigStructure,
} from './codes.parse.ts';

export { CODE_PREFIX, type CodeCheck, type CodeClaims, type CodeRefusal, parseCode } from './codes.parse.ts';

const sha256 = (bytes: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(bytes).digest());

/** A signing key of the issuer: kid (8 bytes, from the public key's SHA-256 as in the DCC) and the P-256 secret. */
export interface SigningKey {
  kid: Uint8Array;
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

/** The P-256 key derived from a secret seed (so the key survives restarts), with its DCC-style kid. */
export function signingKeyFrom(seed: Uint8Array): SigningKey {
  const secretKey = sha256(
    new Uint8Array([...new TextEncoder().encode('citybrain-enforcement-code-key-v1'), ...seed]),
  );
  const publicKey = p256.getPublicKey(secretKey, false);
  return { kid: sha256(publicKey).slice(0, 8), secretKey, publicKey };
}

/** Signs the claims and returns the QR text. */
export function issueCode(claims: CodeClaims, key: SigningKey): string {
  const protectedBytes = encode(
    new Map<number, unknown>([
      [1, ES256],
      [4, key.kid],
    ]),
  );
  const payload = encode(
    new Map<number, unknown>([
      [1, claims.iss],
      [2, claims.sub],
      [4, claims.exp],
      [6, claims.iat],
      [HOLDER_CLAIM, [claims.kind === 'inspector' ? 1 : 2, claims.role, claims.status]],
    ]),
  );
  const signature = p256.sign(sigStructure(protectedBytes, payload), key.secretKey);
  const cose = encode(new Tagged(COSE_SIGN1_TAG, [protectedBytes, new Map(), payload, signature]));
  return CODE_PREFIX + base45Encode(zlibSync(cose, { level: 9 }));
}

/**
 * Verifies a code offline: parse, find the key by kid, check the ES256 signature over the
 * Sig_structure, then issued-at, expiry and the cached revocation status list.
 */
export function verifyCode(
  text: string,
  ctx: {
    keys: (kidHex: string) => Uint8Array | undefined;
    nowSeconds: number;
    isRevoked: (index: number) => boolean;
  },
): CodeCheck {
  const parsed = parseCode(text);
  if (!parsed) return { valid: false, reason: 'malformed' };
  const kid = Buffer.from(parsed.kid).toString('hex');
  const publicKey = ctx.keys(kid);
  if (!publicKey) return { valid: false, reason: 'unknown_key', kid };
  const ok = es256Verify(parsed.signature, sigStructure(parsed.protectedBytes, parsed.payload), publicKey);
  if (!ok) return { valid: false, reason: 'bad_signature', kid };
  return checkClaims(parsed.claims, kid, ctx.nowSeconds, ctx.isRevoked);
}

const keyObjects = new WeakMap<Uint8Array, KeyObject>();

/** ES256 (RFC 9053 §2.1: SHA-256, r‖s) with the platform's native crypto; false on any malformed input. */
export function es256Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    let key = keyObjects.get(publicKey);
    if (!key) {
      key = createPublicKey({ key: { ...publicJwk({ kid: new Uint8Array(0), publicKey }) }, format: 'jwk' });
      keyObjects.set(publicKey, key);
    }
    return cryptoVerify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}

/** The public key as a JWK (RFC 7517/7518) for the JWKS route. */
export function publicJwk(key: Pick<SigningKey, 'kid' | 'publicKey'>): Record<string, string> {
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
  return {
    kty: 'EC',
    crv: 'P-256',
    x: b64(key.publicKey.slice(1, 33)),
    y: b64(key.publicKey.slice(33, 65)),
    kid: b64(key.kid),
    alg: 'ES256',
    use: 'sig',
  };
}
