import amqp, { type Channel, type ChannelModel } from 'amqplib';
import {
  type Connector,
  checkQuery,
  type Filter,
  matches,
  type QueryResult,
  type SourceField,
  type SourceHealth,
  type SourceResource,
} from './connector.ts';

/** A queue served as a resource: its JSON messages' fields. */
export interface AmqpQueueResource {
  queue: string;
  fields: SourceField[];
}

/** A RabbitMQ (AMQP 0-9-1) broker and the queues it serves. */
export interface AmqpConnectorOptions {
  id: string;
  /** amqp://user:password@host:port/vhost — never part of an error. */
  url: string;
  queues: Record<string, AmqpQueueResource>;
  /** Most messages one query looks at (default 5,000). */
  maxScan?: number;
  connectTimeoutMs?: number;
}

/**
 * The messages waiting in RabbitMQ queues as resources (amqplib). A query browses a queue: it
 * takes up to `maxScan` messages with basic.get, keeps the JSON ones that pass the filters, and
 * returns every message to the queue (nack with requeue), so reading through the gateway
 * consumes nothing. The broker cannot filter message bodies, so `pushedDown` is 0.
 */
export class AmqpConnector implements Connector {
  readonly kind = 'amqp';
  readonly id: string;
  private readonly options: AmqpConnectorOptions;
  private connection?: Promise<ChannelModel>;

  constructor(options: AmqpConnectorOptions) {
    this.id = options.id;
    this.options = options;
  }

  private connect(): Promise<ChannelModel> {
    if (!this.connection) {
      const pending = amqp.connect(this.options.url, { timeout: this.options.connectTimeoutMs ?? 3000 });
      this.connection = pending;
      pending.then(
        (c) => {
          // A lost connection is reopened by the next call; 'error' must have a listener.
          c.on('error', () => {});
          c.on('close', () => {
            if (this.connection === pending) this.connection = undefined;
          });
        },
        () => {
          if (this.connection === pending) this.connection = undefined;
        },
      );
    }
    return this.connection;
  }

  /** Runs `fn` on a channel of its own, closed afterwards (a failed operation closes a channel anyway). */
  private async withChannel<T>(fn: (ch: Channel) => Promise<T>): Promise<T> {
    const ch = await (await this.connect()).createChannel();
    ch.on('error', () => {});
    try {
      return await fn(ch);
    } finally {
      await ch.close().catch(() => undefined);
    }
  }

  async describe(): Promise<SourceResource[]> {
    const out: SourceResource[] = [];
    for (const [id, r] of Object.entries(this.options.queues)) {
      // checkQueue fails when the queue does not exist: the source is not what was configured.
      await this.withChannel((ch) => ch.checkQueue(r.queue));
      out.push({ id, native: `queue ${r.queue}`, fields: r.fields });
    }
    return out;
  }

  async query(resourceId: string, filters: Filter[], limit: number): Promise<QueryResult> {
    const resources = Object.entries(this.options.queues).map(([id, r]) => ({ id, fields: r.fields }));
    const resource = checkQuery(this.id, resources, resourceId, filters, limit);
    const queue = (this.options.queues[resourceId] as AmqpQueueResource).queue;
    return this.withChannel(async (ch) => {
      const rows: Record<string, unknown>[] = [];
      const maxScan = this.options.maxScan ?? 5000;
      try {
        for (let scanned = 0; scanned < maxScan && rows.length <= limit; scanned++) {
          const msg = await ch.get(queue, { noAck: false });
          if (msg === false) break;
          let body: unknown;
          try {
            body = JSON.parse(msg.content.toString('utf8'));
          } catch {
            continue;
          }
          if (body === null || typeof body !== 'object' || Array.isArray(body)) continue;
          const row: Record<string, unknown> = {};
          for (const f of resource.fields) row[f.name] = (body as Record<string, unknown>)[f.name] ?? null;
          if (matches(row, filters, resource.fields)) rows.push(row);
        }
      } finally {
        // Browse, do not consume: every message taken goes back to the queue.
        ch.nackAll(true);
      }
      return { rows: rows.slice(0, limit), pushedDown: 0, truncated: rows.length > limit };
    });
  }

  async health(): Promise<SourceHealth> {
    const start = performance.now();
    await this.withChannel(async () => undefined);
    return { ok: true, latencyMs: performance.now() - start };
  }

  async close(): Promise<void> {
    const pending = this.connection;
    this.connection = undefined;
    const c = await pending?.catch(() => undefined);
    await c?.close().catch(() => undefined);
  }
}
