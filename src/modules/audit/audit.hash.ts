import { createHash } from 'node:crypto';

/** The fields of an entry that its hash covers, in a fixed order. */
export interface ChainedFields {
  seq: number;
  at: Date;
  actorKind: string;
  actorId: string;
  action: string;
  subjectType: string;
  subjectId: string;
  jurisdictionPath: string;
  details: Record<string, unknown>;
  prevHash: string;
}

/** JSON with object keys sorted at every depth, so the same value always hashes the same (jsonb reorders keys). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** SHA-256 over the previous hash and the entry's canonical form: changing or removing any entry breaks every later link. */
export function entryHash(fields: ChainedFields): string {
  const body = canonicalJson([
    fields.seq,
    fields.at.toISOString(),
    fields.actorKind,
    fields.actorId,
    fields.action,
    fields.subjectType,
    fields.subjectId,
    fields.jurisdictionPath,
    fields.details,
    fields.prevHash,
  ]);
  return createHash('sha256').update(body).digest('hex');
}
