import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedBroker } from './broker.ts';
import { connectIngress, type Ingress, type IngressOptions } from './ingress.ts';
import {
  forgetSession,
  memoryLogger,
  publishMany,
  sleep,
  testMosquittoUrl,
  uniqueClientId,
  uniquePrefix,
  waitFor,
} from './testing.ts';

const { logger } = memoryLogger();

interface TestBroker {
  name: string;
  protocolVersion: 4 | 5;
  start(): Promise<{ url: string; close(): Promise<void> }>;
}

const brokers: TestBroker[] = [
  {
    name: 'embedded aedes',
    protocolVersion: 4,
    start: () => startEmbeddedBroker({ port: 0, logger }),
  },
  {
    name: 'mosquitto, MQTT 3.1.1',
    protocolVersion: 4,
    start: async () => ({ url: testMosquittoUrl, close: async () => {} }),
  },
  {
    name: 'mosquitto, MQTT 5',
    protocolVersion: 5,
    start: async () => ({ url: testMosquittoUrl, close: async () => {} }),
  },
];

describe.each(brokers)('connectIngress on $name', ({ protocolVersion, start }) => {
  let broker: { url: string; close(): Promise<void> };
  let topic: string;
  const open: Ingress[] = [];
  const sessions: string[] = [];

  beforeAll(async () => {
    broker = await start();
  });
  afterAll(() => broker.close());
  afterEach(async () => {
    for (const ingress of open.splice(0)) await ingress.close({ drainMs: 0 });
    for (const clientId of sessions.splice(0)) await forgetSession(broker.url, clientId);
  });

  async function ingress(options: Partial<IngressOptions> & Pick<IngressOptions, 'onMessage'>) {
    const clientId = options.clientId ?? uniqueClientId('ingest');
    if (!sessions.includes(clientId)) sessions.push(clientId);
    topic ??= `${uniquePrefix()}/devices/d1/observations`;
    const connected = await connectIngress({
      url: broker.url,
      topics: [topic.replace('/d1/', '/+/')],
      qos: 1,
      protocolVersion,
      logger,
      ...options,
      clientId,
    });
    open.push(connected);
    return connected;
  }

  const seq = (payload: Buffer) => (JSON.parse(payload.toString()) as { seq: number }).seq;

  it('receives every QoS 1 message and acks each only after its handler resolved', async () => {
    topic = `${uniquePrefix()}/devices/d1/observations`;
    const done = new Set<number>();
    const ingest = await ingress({
      onMessage: async (_t, payload) => {
        await sleep(Math.random() * 5); // finish out of order, so in-order acking is exercised
        done.add(seq(payload));
      },
    });
    const seqById = new Map<number, number>();
    const ackedEarly: number[] = [];
    ingest.client.on('packetreceive', (p) => {
      if (p.cmd === 'publish' && p.messageId) seqById.set(p.messageId, seq(p.payload as Buffer));
    });
    ingest.client.on('packetsend', (p) => {
      if (p.cmd !== 'puback') return;
      const s = seqById.get(p.messageId!);
      if (s === undefined || !done.has(s)) ackedEarly.push(p.messageId!);
    });

    await publishMany(broker.url, topic, 500);
    await waitFor(() => ingest.stats().acked === 500, 10_000, '500 acks');
    expect(done.size).toBe(500);
    expect(ackedEarly).toEqual([]);
    expect(ingest.stats()).toMatchObject({ received: 500, handled: 500, failed: 0, acked: 500, inFlight: 0 });
  });

  it('gets the messages published while it was down (persistent session)', async () => {
    topic = `${uniquePrefix()}/devices/d1/observations`;
    const clientId = uniqueClientId('ingest');
    const first = await ingress({ clientId, onMessage: () => {} });
    await first.close();
    await publishMany(broker.url, topic, 100);

    const got = new Set<number>();
    await ingress({ clientId, onMessage: (_t, p) => void got.add(seq(p)) });
    await waitFor(() => got.size === 100, 10_000, 'queued messages');
  });

  it('leaves a message whose handler never completes unacked; the next session gets it again', async () => {
    topic = `${uniquePrefix()}/devices/d1/observations`;
    const clientId = uniqueClientId('ingest');
    const firstDone: number[] = [];
    const first = await ingress({
      clientId,
      onMessage: (_t, p) => {
        if (seq(p) === 1) return new Promise<void>(() => {}); // hangs, like a stuck database write
        firstDone.push(seq(p));
      },
    });
    await publishMany(broker.url, topic, 3);
    await waitFor(() => firstDone.length === 2, 5_000, 'messages 0 and 2');
    await sleep(100);
    // 0 is acked; 2 is handled but waits behind 1, since acks go out in arrival order.
    expect(first.stats()).toMatchObject({ received: 3, handled: 2, acked: 1, inFlight: 1 });
    await first.close({ drainMs: 50 }); // as if the process were killed

    const secondDone: number[] = [];
    const second = await ingress({ clientId, onMessage: (_t, p) => void secondDone.push(seq(p)) });
    await waitFor(() => secondDone.length === 2, 5_000, 'redelivery');
    // Nothing lost: 1 comes back. 2 comes back too (handled, never acked): consumers are idempotent.
    expect(secondDone.sort()).toEqual([1, 2]);
    await sleep(100);
    expect(second.stats()).toMatchObject({ handled: 2, acked: 2 });
  });

  it('counts a throwing handler, keeps running, and has the message redelivered by itself', async () => {
    topic = `${uniquePrefix()}/devices/d1/observations`;
    let failures = 0;
    const done: number[] = [];
    const ingest = await ingress({
      redeliveryDelayMs: 100,
      onMessage: (_t, p) => {
        if (seq(p) === 0 && failures++ === 0) throw new Error('database unavailable');
        done.push(seq(p));
      },
    });
    await publishMany(broker.url, topic, 2);
    await waitFor(() => done.includes(0), 10_000, 'redelivered message 0');
    expect(ingest.stats().failed).toBe(1);
    expect(ingest.stats().connects).toBeGreaterThanOrEqual(2); // the redelivery reconnect
    await waitFor(() => ingest.stats().acked >= 2, 5_000, 'acks after redelivery');
  });

  it('handles at most maxInFlight messages at once', async () => {
    topic = `${uniquePrefix()}/devices/d1/observations`;
    let running = 0;
    let peak = 0;
    const ingest = await ingress({
      maxInFlight: 4,
      onMessage: async () => {
        peak = Math.max(peak, ++running);
        await sleep(2);
        running--;
      },
    });
    await publishMany(broker.url, topic, 200);
    await waitFor(() => ingest.stats().acked === 200, 10_000, '200 acks');
    expect(peak).toBe(4);
  });
});
