// The platform-neutral half of 执法码/企业码 (see codes.cose.ts): the QR text's layout, parsing it
// (Base45 → zlib → COSE_Sign1 → CWT) and the checks after the signature (issued-at, expiry, status
// list). No Node API: the field app imports this file as it is, so the server and the phone read a
// code with the same code.
import { decode, encode, Tagged } from 'cborg';
import { unzlibSync } from 'fflate';
import { base45Decode } from './base45.ts';

/** The QR text's prefix (version 1 of citybrain's code). */
export const CODE_PREFIX = 'CB1:';
export const COSE_SIGN1_TAG = 18;
export const ES256 = -7;
/** Private CWT claim (negative key, RFC 8392 §4) holding what the code says about its holder. */
export const HOLDER_CLAIM = -70001;
/** Clock skew allowed for a code's issued-at (seconds). */
export const IAT_SKEW = 300;

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

/** The parts of a parsed code. */
export interface ParsedCode {
  kid: Uint8Array;
  protectedBytes: Uint8Array;
  payload: Uint8Array;
  signature: Uint8Array;
  claims: CodeClaims;
}

/** The COSE Sig_structure (RFC 9052 §4.4) that ES256 signs. */
export const sigStructure = (protectedBytes: Uint8Array, payload: Uint8Array): Uint8Array =>
  encode(['Signature1', protectedBytes, new Uint8Array(0), payload]);

/** Lower-case hex of bytes. */
export const hexOf = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** The parts of a code, or null when it is not one (no prefix, bad Base45/zlib/CBOR, wrong structure). */
export function parseCode(text: string): ParsedCode | null {
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
    if (!(signature instanceof Uint8Array)) return null;
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

/** The checks after a good signature: issued-at (with skew), expiry, then the status list. */
export function checkClaims(
  claims: CodeClaims,
  kid: string,
  nowSeconds: number,
  isRevoked: (index: number) => boolean,
): CodeCheck {
  if (claims.iat > nowSeconds + IAT_SKEW) return { valid: false, reason: 'not_yet_valid', kid };
  if (claims.exp <= nowSeconds) return { valid: false, reason: 'expired', kid };
  if (isRevoked(claims.status)) return { valid: false, reason: 'revoked', kid };
  return { valid: true, claims, kid };
}
