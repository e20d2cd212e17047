// 执法码 and 企业码 in the EU Digital COVID Certificate layout: a CWT (RFC 8392) claims set, signed as
// a COSE_Sign1 (RFC 9052, ES256 over P-256, kid in the protected header), zlib-compressed, Base45
// (RFC 9285) and prefixed `CB1:`. Anyone holding the published keys (JWKS) verifies it offline.
import { createHash, createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { decode, encode, Tagged } from 'cborg';
import { unzlibSync, zlibSync } from 'fflate';
import { base45Decode, base45Encode } from './base45.ts';

/** The QR text's prefix (version 1 of citybrain's code). */
export const CODE_PREFIX = 'CB1:';
const COSE_SIGN1_TAG = 18;
const sha256 = (bytes: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(bytes).digest());
const ES256 = -7;
/** Private CWT claim (negative key, RFC 8392 §4) holding what the code says about its holder. */
const HOLDER_CLAIM = -70001;

/** What a code asserts: who holds it, as what, who issued it and until when (seconds since the epoch). */
export interface CodeClaims {
  iss: string;
  /** The inspector's id or the enterprise's credit code. */
  sub: string;
  kind: 'inspector' | 'enterprise';
  /** The inspector's department code, or the enterprise's risk class. */
  role: string;
  /** Index of the code in the revocation status list. */
  status: number;
  iat: number;
  exp: number;
}

/** A signing key of the issuer: kid (8 bytes, from the public key's SHA-256 as in the DCC) and the P-256 secret. */
export interface SigningKey {
  kid: Uint8Array;
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

/** Why a code is refused. */
export type CodeRefusal =
  | 'malformed'
  | 'unknown_key'
  | 'bad_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'revoked';

/** A verification's answer. */
export type CodeCheck =
  | { valid: true; claims: CodeClaims; kid: string }
  | { valid: false; reason: CodeRefusal; kid?: string };

/** The P-256 key derived from a secret seed (so the key survives restarts), with its DCC-style kid. */
export function signingKeyFrom(seed: Uint8Array): SigningKey {
  const secretKey = sha256(
    new Uint8Array([...new TextEncoder().encode('citybrain-enforcement-code-key-v1'), ...seed]),
  );
  const publicKey = p256.getPublicKey(secretKey, false);
  return { kid: sha256(publicKey).slice(0, 8), secretKey, publicKey };
}

const sigStructure = (protectedBytes: Uint8Array, payload: Uint8Array) =>
  encode(['Signature1', protectedBytes, new Uint8Array(0), payload]);

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

/** The parts of a code, or null when it is not one (no prefix, bad Base45/zlib/CBOR, wrong structure). */
export function parseCode(text: string): {
  kid: Uint8Array;
  protectedBytes: Uint8Array;
  payload: Uint8Array;
  signature: Uint8Array;
  claims: CodeClaims;
} | null {
  try {
    if (!text.startsWith(CODE_PREFIX)) return null;
    const cose = unzlibSync(base45Decode(text.slice(CODE_PREFIX.length)));
    const tagged = decode(cose, { useMaps: true, tags: Tagged.preserve(COSE_SIGN1_TAG) }) as Tagged;
    const [protectedBytes, , payload, signature] = (tagged instanceof Tagged ? tagged.value : tagged) as [
      Uint8Array,
      unknown,
      Uint8Array,
      Uint8Array,
    ];
    const header = decode(protectedBytes, { useMaps: true }) as Map<number, unknown>;
    const cwt = decode(payload, { useMaps: true }) as Map<number, unknown>;
    const holder = cwt.get(HOLDER_CLAIM) as [number, string, number];
    const kid = header.get(4);
    if (header.get(1) !== ES256 || !(kid instanceof Uint8Array) || !Array.isArray(holder)) return null;
    const claims: CodeClaims = {
      iss: String(cwt.get(1)),
      sub: String(cwt.get(2)),
      exp: Number(cwt.get(4)),
      iat: Number(cwt.get(6)),
      kind: holder[0] === 1 ? 'inspector' : 'enterprise',
      role: String(holder[1]),
      status: Number(holder[2]),
    };
    return { kid, protectedBytes, payload, signature, claims };
  } catch {
    return null;
  }
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
  const { claims } = parsed;
  if (claims.iat > ctx.nowSeconds + 300) return { valid: false, reason: 'not_yet_valid', kid };
  if (claims.exp <= ctx.nowSeconds) return { valid: false, reason: 'expired', kid };
  if (ctx.isRevoked(claims.status)) return { valid: false, reason: 'revoked', kid };
  return { valid: true, claims, kid };
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
