import type { Principal } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import { type Db, forTables } from '../../platform/db/database.ts';
import type { Logger } from '../../platform/logger.ts';
import { type Channel, inAppChannel } from './notify.channels.ts';
import { NotifyRepository, toNotificationDto } from './notify.repository.ts';
import type {
  Message,
  NotificationDto,
  NotificationQuery,
  NotifyTables,
  Recipient,
} from './notify.schema.ts';

/** The port other modules use: queue messages inside their own transaction. */
export interface Notifier {
  send(trx: Db, recipients: Recipient[], message: Message): Promise<number>;
}

/** What the notify service is built from. */
export interface NotifyDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Channels besides in-app (always on); default none. */
  channels?: Channel[];
  /** Attempts before an external delivery is marked failed (default 5). */
  maxAttempts?: number;
}

/**
 * Notifications with pluggable channels. `send` writes one row per recipient and applicable
 * channel in the caller's transaction (in-app rows are delivered by being written); `deliverPending`
 * sends the external ones after commit, retrying up to `maxAttempts`.
 */
export class NotifyService implements Notifier {
  private readonly repo = new NotifyRepository();
  private readonly deps: NotifyDeps;
  private readonly channels: Channel[];
  private timer: NodeJS.Timeout | undefined;

  constructor(deps: NotifyDeps) {
    this.deps = deps;
    this.channels = [inAppChannel, ...(deps.channels ?? [])];
  }

  /** Queues the message for every recipient on every channel that has an address for them. */
  async send(trx: Db, recipients: Recipient[], message: Message): Promise<number> {
    const now = this.deps.clock.now();
    const rows = recipients.flatMap((r) =>
      this.channels.flatMap((ch) => {
        const target = ch.target(r);
        if (!target) return [];
        return [
          {
            recipient: r.id,
            channel: ch.name,
            target: ch.deliver ? target : null,
            subject_type: message.subjectType,
            subject_id: message.subjectId,
            jurisdiction_path: message.jurisdictionPath,
            title: message.title,
            body: message.body,
            status: ch.deliver ? 'pending' : 'delivered',
            attempts: ch.deliver ? 0 : 1,
            last_error: null,
            created_at: now,
            delivered_at: ch.deliver ? null : now,
          },
        ];
      }),
    );
    await this.repo.insert(forTables<NotifyTables>(trx), rows);
    return rows.length;
  }

  /** Sends pending external notifications once; returns how many were attempted. */
  async deliverPending(limit = 100): Promise<number> {
    const maxAttempts = this.deps.maxAttempts ?? 5;
    return forTables<NotifyTables>(this.deps.db)
      .transaction()
      .execute(async (trx) => {
        const rows = await this.repo.pending(trx, limit);
        for (const row of rows) {
          const channel = this.channels.find((c) => c.name === row.channel);
          const attempts = row.attempts + 1;
          try {
            if (!channel?.deliver || !row.target) throw new Error(`channel ${row.channel} is not configured`);
            await channel.deliver(row.target, {
              recipient: row.recipient,
              subjectType: row.subject_type,
              subjectId: row.subject_id,
              jurisdictionPath: row.jurisdiction_path,
              title: row.title,
              body: row.body,
            });
            await this.repo.mark(trx, row.id, {
              status: 'delivered',
              attempts,
              last_error: null,
              delivered_at: this.deps.clock.now(),
            });
          } catch (err) {
            const message = err instanceof Error ? err.message : String(err);
            this.deps.logger.warn(
              { id: row.id, channel: row.channel, err: message },
              'notification not delivered',
            );
            await this.repo.mark(trx, row.id, {
              status: attempts >= maxAttempts ? 'failed' : 'pending',
              attempts,
              last_error: message.slice(0, 500),
              delivered_at: null,
            });
          }
        }
        return rows.length;
      });
  }

  /** Delivers pending notifications every `intervalMs` until `stop`. */
  start(intervalMs = 1000): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.deliverPending().catch((err) => this.deps.logger.error({ err }, 'notification delivery failed'));
    }, intervalMs);
    this.timer.unref();
  }

  /** Stops the delivery loop. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Notifications about records in the principal's jurisdiction. */
  async list(principal: Principal, query: NotificationQuery): Promise<NotificationDto[]> {
    const rows = await this.repo.list(forTables<NotifyTables>(this.deps.db), principal, query);
    return rows.map(toNotificationDto);
  }

  /** The in-app inbox of some recipients (e.g. one citizen's reporter ids). */
  async inbox(recipients: string[], limit = 100): Promise<NotificationDto[]> {
    const rows = await this.repo.inbox(forTables<NotifyTables>(this.deps.db), recipients, limit);
    return rows.map(toNotificationDto);
  }
}
