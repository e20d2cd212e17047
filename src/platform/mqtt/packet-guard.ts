import type { Socket } from 'node:net';
import type { Logger } from '../logger.ts';

/**
 * Follows the MQTT framing of a byte stream (fixed header byte, then the variable-length
 * "remaining length") and says when a packet announces more than `maxBytes`. It only skips
 * bodies; it never buffers, so it costs nothing per byte of payload.
 */
export class PacketSizeGuard {
  private readonly maxBytes: number;
  private state: 'header' | 'length' | 'body' = 'header';
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private remaining = 0;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  /** Feeds the next bytes of the stream; false once a packet is over the limit (or its length is malformed). */
  feed(chunk: Uint8Array): boolean {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'body') {
        const skip = Math.min(this.remaining, chunk.length - i);
        i += skip;
        this.remaining -= skip;
        if (this.remaining === 0) this.state = 'header';
        continue;
      }
      const b = chunk[i++]!;
      if (this.state === 'header') {
        this.state = 'length';
        this.length = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
        continue;
      }
      this.length += (b & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      this.lengthBytes++;
      if (this.length > this.maxBytes) return false;
      if (b & 0x80) {
        if (this.lengthBytes === 4) return false; // MQTT allows at most 4 length bytes
        continue;
      }
      this.remaining = this.length;
      this.state = this.remaining === 0 ? 'header' : 'body';
    }
    return true;
  }
}

/**
 * Closes a connection as soon as a packet on it announces more than `maxBytes` (fixed header
 * included or not, the remaining length is what counts), before the broker buffers it: Aedes has
 * no packet size limit and its parser would hold the whole packet in memory. Aedes reads the
 * socket with `read()` (paused mode), so the check wraps `read` and sees every chunk first.
 */
export function guardPacketSize(socket: Socket, maxBytes: number, logger: Logger): void {
  const guard = new PacketSizeGuard(maxBytes);
  const read = socket.read.bind(socket);
  socket.read = (size?: number) => {
    const chunk = read(size) as Buffer | string | null;
    if (chunk === null || socket.destroyed) return chunk;
    if (guard.feed(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)) return chunk;
    logger.warn(
      { remoteAddress: socket.remoteAddress, maxBytes },
      'mqtt packet over the size limit; connection closed',
    );
    socket.destroy();
    return null;
  };
}
