// The platform's Ed25519 signing keys (RFC 8032) and compact JWS (RFC 7515, `alg: EdDSA`, RFC 8037):
// a key is derived from a secret seed kept in the data directory (`persistentSecret`, as the
// enforcement codes' key is), so it survives restarts; its public half is published as a JWK
// (kid = RFC 7638 thumbprint) and anyone verifies a signed text with any JOSE library.
import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';

/** An Ed25519 key pair of the platform with its JWK thumbprint as kid. */
export interface Ed25519Key {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

// PKCS #8 prefix of an Ed25519 private key (RFC 8410): the 32-byte seed follows.
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The Ed25519 key derived from a secret seed and a label (one key per purpose from one seed). */
export function ed25519KeyFrom(seed: Uint8Array, label: string): Ed25519Key {
  const secret = createHash('sha256').update(label).update(seed).digest();
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519, secret]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKey = createPublicKey(privateKey);
  const x = publicKey.export({ format: 'jwk' }).x as string;
  const kid = createHash('sha256')
    .update(JSON.stringify({ crv: 'Ed25519', kty: 'OKP', x }))
    .digest('base64url');
  return { kid, privateKey, publicKey };
}

/** The public key as a JWK for a JWKS route. */
export function ed25519Jwk(key: Pick<Ed25519Key, 'kid' | 'publicKey'>): Record<string, string> {
  const { x } = key.publicKey.export({ format: 'jwk' });
  return { kty: 'OKP', crv: 'Ed25519', x: x as string, kid: key.kid, alg: 'EdDSA', use: 'sig' };
}

import { canonicalJson } from './canonical-json.ts';

export { canonicalJson };

/** Signs a JSON payload as a compact JWS (`header.payload.signature`, EdDSA, the key's kid, the given typ). */
export function signJws(payload: unknown, key: Ed25519Key, typ: string): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64url');
  const input = `${b64(canonicalJson({ alg: 'EdDSA', kid: key.kid, typ }))}.${b64(canonicalJson(payload))}`;
  return `${input}.${sign(null, Buffer.from(input), key.privateKey).toString('base64url')}`;
}

/** Why a signed text is refused. */
export type JwsRefusal = 'malformed' | 'unknown_key' | 'bad_signature';

/** Checks a compact JWS signed by `signJws` against the keys by kid; the payload when it verifies. */
export function verifyJws(
  text: string,
  keys: (kid: string) => KeyObject | undefined,
  typ: string,
): { valid: true; payload: Record<string, unknown>; kid: string } | { valid: false; reason: JwsRefusal } {
  const parts = text.trim().split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p)))
    return { valid: false, reason: 'malformed' };
  const [h, p, s] = parts as [string, string, string];
  let header: Record<string, unknown>;
  let payload: unknown;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  } catch {
    return { valid: false, reason: 'malformed' };
  }
  if (
    header?.alg !== 'EdDSA' ||
    header.typ !== typ ||
    typeof header.kid !== 'string' ||
    !payload ||
    typeof payload !== 'object' ||
    Array.isArray(payload)
  )
    return { valid: false, reason: 'malformed' };
  const key = keys(header.kid);
  if (!key) return { valid: false, reason: 'unknown_key' };
  let ok = false;
  try {
    ok = verify(null, Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'));
  } catch {
    ok = false;
  }
  return ok
    ? { valid: true, payload: payload as Record<string, unknown>, kid: header.kid }
    : { valid: false, reason: 'bad_signature' };
}
