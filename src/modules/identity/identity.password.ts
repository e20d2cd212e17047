import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/** Default scrypt cost N: about 50–80 ms per hash on one core of a current server, 32 MiB of memory. */
export const DEFAULT_SCRYPT_COST = 2 ** 15;

const R = 8;
const P = 1;
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  // maxmem must exceed 128·N·r, or Node refuses the parameters.
  const options: ScryptOptions = { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/**
 * Hashes and checks passwords with scrypt (memory-hard, in Node's standard library, so no
 * native dependency). Hashes store their own parameters — `scrypt$N$r$p$salt$hash` — so the
 * cost can be raised later without breaking stored passwords.
 */
export class PasswordHasher {
  private readonly cost: number;
  private dummy?: Promise<string>;

  constructor(cost = DEFAULT_SCRYPT_COST) {
    if (!Number.isInteger(Math.log2(cost)) || cost < 2) throw new Error('scrypt cost must be a power of two');
    this.cost = cost;
  }

  /** A new hash of `password` with a fresh 16-byte salt. */
  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await derive(password, salt, this.cost, R, P);
    return ['scrypt', this.cost, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
  }

  /** True when `password` matches `stored`; compares in constant time. A null or malformed hash never matches. */
  async verify(password: string, stored: string | null): Promise<boolean> {
    // Users without a password (OIDC-only) still cost one scrypt, so timing does not tell them apart.
    const parsed = parse(stored ?? (await this.dummyHash()));
    if (!parsed) return false;
    const key = await derive(password, parsed.salt, parsed.n, parsed.r, parsed.p);
    return stored !== null && key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
  }

  /** Spends the same time as checking a real password; used for unknown usernames. */
  async burn(password: string): Promise<void> {
    await this.verify(password, null);
  }

  private dummyHash(): Promise<string> {
    this.dummy ??= this.hash(randomBytes(16).toString('hex'));
    return this.dummy;
  }
}

function parse(stored: string): { n: number; r: number; p: number; salt: Buffer; key: Buffer } | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![n, r, p].every((x) => Number.isInteger(x) && x > 0) || n > 2 ** 20 || r > 32 || p > 16)
    return undefined;
  return { n, r, p, salt: Buffer.from(parts[4]!, 'base64url'), key: Buffer.from(parts[5]!, 'base64url') };
}
