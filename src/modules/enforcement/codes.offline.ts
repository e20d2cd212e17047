// Offline verification of 执法码/企业码 as the field app does it: the QR text parsed with the server's
// own parser (codes.parse.ts), the ES256 signature checked against a cached JWKS with WebCrypto
// (ECDSA P-256, SHA-256, r‖s — the COSE form is WebCrypto's form), falling back to pure-JS P-256 where
// WebCrypto is missing (a page served over plain http on a LAN has no crypto.subtle), then expiry and
// the cached revocation status list. No Node API: runs in the browser and under Node alike.
import { p256 } from '@noble/curves/nist.js';
import { gunzipSync } from 'fflate';
import { type CodeCheck, checkClaims, hexOf, parseCode, sigStructure } from './codes.parse.ts';

/** The published keys (GET /api/v1/enforcement/keys). */
export interface Jwks {
  keys: Record<string, string>[];
}

/** The published status list (GET /api/v1/enforcement/codes/status). */
export interface StatusListDoc {
  encodedList: string;
  size: number;
  revoked: number;
  updatedAt: string;
}

/** Bytes of base64url text (padding optional). */
export function fromBase64url(text: string): Uint8Array {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** Base64url text of bytes, no padding. */
export function toBase64url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The status list's bitstring (bit i = code i revoked, most significant bit first). */
export const statusBits = (list: Pick<StatusListDoc, 'encodedList'>): Uint8Array =>
  gunzipSync(fromBase64url(list.encodedList));

/** Whether bit `index` is set; an index beyond the list is not revoked (the list covers every code issued when it was fetched). */
export const isRevokedIn = (bits: Uint8Array, index: number): boolean =>
  index >= 0 && ((bits[index >> 3] ?? 0) & (0x80 >> (index & 7))) !== 0;

type WebKey = Awaited<ReturnType<typeof globalThis.crypto.subtle.importKey>>;
type Jwk = { kty: string; crv: string; x: string; y: string; ext: boolean };

/** A P-256 key of the JWKS: its kid as hex (the kid in a code's header) and its uncompressed point. */
interface EcKey {
  kidHex: string;
  jwk: Jwk;
  point: Uint8Array;
}

function ecKeys(jwks: Jwks): EcKey[] {
  return jwks.keys
    .filter((k) => k.kty === 'EC' && k.crv === 'P-256' && k.x && k.y && k.kid)
    .map((k) => ({
      kidHex: hexOf(fromBase64url(k.kid as string)),
      jwk: { kty: 'EC', crv: 'P-256', x: k.x as string, y: k.y as string, ext: true },
      point: new Uint8Array([4, ...fromBase64url(k.x as string), ...fromBase64url(k.y as string)]),
    }));
}

const imported = new Map<string, Promise<WebKey | null>>();

/** The WebCrypto key for a JWK (cached), or null where WebCrypto is unavailable or refuses it. */
function cryptoKeyOf(key: EcKey): Promise<WebKey | null> {
  const id = `${key.jwk.x}.${key.jwk.y}`;
  let p = imported.get(id);
  if (!p) {
    const subtle = globalThis.crypto?.subtle;
    p = subtle
      ? subtle
          .importKey('jwk', key.jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify'])
          .catch(() => null)
      : Promise.resolve(null);
    imported.set(id, p);
  }
  return p;
}

/** ES256 over the message: WebCrypto when there is one, else pure-JS P-256; false on malformed input. */
export async function es256VerifyOffline(
  key: EcKey,
  signature: Uint8Array,
  message: Uint8Array,
): Promise<boolean> {
  try {
    const ck = await cryptoKeyOf(key);
    if (ck)
      return await globalThis.crypto.subtle.verify(
        { name: 'ECDSA', hash: 'SHA-256' },
        ck,
        signature as Uint8Array<ArrayBuffer>,
        message as Uint8Array<ArrayBuffer>,
      );
    return p256.verify(signature, message, key.point);
  } catch {
    return false;
  }
}

/**
 * Verifies a QR text with nothing but what the app has cached: the keys and the status list. The
 * same answers as the server's verification (`malformed`, `unknown_key`, `bad_signature`,
 * `not_yet_valid`, `expired`, `revoked`).
 */
export async function verifyOffline(
  text: string,
  ctx: { jwks: Jwks; status: Uint8Array; nowSeconds: number },
): Promise<CodeCheck> {
  const parsed = parseCode(text.trim());
  if (!parsed) return { valid: false, reason: 'malformed' };
  const kid = hexOf(parsed.kid);
  const key = ecKeys(ctx.jwks).find((k) => k.kidHex === kid);
  if (!key) return { valid: false, reason: 'unknown_key', kid };
  const ok = await es256VerifyOffline(
    key,
    parsed.signature,
    sigStructure(parsed.protectedBytes, parsed.payload),
  );
  if (!ok) return { valid: false, reason: 'bad_signature', kid };
  return checkClaims(parsed.claims, kid, ctx.nowSeconds, (i) => isRevokedIn(ctx.status, i));
}
