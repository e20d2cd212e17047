/** One message being handled: settle it once its outcome is known, release its slot when its work has stopped. */
export interface Ticket {
  /** Records the outcome; a success may now be acknowledged (in arrival order), a failure never is. */
  settle(ok: boolean): void;
  /** Frees the in-flight slot. Separate from settle: a timed-out handler still holds resources. */
  release(): void;
}

interface Entry {
  messageId: number;
  state: 'pending' | 'ok' | 'failed';
}

/**
 * Bounds how many messages are being handled or waiting for their ack at once, and sends
 * PUBACKs strictly in arrival order, as MQTT requires of a receiver (MQTT-4.6.0-2). A failed
 * message stays at the head, unacknowledged, so it and everything after it is redelivered
 * when the session reconnects.
 */
export class AckWindow {
  private inFlight = 0;
  private waiting: Array<() => void> = [];
  private queue: Entry[] = [];
  private readonly limit: number;
  private readonly sendAck: (messageId: number) => void;

  constructor(limit: number, sendAck: (messageId: number) => void) {
    this.limit = Math.max(1, limit);
    this.sendAck = sendAck;
  }

  /** Messages whose handler is still running. */
  get size(): number {
    return this.inFlight;
  }

  /** QoS 1 messages received on this connection and not yet acknowledged. */
  get unacked(): number {
    return this.queue.length;
  }

  /** Calls `start` now if a slot is free, else once one frees up (in arrival order). */
  whenFree(start: () => void): void {
    if (this.hasRoom() && this.waiting.length === 0) start();
    else this.waiting.push(start);
  }

  /** Takes a slot for a message; `messageId` is given for QoS 1 messages, which need a PUBACK. */
  begin(messageId?: number): Ticket {
    this.inFlight++;
    const entry: Entry | undefined = messageId === undefined ? undefined : { messageId, state: 'pending' };
    if (entry) this.queue.push(entry);
    let released = false;
    return {
      settle: (ok) => {
        if (entry?.state !== 'pending') return;
        entry.state = ok ? 'ok' : 'failed';
        this.flush();
      },
      release: () => {
        if (released) return;
        released = true;
        this.inFlight--;
        this.drainWaiting();
      },
    };
  }

  /**
   * Forgets every unacknowledged message: the connection that delivered them is gone, and their
   * packet ids mean nothing (or something else) on the next one. The broker redelivers them.
   */
  reset(): void {
    this.queue = [];
    this.drainWaiting();
  }

  // Handled-but-unacked messages count too: behind a slow head they would otherwise pile up
  // without bound, and every one of them is a duplicate if the process dies.
  private hasRoom(): boolean {
    return this.inFlight < this.limit && this.queue.length < this.limit;
  }

  private flush(): void {
    let acked = false;
    while (this.queue[0]?.state === 'ok') {
      this.sendAck(this.queue.shift()!.messageId);
      acked = true;
    }
    if (acked) this.drainWaiting();
  }

  private drainWaiting(): void {
    // A waiter may decline its slot (its connection is gone), so keep going while slots are free.
    while (this.hasRoom() && this.waiting.length > 0) this.waiting.shift()!();
  }
}
