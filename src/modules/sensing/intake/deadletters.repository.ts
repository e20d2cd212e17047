import { sql } from 'kysely';
import { z } from 'zod';
import { inScope, type Principal } from '../../../platform/access.ts';
import { type Db, forTables } from '../../../platform/db/database.ts';
import type { SensingTables } from '../sensing.tables.ts';
import { storable } from './intake.limits.ts';
import { DEAD_LETTER_REASONS, type DeadLetterReason } from './intake.validate.ts';

/** A refused observation to store. */
export interface DeadLetter {
  receivedAt: Date;
  deviceId: string | null;
  reason: DeadLetterReason;
  detail: string;
  payload: string;
  jurisdictionPath: string;
}

/** A dead letter as the API returns it. */
export const DeadLetterSchema = z.object({
  id: z.number().int(),
  receivedAt: z.iso.datetime({ offset: true }),
  deviceId: z.string().nullable(),
  reason: z.enum(DEAD_LETTER_REASONS),
  detail: z.string(),
  payload: z.string().describe('the payload as received, its first 4 KiB (NUL shown as U+FFFD)'),
});
export type DeadLetterDto = z.infer<typeof DeadLetterSchema>;

/** Filters of GET /api/v1/dead-letters. */
export const DeadLetterQuerySchema = z.object({
  reason: z.enum(DEAD_LETTER_REASONS).optional(),
  deviceId: z.string().optional(),
  beforeId: z.coerce.number().int().optional().describe('keyset paging: ids below this one'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type DeadLetterQuery = z.infer<typeof DeadLetterQuerySchema>;

/** All SQL of dead letters. */
export class DeadLetterRepository {
  /** Stores a batch in one statement; texts are cut to 4 KiB and made storable (a NUL would fail the batch). */
  async insert(db: Db, rows: DeadLetter[]): Promise<void> {
    if (rows.length === 0) return;
    await sql`
      insert into sensing_dead_letters (received_at, device_id, reason, detail, payload, jurisdiction_path)
      select * from unnest(${rows.map((r) => r.receivedAt.toISOString())}::timestamptz[],
        ${rows.map((r) => (r.deviceId === null ? null : storable(String(r.deviceId), 200)))}::text[], ${rows.map((r) => r.reason)}::text[],
        ${rows.map((r) => storable(r.detail))}::text[], ${rows.map((r) => storable(r.payload))}::text[],
        ${rows.map((r) => r.jurisdictionPath)}::text[])`.execute(db);
  }

  /** Dead letters the principal may see (unknown devices only at city scope), newest first. */
  async list(db: Db, principal: Principal, q: DeadLetterQuery): Promise<DeadLetterDto[]> {
    let query = forTables<SensingTables>(db)
      .selectFrom('sensing_dead_letters')
      .selectAll()
      .where(inScope(principal, 'jurisdiction_path'));
    if (q.reason) query = query.where('reason', '=', q.reason);
    if (q.deviceId) query = query.where('device_id', '=', q.deviceId);
    if (q.beforeId !== undefined) query = query.where('id', '<', q.beforeId);
    const rows = await query.orderBy('id', 'desc').limit(q.limit).execute();
    return rows.map((r) => ({
      id: Number(r.id),
      receivedAt: r.received_at.toISOString(),
      deviceId: r.device_id,
      reason: r.reason as DeadLetterReason,
      detail: r.detail,
      payload: r.payload,
    }));
  }
}
