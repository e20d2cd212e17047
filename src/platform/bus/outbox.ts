import type { Generated, Kysely, Selectable } from 'kysely';
import { Counter, type Registry } from 'prom-client';
import { type Clock, systemClock } from '../clock.ts';
import { type Db, forTables } from '../db/database.ts';
import { metricsRegistry } from '../http/metrics.ts';
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
    attempts: Generated<number>;
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
  /** Publishes the bus refused for a row alone before it is set aside (`last_error`). Default 5. */
  maxAttempts?: number;
  /** Prometheus registry for `citybrain_bus_outbox_rows_total` (default the process registry). */
  registry?: Registry;
}

/**
 * Publishes pending outbox rows in order and marks them. Publish first, mark after: a crash in
 * between re-publishes the same ids, which JetStream drops as duplicates and consumers ignore.
 * `FOR UPDATE SKIP LOCKED` lets several relays run; each row goes out in one relay's batch.
 */
export class OutboxRelay {
  private readonly options: Required<Omit<RelayOptions, 'clock' | 'registry'>> & { clock: Clock };
  private readonly counter: Counter<'outcome'>;
  private loop: Promise<void> | undefined;
  private running = false;
  private woken = false;
  private wakeUp: (() => void) | undefined;

  constructor(options: RelayOptions) {
    this.options = { batchSize: 500, idleMs: 200, maxAttempts: 5, clock: systemClock, ...options };
    this.counter = outboxCounter(options.registry ?? metricsRegistry);
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
          await trx
            .updateTable('bus_outbox')
            .set({ last_error: bounded(problem) })
            .where('id', '=', row.id)
            .execute();
          this.counter.inc({ outcome: 'dead' });
        }
        const published = await this.publish(trx, good);
        if (published.length > 0) {
          await trx
            .updateTable('bus_outbox')
            .set({ published_at: clock.now() })
            .where(
              'id',
              'in',
              published.map((r) => r.id),
            )
            .execute();
          this.counter.inc({ outcome: 'published' }, published.length);
        }
        return rows.length;
      });
  }

  /**
   * Publishes the rows; returns those the bus took. When the batch is refused, each row is
   * tried alone: if some go through, the others were refused for themselves — each such
   * refusal counts an attempt, and at `maxAttempts` the row is set aside with the reason. If
   * none goes through the bus itself is failing (down, disconnected): nothing is counted and
   * the error propagates, so the whole batch is retried later.
   */
  private async publish(trx: Kysely<OutboxTables>, rows: OutboxRow[]): Promise<OutboxRow[]> {
    if (rows.length === 0) return [];
    try {
      await this.options.bus.publishBatch(rows.map(toMessage));
      return rows;
    } catch (err) {
      if (rows.length === 1) throw err;
      const ok: OutboxRow[] = [];
      const refused: { row: OutboxRow; error: string }[] = [];
      for (const row of rows) {
        try {
          await this.options.bus.publishBatch([toMessage(row)]);
          ok.push(row);
        } catch (rowErr) {
          refused.push({ row, error: rowErr instanceof Error ? rowErr.message : String(rowErr) });
        }
      }
      if (ok.length === 0) throw err;
      for (const { row, error } of refused) await this.refused(trx, row, error);
      return ok;
    }
  }

  /** Counts one refusal of a row; past `maxAttempts` sets it aside (`last_error`) for good. */
  private async refused(trx: Kysely<OutboxTables>, row: OutboxRow, error: string): Promise<void> {
    const attempts = row.attempts + 1;
    const dead = attempts >= this.options.maxAttempts;
    await trx
      .updateTable('bus_outbox')
      .set({
        attempts,
        ...(dead ? { last_error: bounded(`publish refused ${attempts} times: ${error}`) } : {}),
      })
      .where('id', '=', row.id)
      .execute();
    this.counter.inc({ outcome: dead ? 'dead' : 'retried' });
    const log = { id: row.id, subject: row.subject, attempts, err: error };
    if (dead) this.options.logger.error(log, 'outbox row set aside: the bus refused it');
    else this.options.logger.warn(log, 'outbox row refused by the bus; will retry');
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
      let failures = 0;
      while (this.running) {
        const n = await this.runOnce().then(
          (handled) => {
            failures = 0;
            return handled;
          },
          (err) => {
            failures++;
            this.options.logger.error({ err, failures }, 'outbox relay failed; will retry');
            return 0;
          },
        );
        if (n < this.options.batchSize && !this.woken) {
          // Back off while the bus or database keeps failing (to 32 × idleMs), so an outage is not a log flood.
          const pause = this.options.idleMs * 2 ** Math.min(failures, 5);
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, pause);
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

type OutboxRow = Selectable<OutboxTables['bus_outbox']>;

function toMessage(r: OutboxRow) {
  return {
    subject: r.subject,
    payload: r.payload,
    id: r.id,
    occurredAt: r.created_at,
    ...(r.key === null ? {} : { key: r.key }),
  };
}

/** Longest reason kept in `last_error`. */
const MAX_ERROR_CHARS = 1_000;

function bounded(text: string): string {
  return text.length <= MAX_ERROR_CHARS ? text : `${text.slice(0, MAX_ERROR_CHARS)}…`;
}

const OUTBOX_METRIC = 'citybrain_bus_outbox_rows_total';

/** The relay's counter; relays sharing a registry share it. */
function outboxCounter(registry: Registry): Counter<'outcome'> {
  return (
    (registry.getSingleMetric(OUTBOX_METRIC) as Counter<'outcome'> | undefined) ??
    new Counter({
      name: OUTBOX_METRIC,
      help: 'Outbox rows by outcome: published, retried (refused by the bus alone, will retry), dead (set aside with last_error)',
      labelNames: ['outcome'],
      registers: [registry],
    })
  );
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
