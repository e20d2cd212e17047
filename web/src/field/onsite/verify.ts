// Verifying a scanned code on site with what the phone has cached (data.ts): the server's own parser
// and the offline verifier (src/modules/enforcement/codes.parse.ts, codes.offline.ts), then the holder.

import { statusBits, verifyOffline } from '../../../../src/modules/enforcement/codes.offline.ts';
import { type CodeCheck, parseCode } from '../../../../src/modules/enforcement/codes.parse.ts';
import type { Trust } from './data.ts';

/** Why a scanned code does not do for this visit, beyond the code's own refusals. */
export type HolderRefusal = 'wrong_holder' | 'no_trust';

/** A verification's answer on site: the code's own, or a holder who is not the expected one. */
export type OnSiteCheck =
  | (CodeCheck & { ms: number })
  | { valid: false; reason: HolderRefusal; ms: number; holder?: string };

/**
 * Verifies a QR text with the cached keys and status list only (no network), then checks that it is
 * the expected holder's: an enterprise code of the visit's enterprise, or my own inspector code.
 */
export async function verifyOnSite(
  qr: string,
  trust: Trust | undefined,
  expect: { kind: 'inspector' | 'enterprise'; subject: string },
): Promise<OnSiteCheck> {
  const t0 = performance.now();
  if (!trust) return { valid: false, reason: 'no_trust', ms: 0 };
  const check = await verifyOffline(qr, {
    jwks: trust.keys,
    status: statusBits(trust.status),
    nowSeconds: Math.floor(Date.now() / 1000),
  });
  const ms = performance.now() - t0;
  if (check.valid && (check.claims.kind !== expect.kind || check.claims.sub !== expect.subject))
    return { valid: false, reason: 'wrong_holder', ms, holder: check.claims.sub };
  return { ...check, ms };
}

/** The holder a QR text names, read without verifying (to say whose code was scanned). */
export const holderOf = (qr: string): string | undefined => parseCode(qr.trim())?.claims.sub;
