import { Counter } from 'prom-client';
import type { Principal } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import { type Db, forTables } from '../../platform/db/database.ts';
import { metricsRegistry } from '../../platform/http/metrics.ts';
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
  /** A delivery still running after this long counts as a failed attempt (ms, default 30,000). */
  deliverTimeoutMs?: number;
}

/** External delivery attempts by channel and outcome (delivered, retry, failed). */
export const deliveryCounter = new Counter({
  name: 'citybrain_notify_deliveries_total',
  help: 'External notification delivery attempts by channel and outcome: delivered, retry (will be tried again), failed (out of attempts)',
  labelNames: ['channel', 'outcome'],
  registers: [metricsRegistry],
});

/** Longest error kept in `last_error`. */
const MAX_ERROR_CHARS = 500;

/** Text PostgreSQL accepts: lone surrogates → U+FFFD, NUL removed (a gateway's error text may hold either). */
function storable(text: string): string {
  return text.toWellFormed().replaceAll('\u0000', '');
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
            title: storable(message.title),
            body: storable(message.body),
            code: message.code ?? null,
            params: message.params ?? null,
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
            const delivery = channel.deliver(row.target, {
              recipient: row.recipient,
              subjectType: row.subject_type,
              subjectId: row.subject_id,
              jurisdictionPath: row.jurisdiction_path,
              title: row.title,
              body: row.body,
            });
            // A gateway that never answers must not hold this batch (and its row locks) forever.
            await withTimeout(delivery, this.deps.deliverTimeoutMs ?? 30_000);
            await this.repo.mark(trx, row.id, {
              status: 'delivered',
              attempts,
              last_error: null,
              delivered_at: this.deps.clock.now(),
            });
            deliveryCounter.inc({ channel: row.channel, outcome: 'delivered' });
          } catch (err) {
            const message = storable(
              (err instanceof Error ? err.message : String(err)).slice(0, MAX_ERROR_CHARS),
            );
            const failed = attempts >= maxAttempts;
            this.deps.logger.warn(
              { id: row.id, channel: row.channel, err: message },
              'notification not delivered',
            );
            await this.repo.mark(trx, row.id, {
              status: failed ? 'failed' : 'pending',
              attempts,
              last_error: message,
              delivered_at: null,
            });
            deliveryCounter.inc({ channel: row.channel, outcome: failed ? 'failed' : 'retry' });
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

/** Rejects when `promise` has not settled within `ms`. */
async function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`delivery timed out after ${ms} ms`)), ms);
  });
  try {
    await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
