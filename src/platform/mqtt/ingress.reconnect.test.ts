import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedBroker } from './broker.ts';
import { connectIngress, type Ingress } from './ingress.ts';
import {
  freePort,
  memoryLogger,
  publishMany,
  sleep,
  startThrowawayMosquitto,
  uniqueClientId,
  uniquePrefix,
  waitFor,
} from './testing.ts';

const { logger } = memoryLogger();
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** A broker the test can take down and bring back on the same port. */
interface Restartable {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

async function ownMosquitto(): Promise<Restartable> {
  const broker = await startThrowawayMosquitto();
  cleanups.push(() => broker.dispose());
  return broker;
}

async function ownAedes(): Promise<Restartable> {
  let broker = await startEmbeddedBroker({ port: 0, logger });
  const port = broker.port;
  cleanups.push(() => broker.close());
  return {
    url: broker.url,
    stop: () => broker.close(),
    async start() {
      broker = await startEmbeddedBroker({ port, logger });
      expect(broker.port).toBe(port);
    },
  };
}

describe.each([
  { name: 'its own Mosquitto process', make: ownMosquitto },
  { name: 'an embedded Aedes', make: ownAedes },
])('connectIngress when $name goes away and comes back', ({ make }) => {
  it('reconnects, resubscribes and resumes receiving by itself', async () => {
    const broker = await make();
    const topic = `${uniquePrefix()}/devices/d1/observations`;
    const got = new Set<number>();
    const ingest: Ingress = await connectIngress({
      url: broker.url,
      clientId: uniqueClientId('ingest'),
      topics: [topic],
      qos: 1,
      reconnectPeriodMs: 100,
      logger,
      onMessage: (_t, p) => void got.add(JSON.parse(p.toString()).seq),
    });
    cleanups.push(() => ingest.close({ drainMs: 0 }));

    await publishMany(broker.url, topic, 10, 0);
    await waitFor(() => got.size === 10, 5_000, 'first batch');

    await broker.stop();
    await sleep(500); // several failed attempts while it is down
    expect(ingest.client.connected).toBe(false);
    await broker.start();
    await waitFor(() => ingest.stats().connects === 2, 10_000, 'reconnect');

    // Both brokers here keep no sessions across restarts, so this only arrives if the
    // ingress subscribed again on its own.
    await publishMany(broker.url, topic, 10, 10);
    await waitFor(() => got.size === 20, 5_000, 'second batch');
    expect(ingest.stats()).toMatchObject({ failed: 0, acked: 20 });
  });
});

describe('connectIngress at start', () => {
  it('fails fast when no broker listens, instead of retrying forever', async () => {
    const port = await freePort();
    await expect(
      connectIngress({
        url: `mqtt://127.0.0.1:${port}`,
        clientId: uniqueClientId('ingest'),
        topics: ['x'],
        qos: 1,
        logger,
        onMessage: () => {},
      }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });
});
