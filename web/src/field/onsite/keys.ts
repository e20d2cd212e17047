// The inspector's countersigning key (Ed25519, RFC 8032), made on this phone and kept in IndexedDB
// (database citybrain-field-keys); only its public half leaves the phone, bound to the inspector
// through POST /api/v1/enforcement/inspectors/{id}/key. The record digest is computed here from the
// same canonical JSON as the server's (record.canonical.ts).
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { openDB } from 'idb';
import { toBase64url } from '../../../../src/modules/enforcement/codes.offline.ts';
import { canonicalJson } from '../../../../src/modules/enforcement/record.canonical.ts';
import { api, unwrap } from '../../api/client.ts';

interface StoredKey {
  inspectorId: string;
  secretKey: Uint8Array;
  publicKey: string;
  /** The public key the server was last told of. */
  bound: string | null;
}

const db = () =>
  openDB('citybrain-field-keys', 1, {
    upgrade(d) {
      d.createObjectStore('keys', { keyPath: 'inspectorId' });
    },
  });

/** This phone's key for the inspector, made on first use. */
async function keyOf(inspectorId: string): Promise<StoredKey> {
  const d = await db();
  const found = (await d.get('keys', inspectorId)) as StoredKey | undefined;
  if (found) return found;
  const { secretKey, publicKey } = ed25519.keygen();
  const key: StoredKey = { inspectorId, secretKey, publicKey: toBase64url(publicKey), bound: null };
  await d.put('keys', key);
  return key;
}

/** Tells the server this phone's public key (once, or again when `force`). */
export async function bindKey(inspectorId: string, force = false): Promise<void> {
  const key = await keyOf(inspectorId);
  if (!force && key.bound === key.publicKey) return;
  unwrap(
    await api.POST('/api/v1/enforcement/inspectors/{id}/key', {
      params: { path: { id: inspectorId } },
      body: { publicKey: key.publicKey },
    }),
  );
  await (await db()).put('keys', { ...key, bound: key.publicKey });
}

/** The record digest (hex SHA-256 of the canonical JSON), as the server computes it. */
export const digestOf = (body: unknown): string =>
  bytesToHex(sha256(new TextEncoder().encode(canonicalJson(body))));

/** The inspector's Ed25519 signature of a digest, base64url. */
export async function signAsInspector(inspectorId: string, digestHex: string): Promise<string> {
  const key = await keyOf(inspectorId);
  return toBase64url(ed25519.sign(hexToBytes(digestHex), key.secretKey));
}
