// What the inspector and the enterprise countersign: the SHA-256 of the record body's canonical JSON
// (object keys sorted, no spaces), signed with Ed25519 (RFC 8032) by each party's key. Changing any
// finding, note or party after countersigning changes the digest, and the signatures no longer verify.
import { createHash } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { RecordBody } from './enforcement.schema.ts';
import { canonicalJson } from './record.canonical.ts';

export { canonicalJson } from './record.canonical.ts';

/** The record digest (hex) both parties sign. */
export const recordDigest = (body: RecordBody): string =>
  createHash('sha256').update(canonicalJson(body)).digest('hex');

/** Signs a digest with an Ed25519 secret key (the field app's side); base64url. */
export const signDigest = (digestHex: string, secretKey: Uint8Array): string =>
  Buffer.from(ed25519.sign(Buffer.from(digestHex, 'hex'), secretKey)).toString('base64url');

/** True when the base64url signature of the digest verifies under the base64url Ed25519 public key. */
export function digestSignatureOk(digestHex: string, signature: string, publicKey: string): boolean {
  try {
    return ed25519.verify(
      Buffer.from(signature, 'base64url'),
      Buffer.from(digestHex, 'hex'),
      Buffer.from(publicKey, 'base64url'),
    );
  } catch {
    return false;
  }
}
