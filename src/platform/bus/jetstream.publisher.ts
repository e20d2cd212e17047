import {
  createInbox,
  headers,
  type Msg,
  type NatsConnection,
  type Subscription,
} from '@nats-io/transport-node';

interface Pending {
  resolve: () => void;
  reject: (err: Error) => void;
  deadline: number;
}

/**
 * Publishes to JetStream and waits for each stream ack, with every ack arriving on one
 * wildcard inbox subscription. The client's `js.publish` sets up a request (and a timer) per
 * message, which caps near 20,000 msg/s on a 2-core machine; this runs at the server's pace.
 */
export class AckingPublisher {
  private readonly nc: NatsConnection;
  private readonly inbox = createInbox();
  private readonly pending = new Map<number, Pending>();
  private readonly sub: Subscription;
  private readonly sweeper: NodeJS.Timeout;
  private readonly timeoutMs: number;
  private seq = 0;

  constructor(nc: NatsConnection, timeoutMs = 5_000) {
    this.nc = nc;
    this.timeoutMs = timeoutMs;
    this.sub = nc.subscribe(`${this.inbox}.*`, { callback: (_err, msg) => this.settle(msg) });
    // One sweep for all deadlines instead of one timer per message.
    this.sweeper = setInterval(() => this.expire(), Math.min(500, timeoutMs)).unref();
  }

  /** Resolves when the stream has stored the message (or dropped it as a duplicate of `msgId`). */
  publish(subject: string, data: string, msgId?: string): Promise<void> {
    const seq = ++this.seq;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(seq, { resolve, reject, deadline: Date.now() + this.timeoutMs });
      try {
        let h: ReturnType<typeof headers> | undefined;
        if (msgId) {
          h = headers();
          h.set('Nats-Msg-Id', msgId);
        }
        this.nc.publish(
          subject,
          data,
          h ? { reply: `${this.inbox}.${seq}`, headers: h } : { reply: `${this.inbox}.${seq}` },
        );
      } catch (err) {
        this.pending.delete(seq);
        reject(err as Error);
      }
    });
  }

  /** Fails every waiting publish and stops listening for acks. */
  close(): void {
    clearInterval(this.sweeper);
    this.sub.unsubscribe();
    for (const p of this.pending.values()) p.reject(new Error('publisher closed'));
    this.pending.clear();
  }

  private settle(msg: Msg): void {
    const seq = Number(msg.subject.slice(this.inbox.length + 1));
    const p = this.pending.get(seq);
    if (!p) return;
    this.pending.delete(seq);
    if (msg.headers?.hasError) {
      // 503: no stream listens on the subject (yet), e.g. while a restarted server recovers.
      p.reject(new Error(`JetStream publish failed: ${msg.headers.code} ${msg.headers.description}`));
      return;
    }
    try {
      const ack = msg.json<{ error?: { code: number; description: string } }>();
      if (ack.error)
        p.reject(new Error(`JetStream publish refused: ${ack.error.code} ${ack.error.description}`));
      else p.resolve();
    } catch (err) {
      p.reject(err as Error);
    }
  }

  private expire(): void {
    const now = Date.now();
    for (const [seq, p] of this.pending) {
      if (p.deadline > now) continue;
      this.pending.delete(seq);
      p.reject(new Error('JetStream publish ack timed out'));
    }
  }
}
