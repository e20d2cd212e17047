import type { Logger } from '../logger.ts';
import type { DeadLetter, DeadLetterReason, Envelope } from './bus.types.ts';
import { decodeEnvelope } from './envelope.ts';
import type { BusMetrics } from './metrics.ts';
import type { SubjectMap } from './subjects.ts';

/** One message as a transport hands it over, with the transport's ack operations. */
export interface Delivery {
  /** Subject it travelled on, without the stream prefix. */
  readonly subject: string;
  readonly attempt: number;
  /** The JSON-decoded body; throws when the body is not JSON. */
  body(): unknown;
  /** The body as text, kept in dead letters that could not be decoded. */
  text(): string;
  ack(): void;
  /** Hands the message back for redelivery after `delayMs`. */
  retry(delayMs: number): void;
  /** Tells the transport never to deliver it again (after it was dead-lettered). */
  terminate(reason: string): void;
}

/** What a dispatcher needs from the bus that owns it. */
export interface DispatchContext {
  subjects: SubjectMap;
  group: string;
  logger: Logger;
  metrics: BusMetrics;
  maxAttempts: number;
  backoffMs: number;
  maxBackoffMs: number;
  now: () => Date;
  /** Keeps or announces a dead letter; throws when it could not, so the message is retried instead. */
  deadLetter(letter: DeadLetter): Promise<void>;
}

/** A decoded message waiting for, or running in, a handler. */
export interface Item {
  delivery: Delivery;
  envelope: Envelope;
}

/**
 * The part shared by single and batch dispatch: decoding, failure handling with backoff,
 * dead-lettering, and waiting for running work on stop. Nothing here throws to the
 * transport: a failing handler or a bad message must never stop the bus.
 */
export abstract class Dispatcher {
  protected readonly ctx: DispatchContext;
  /** Called when work finished and there may be room again (the in-process bus pumps then). */
  onRoom: (() => void) | undefined;
  protected stopped = false;
  protected running = 0;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(ctx: DispatchContext) {
    this.ctx = ctx;
  }

  /** How many more messages it takes before they start to queue. */
  abstract room(): number;

  /** Takes a message; its outcome (ack, retry, dead letter) is reported to the delivery. */
  push(delivery: Delivery): void {
    // A message still on its way when the subscription stopped goes straight back to the group.
    if (this.stopped) {
      delivery.retry(0);
      return;
    }
    const item = this.decode(delivery);
    if (item) this.accept(item);
  }

  /**
   * Stops taking work; resolves with the messages that never started once running work is
   * done, or after `graceMs`: a hung handler must not hang shutdown (its message is redelivered).
   */
  async stop(graceMs = 10_000): Promise<Delivery[]> {
    this.stopped = true;
    const unstarted = this.takeUnstarted();
    if (this.running > 0) {
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          this.ctx.logger.warn(
            { group: this.ctx.group, running: this.running },
            'bus stop abandoned running handlers',
          );
          resolve();
        }, graceMs);
      });
      await Promise.race([idle, grace]);
      clearTimeout(timer);
    }
    return unstarted;
  }

  protected abstract accept(item: Item): void;
  protected abstract takeUnstarted(): Delivery[];

  /** Marks work started; pair with `finished`. */
  protected started(n = 1): void {
    this.running += n;
  }

  protected finished(n = 1): void {
    this.running -= n;
    if (this.running === 0 && this.stopped) for (const wake of this.idleWaiters.splice(0)) wake();
    if (!this.stopped) this.onRoom?.();
  }

  protected succeeded(item: Item): void {
    item.delivery.ack();
    this.ctx.metrics.inc('acked', this.ctx.group);
  }

  /** A handler threw: retry with exponential backoff, or dead-letter after the last attempt. */
  protected async failed(item: Item, error: unknown): Promise<void> {
    const { delivery } = item;
    const message = error instanceof Error ? error.message : String(error);
    if (delivery.attempt >= this.ctx.maxAttempts) {
      await this.deadLetter(delivery, 'handler_failed', message, item.envelope);
      return;
    }
    this.ctx.metrics.inc('retried', this.ctx.group);
    this.ctx.logger.debug(
      {
        group: this.ctx.group,
        subject: delivery.subject,
        id: item.envelope.id,
        attempt: delivery.attempt,
        err: message,
      },
      'bus handler failed; will retry',
    );
    delivery.retry(this.backoff(delivery.attempt));
  }

  /** Jittered exponential backoff, so a burst of failures does not come back as one burst. */
  protected backoff(attempt: number): number {
    const base = Math.min(this.ctx.maxBackoffMs, this.ctx.backoffMs * 2 ** (attempt - 1));
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  private decode(delivery: Delivery): Item | undefined {
    this.ctx.metrics.inc('delivered', this.ctx.group);
    let body: unknown;
    try {
      body = delivery.body();
    } catch (err) {
      void this.deadLetter(delivery, 'invalid_message', `body is not JSON: ${(err as Error).message}`);
      return undefined;
    }
    const decoded = decodeEnvelope(this.ctx.subjects, body, delivery.subject);
    if (decoded.ok) return { delivery, envelope: decoded.envelope };
    void this.deadLetter(delivery, decoded.reason, decoded.error, undefined, body);
    return undefined;
  }

  private async deadLetter(
    delivery: Delivery,
    reason: DeadLetterReason,
    error: string,
    envelope?: Envelope,
    body?: unknown,
  ): Promise<void> {
    this.started();
    const letter: DeadLetter = {
      group: this.ctx.group,
      reason,
      error: bounded(error, MAX_ERROR_CHARS),
      attempts: delivery.attempt,
      subject: delivery.subject,
      at: this.ctx.now().toISOString(),
    };
    if (envelope) letter.envelope = envelope;
    else letter.raw = bounded(body === undefined ? delivery.text() : safeJson(body), MAX_RAW_CHARS);
    try {
      await this.ctx.deadLetter(letter);
      delivery.terminate(reason);
      this.ctx.metrics.inc('deadLettered', this.ctx.group);
      this.ctx.logger.warn({ ...letter, envelope: undefined, id: envelope?.id }, 'bus message dead-lettered');
    } catch (err) {
      // Could not keep the dead letter: hand the message back rather than lose it.
      this.ctx.logger.error({ err, group: this.ctx.group }, 'bus dead letter not stored; will retry');
      delivery.retry(this.backoff(delivery.attempt));
    } finally {
      this.finished();
    }
  }
}

/** Longest error message kept in a dead letter. */
export const MAX_ERROR_CHARS = 1_000;
/** Longest excerpt of an undecodable body kept in a dead letter (the log and the dead-letter stream). */
export const MAX_RAW_CHARS = 4_096;

function bounded(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} chars)`;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
