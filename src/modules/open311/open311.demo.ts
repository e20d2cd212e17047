import { randomBytes } from 'node:crypto';
import { type Principal, SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import type { ApiKeyDto } from '../identity/index.ts';

/** What ensureOpen311Key needs from the identity module. */
export interface KeyIssuer {
  ensureApiKey(
    name: string,
    secret: string,
    input: { roles: never[] | string[]; jurisdictionCode: string },
  ): Promise<{ apiKey: ApiKeyDto; created: boolean }>;
  apiKeys: { list(actor: Principal): Promise<ApiKeyDto[]> };
}

/** Name of the demo Open311 client application's key. */
export const OPEN311_DEMO_KEY_NAME = 'open311-demo-client';

/**
 * Makes sure the demo Open311 client application has a key: `CITYBRAIN_OPEN311_KEY` when set
 * (pass it as `secret`), otherwise one generated on first start and printed once. Returns a
 * banner line for the start-up output. For src/demo/prepare.ts.
 */
export async function ensureOpen311Key(
  identity: KeyIssuer,
  cityCode: string,
  secret?: string,
): Promise<string> {
  if (!secret) {
    // A generated key is printed once, at first start; later starts keep it.
    const keys = await identity.apiKeys.list(SYSTEM_PRINCIPAL);
    if (keys.some((k) => k.name === OPEN311_DEMO_KEY_NAME && !k.revokedAt)) {
      return `  open311    /open311/v2/ — demo client key exists (set CITYBRAIN_OPEN311_KEY to choose it)`;
    }
  }
  const key = secret ?? `o311_${randomBytes(24).toString('base64url')}`;
  const { created } = await identity.ensureApiKey(OPEN311_DEMO_KEY_NAME, key, {
    roles: [],
    jurisdictionCode: cityCode,
  });
  if (secret) return `  open311    /open311/v2/ — api_key from CITYBRAIN_OPEN311_KEY`;
  if (created)
    return `  open311    /open311/v2/ — demo api_key ${key}  (shown once: keep it, or set CITYBRAIN_OPEN311_KEY)`;
  return `  open311    /open311/v2/ — demo client key exists (set CITYBRAIN_OPEN311_KEY to choose it)`;
}
