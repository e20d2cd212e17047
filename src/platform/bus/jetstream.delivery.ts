import type { JsMsg } from '@nats-io/jetstream';
import type { Delivery } from './dispatch.ts';

/**
 * Sends acks in bursts: handlers finish on separate microtasks, and the client flushes its
 * socket on each, so acking one by one costs a socket write per message. Queued acks go out
 * together on the next turn of the event loop (one write).
 */
export class AckBatcher {
  private queue: (() => void)[] = [];
  private scheduled = false;

  /** Queues an ack (or nak/term) to send with the next burst. */
  add(send: () => void): void {
    this.queue.push(send);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Sends everything queued now. */
  flush(): void {
    this.scheduled = false;
    const queue = this.queue;
    this.queue = [];
    for (const send of queue) send();
  }
}

/** A JetStream message as a Delivery; a class, not closures, since one is made per message. */
export class JsDelivery implements Delivery {
  readonly subject: string;
  readonly attempt: number;
  private readonly m: JsMsg;
  private readonly acks: AckBatcher;

  constructor(m: JsMsg, subject: string, acks: AckBatcher) {
    this.m = m;
    this.subject = subject;
    this.attempt = m.info.deliveryCount;
    this.acks = acks;
  }

  body(): unknown {
    return JSON.parse(this.m.string());
  }

  text(): string {
    return this.m.string();
  }

  ack(): void {
    this.acks.add(() => this.m.ack());
  }

  retry(delayMs: number): void {
    this.acks.add(() => this.m.nak(delayMs));
  }

  terminate(reason: string): void {
    this.acks.add(() => this.m.term(reason));
  }
}
