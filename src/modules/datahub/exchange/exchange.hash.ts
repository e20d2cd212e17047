import { hash } from 'node:crypto';

/** One data exchange through the gateway, as logged. */
export interface ExchangeRecord {
  /** When the exchange happened (kept to the millisecond). */
  at: Date;
  consumerApp: string;
  consumerDept: string;
  ownerDept: string;
  resourceId: string;
  purpose: string;
  /** The policy decision: `allow`, `deny`, `conditional`, … */
  decision: string;
  policyVersion: string;
  /** Ids of the negative-list entries that determined the decision. */
  entries: string[];
  /** Fields returned masked. */
  maskedFields: string[];
  /** Rows returned (0 when denied). */
  rowCount: number;
  /**
   * The jurisdiction scope the rows were limited to (`all:50`, `unscoped:500103`,
   * `within:500103:district_code`; gateway.scope.ts); empty for records written before scopes.
   */
  scope: string;
}

/** A stored record: its place in the chain and its links. */
export interface ChainedExchange extends ExchangeRecord {
  seq: number;
  prevHash: string;
  hash: string;
}

/**
 * SHA-256 over the previous hash and the record's canonical form, the audit log's approach
 * (`audit.hash.ts`): a JSON array of the fields in a fixed order. The values are strings,
 * numbers and arrays of strings only, so `JSON.stringify` is already canonical (no object keys
 * to sort) and cheaper than audit's general `canonicalJson`; time is epoch milliseconds.
 */
export function exchangeHash(
  seq: number,
  atMs: number,
  r: Omit<ExchangeRecord, 'at'>,
  prevHash: string,
): string {
  const body = JSON.stringify([
    seq,
    atMs,
    r.consumerApp,
    r.consumerDept,
    r.ownerDept,
    r.resourceId,
    r.purpose,
    r.decision,
    r.policyVersion,
    r.entries,
    r.maskedFields,
    r.rowCount,
    // Records from before scopes were logged have none, and keep the hash they were written with.
    ...(r.scope === '' ? [] : [r.scope]),
    prevHash,
  ]);
  // One-shot hash(): the same digest as createHash().update().digest(), with less overhead per record.
  return hash('sha256', body, 'hex');
}
