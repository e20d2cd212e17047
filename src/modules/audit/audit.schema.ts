import type { ColumnType, Generated } from 'kysely';
import { z } from 'zod';

/** Tables owned by the audit module. */
export interface AuditTables {
  audit_log: {
    seq: number;
    at: ColumnType<Date, Date, never>;
    actor_kind: string;
    actor_id: string;
    action: string;
    subject_type: string;
    subject_id: string;
    jurisdiction_path: string;
    details: ColumnType<Record<string, unknown>, string, never>;
    prev_hash: string;
    hash: string;
  };
  audit_head: {
    id: Generated<number>;
    seq: number;
    hash: string;
  };
}

/** One audit entry as the API returns it. */
export const AuditEntrySchema = z.object({
  seq: z.number().int(),
  at: z.iso.datetime({ offset: true }),
  actorKind: z.string(),
  actorId: z.string(),
  action: z.string(),
  subjectType: z.string(),
  subjectId: z.string(),
  jurisdictionPath: z.string(),
  details: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEntryDto = z.infer<typeof AuditEntrySchema>;

/** Filters of GET /api/v1/audit. */
export const AuditQuerySchema = z.object({
  action: z.string().optional(),
  subjectType: z.string().optional(),
  subjectId: z.string().optional(),
  afterSeq: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type AuditQuery = z.infer<typeof AuditQuerySchema>;

/** Result of checking the hash chain. */
export const VerifyResultSchema = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  headSeq: z.number().int(),
  firstBroken: z
    .object({ seq: z.number().int(), reason: z.string() })
    .optional()
    .describe('the first entry whose link does not hold'),
});
export type VerifyResult = z.infer<typeof VerifyResultSchema>;
