import type { Generated } from 'kysely';
import { type Clock, systemClock } from '../clock.ts';
import { type Db, forTables } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import type { PublishOptions } from './bus.types.ts';
import { makeEnvelope } from './envelope.ts';
import type { PayloadIn, SubjectMap, SubjectOf } from './subjects.ts';

/** The outbox table as Kysely sees it. */
export interface OutboxTables {
  bus_outbox: {
    id: string;
    seq: Generated<number>;
    subject: string;
    payload: unknown;
    key: string | null;
    created_at: Date;
    published_at: Date | null;
    last_error: string | null;
  };
}

/** Writes bus messages inside the caller's transaction, so the change and its event commit together. */
export class Outbox<M extends SubjectMap> {
  private readonly subjects: M;
  private readonly clock: Clock;

  constructor(subjects: M, clock: Clock = systemClock) {
    this.subjects = subjects;
    this.clock = clock;
  }

  /** Validates and stores one message in `trx`; returns its id, which becomes the bus message id. */
  async enqueue<S extends SubjectOf<M>>(
    trx: Db,
    subject: S,
    payload: PayloadIn<M, S>,
    options: { key?: string; id?: string } = {},
  ): Promise<string> {
    const e = makeEnvelope(this.subjects, subject, payload, options, () => this.clock.now());
    await forTables<OutboxTables>(trx)
      .insertInto('bus_outbox')
      .values({
        id: e.id,
        subject,
        payload: JSON.stringify(e.payload),
        key: e.key ?? null,
        created_at: new Date(e.occurredAt),
      })
      .execute();
    return e.id;
  }

  /** Validates and stores several messages in `trx` with one statement; returns their ids in order. */
  async enqueueMany<S extends SubjectOf<M>>(
    trx: Db,
    messages: readonly { subject: S; payload: PayloadIn<M, S>; key?: string; id?: string }[],
  ): Promise<string[]> {
    if (messages.length === 0) return [];
    const rows = messages.map((m) => {
      const e = makeEnvelope(this.subjects, m.subject, m.payload, m, () => this.clock.now());
      return {
        id: e.id,
        subject: m.subject,
        payload: JSON.stringify(e.payload),
        key: e.key ?? null,
        created_at: new Date(e.occurredAt),
      };
    });
    await forTables<OutboxTables>(trx).insertInto('bus_outbox').values(rows).execute();
    return rows.map((r) => r.id);
  }
}

/** The part of a bus the relay uses; any `Bus<M>` fits. */
export interface OutboxPublisher {
  readonly subjects: SubjectMap;
  publishBatch(
    messages: readonly ({ subject: string; payload: unknown } & PublishOptions)[],
  ): Promise<unknown>;
}

/** What the relay works with. */
export interface RelayOptions {
  db: Db;
  bus: OutboxPublisher;
  logger: Logger;
  clock?: Clock;
  /** Rows per transaction. Default 500. */
  batchSize?: number;
  /** Pause when nothing was pending. Default 200 ms. */
  idleMs?: number;
}

/**
 * Publishes pending outbox rows in order and marks them. Publish first, mark after: a crash in
 * between re-publishes the same ids, which JetStream drops as duplicates and consumers ignore.
 * `FOR UPDATE SKIP LOCKED` lets several relays run; each row goes out in one relay's batch.
 */
export class OutboxRelay {
  private readonly options: Required<Omit<RelayOptions, 'clock'>> & { clock: Clock };
  private loop: Promise<void> | undefined;
  private running = false;
  private woken = false;
  private wakeUp: (() => void) | undefined;

  constructor(options: RelayOptions) {
    this.options = { batchSize: 500, idleMs: 200, clock: systemClock, ...options };
  }

  /** Publishes one batch of pending rows; returns how many rows it handled. */
  async runOnce(): Promise<number> {
    const { db, bus, batchSize, clock, logger } = this.options;
    return forTables<OutboxTables>(db)
      .transaction()
      .execute(async (trx) => {
        const rows = await trx
          .selectFrom('bus_outbox')
          .selectAll()
          .where('published_at', 'is', null)
          .where('last_error', 'is', null)
          .orderBy('seq')
          .limit(batchSize)
          .forUpdate()
          .skipLocked()
          .execute();
        if (rows.length === 0) return 0;
        const good: typeof rows = [];
        for (const row of rows) {
          const problem = checkRow(bus.subjects, row.subject, row.payload);
          if (!problem) {
            good.push(row);
            continue;
          }
          // One unpublishable row must not block the rows behind it forever.
          logger.error({ id: row.id, subject: row.subject, problem }, 'outbox row cannot be published');
          await trx.updateTable('bus_outbox').set({ last_error: problem }).where('id', '=', row.id).execute();
        }
        if (good.length > 0) {
          await bus.publishBatch(
            good.map((r) => ({
              subject: r.subject,
              payload: r.payload,
              id: r.id,
              occurredAt: r.created_at,
              ...(r.key === null ? {} : { key: r.key }),
            })),
          );
          const ids = good.map((r) => r.id);
          await trx
            .updateTable('bus_outbox')
            .set({ published_at: clock.now() })
            .where('id', 'in', ids)
            .execute();
        }
        return rows.length;
      });
  }

  /** Publishes until nothing is pending; returns the number of rows handled. */
  async drain(): Promise<number> {
    let total = 0;
    for (let n = await this.runOnce(); n > 0; n = await this.runOnce()) total += n;
    return total;
  }

  /** Runs in the background until `stop`; errors (e.g. bus down) are logged and retried. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const n = await this.runOnce().catch((err) => {
          this.options.logger.error({ err }, 'outbox relay failed; will retry');
          return 0;
        });
        if (n < this.options.batchSize && !this.woken) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, this.options.idleMs);
            this.wakeUp = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
        this.wakeUp = undefined;
        this.woken = false;
      }
    })();
  }

  /**
   * Publishes pending rows now rather than after the idle pause: call it after committing a
   * transaction that enqueued something latency matters for. Cheap; wakes at most one run.
   */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Stops the background loop after its current batch. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  /** Deletes rows published before `before`; returns how many. */
  async prune(before: Date): Promise<number> {
    const result = await forTables<OutboxTables>(this.options.db)
      .deleteFrom('bus_outbox')
      .where('published_at', '<', before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function checkRow(subjects: SubjectMap, subject: string, payload: unknown): string | undefined {
  try {
    makeEnvelope(subjects, subject, payload, {}, () => new Date());
    return undefined;
  } catch (err) {
    const issues = (err as { details?: { issues?: unknown } }).details?.issues;
    return `${err instanceof Error ? err.message : String(err)}${issues ? `: ${JSON.stringify(issues)}` : ''}`;
  }
}
