import { connect as tcpConnect } from 'node:net';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedBroker } from './broker.ts';
import { PacketSizeGuard } from './packet-guard.ts';
import { memoryLogger, sleep, uniqueClientId } from './testing.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe('embedded broker: take in before PUBACK', () => {
  it('sends the PUBACK only once onPublish resolved', async () => {
    let release!: () => void;
    const taken: string[] = [];
    const broker = await startEmbeddedBroker({
      port: 0,
      ...memoryLogger(),
      onPublish: async (_client, _topic, payload) => {
        await new Promise<void>((r) => {
          release = r;
        });
        taken.push(payload.toString());
      },
    });
    cleanups.push(() => broker.close());
    const client = await mqtt.connectAsync(broker.url, {
      clientId: uniqueClientId('pub'),
      reconnectPeriod: 0,
    });
    cleanups.push(() => client.endAsync(true));
    let acked = false;
    const publishing = client.publishAsync('t/1', 'hello', { qos: 1 }).then(() => {
      acked = true;
    });
    await sleep(300);
    expect(acked).toBe(false); // held while the hook is storing
    release();
    await publishing;
    expect(taken).toEqual(['hello']);
  });

  it('sends no PUBACK and closes the connection when onPublish fails (the device resends)', async () => {
    const broker = await startEmbeddedBroker({
      port: 0,
      ...memoryLogger(),
      onPublish: async () => {
        throw new Error('database down');
      },
    });
    cleanups.push(() => broker.close());
    const client = await mqtt.connectAsync(broker.url, {
      clientId: uniqueClientId('pub'),
      reconnectPeriod: 0,
    });
    cleanups.push(() => client.endAsync(true));
    let acked = false;
    void client.publishAsync('t/1', 'x', { qos: 1 }).then(
      () => {
        acked = true;
      },
      () => {},
    );
    await new Promise<void>((r) => client.once('close', () => r()));
    expect(acked).toBe(false);
  });
});

describe('embedded broker: packet size limit', () => {
  it('follows MQTT framing across chunk boundaries', () => {
    const guard = new PacketSizeGuard(100);
    // PINGREQ (0 length), then a PUBLISH of 100 bytes split over chunks.
    expect(guard.feed(Uint8Array.from([0xc0, 0x00, 0x30]))).toBe(true);
    expect(guard.feed(Uint8Array.from([100]))).toBe(true);
    expect(guard.feed(new Uint8Array(60))).toBe(true);
    expect(guard.feed(new Uint8Array(40))).toBe(true);
    // 101 bytes announced in a two-byte length (0xe5 0x00 would be 101 too, as a non-minimal encoding).
    expect(guard.feed(Uint8Array.from([0x30, 101]))).toBe(false);
    const big = new PacketSizeGuard(1_000_000);
    expect(big.feed(Uint8Array.from([0x30, 0xff, 0xff, 0xff, 0x7f]))).toBe(false); // 256 MB
  });

  it('closes a connection whose packet announces more than the limit, before reading it', async () => {
    const { logger, lines } = memoryLogger();
    const sizes: number[] = [];
    const broker = await startEmbeddedBroker({
      port: 0,
      logger,
      maxPacketBytes: 10_000,
      onPublish: async (_c, _t, payload) => {
        sizes.push(payload.length);
      },
    });
    cleanups.push(() => broker.close());
    const client = await mqtt.connectAsync(broker.url, {
      clientId: uniqueClientId('big'),
      reconnectPeriod: 0,
    });
    cleanups.push(() => client.endAsync(true));
    await client.publishAsync('t/1', Buffer.alloc(5_000), { qos: 1 });
    const closed = new Promise<void>((r) => client.once('close', () => r()));
    void client.publishAsync('t/1', Buffer.alloc(50_000), { qos: 1 }).catch(() => {});
    await closed;
    expect(sizes).toEqual([5_000]);
    expect(lines.some((l) => l.msg === 'mqtt packet over the size limit; connection closed')).toBe(true);

    // A raw client announcing 256 MB is cut off after the header, the broker holding nothing.
    const raw = tcpConnect(broker.port, '127.0.0.1');
    await new Promise<void>((r) => raw.once('connect', () => r()));
    const rawClosed = new Promise<void>((r) => raw.once('close', () => r()));
    raw.on('error', () => {});
    raw.write(Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f, 0, 4]));
    await rawClosed;
  });
});
