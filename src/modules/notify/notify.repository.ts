import type { Insertable, Kysely, Selectable } from 'kysely';
import { inScope, type Principal } from '../../platform/access.ts';
import type { NotificationDto, NotificationQuery, NotifyTables } from './notify.schema.ts';

type Row = Selectable<NotifyTables['nt_notification']>;

/** All SQL of the notify module. */
export class NotifyRepository {
  async insert(db: Kysely<NotifyTables>, rows: Insertable<NotifyTables['nt_notification']>[]): Promise<void> {
    if (rows.length) await db.insertInto('nt_notification').values(rows).execute();
  }

  /** Pending external deliveries, oldest first, locked so two deliverers never send one twice. */
  async pending(db: Kysely<NotifyTables>, limit: number): Promise<Row[]> {
    return db
      .selectFrom('nt_notification')
      .selectAll()
      .where('status', '=', 'pending')
      .orderBy('id')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
  }

  async mark(
    db: Kysely<NotifyTables>,
    id: number,
    change: { status: string; attempts: number; last_error: string | null; delivered_at: Date | null },
  ): Promise<void> {
    await db.updateTable('nt_notification').set(change).where('id', '=', id).execute();
  }

  /** Notifications in the principal's jurisdiction. */
  async list(db: Kysely<NotifyTables>, principal: Principal, q: NotificationQuery): Promise<Row[]> {
    let query = db.selectFrom('nt_notification').selectAll().where(inScope(principal, 'jurisdiction_path'));
    if (q.recipient) query = query.where('recipient', '=', q.recipient);
    if (q.subjectId) query = query.where('subject_id', '=', q.subjectId);
    return query.orderBy('id', 'desc').limit(q.limit).execute();
  }

  /** One recipient's in-app inbox. */
  async inbox(db: Kysely<NotifyTables>, recipients: string[], limit: number): Promise<Row[]> {
    if (recipients.length === 0) return [];
    return db
      .selectFrom('nt_notification')
      .selectAll()
      .where('recipient', 'in', recipients)
      .where('channel', '=', 'in_app')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  }
}

/** A row as the API returns it. */
export function toNotificationDto(r: Row): NotificationDto {
  return {
    id: Number(r.id),
    recipient: r.recipient,
    channel: r.channel,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    title: r.title,
    body: r.body,
    code: r.code,
    params: r.params,
    status: r.status as NotificationDto['status'],
    attempts: r.attempts,
    createdAt: r.created_at.toISOString(),
    deliveredAt: r.delivered_at?.toISOString() ?? null,
  };
}
