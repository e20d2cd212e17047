import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A new random device secret (192 bits). Stored only as a SHA-256 hash: with this much
 * entropy a slow password hash buys nothing, and the broker's auth hook must stay cheap.
 */
export function newDeviceSecret(): { secret: string; hash: string } {
  const secret = randomBytes(24).toString('base64url');
  return { secret, hash: hashSecret(secret) };
}

/** The stored form of a secret. */
export function hashSecret(secret: string): string {
  return `sha256:${createHash('sha256').update(secret).digest('hex')}`;
}

/** Compares a presented secret with the stored hash in constant time. */
export function secretMatches(secret: string, stored: string): boolean {
  const a = Buffer.from(hashSecret(secret));
  const b = Buffer.from(stored);
  return a.length === b.length && timingSafeEqual(a, b);
}
