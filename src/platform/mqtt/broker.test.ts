import { createServer } from 'node:net';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedBroker } from './broker.ts';
import { connectIngress } from './ingress.ts';
import { memoryLogger, sleep, uniqueClientId, waitFor } from './testing.ts';
import { observationTopic, ownObservationsOnly } from './topics.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe('startEmbeddedBroker port fallback', () => {
  it('listens elsewhere when the requested port is taken, and says so', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise((r) => blocker.close(r)));
    const taken = (blocker.address() as { port: number }).port;

    const { logger, lines } = memoryLogger();
    const broker = await startEmbeddedBroker({ port: taken, logger });
    cleanups.push(() => broker.close());

    expect(broker.requestedPort).toBe(taken);
    expect(broker.port).not.toBe(taken);
    expect(broker.url).toBe(`mqtt://127.0.0.1:${broker.port}`);
    expect(
      lines.some((l) => l.msg === `MQTT port ${taken} is in use; listening on ${broker.port} instead`),
    ).toBe(true);
    // And it really serves MQTT there.
    const client = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    await client.endAsync();
  });

  it('falls back from 1883 when the machine broker holds it', async () => {
    const { logger } = memoryLogger();
    const broker = await startEmbeddedBroker({ logger });
    cleanups.push(() => broker.close());
    expect(broker.requestedPort).toBe(1883);
    // Either 1883 was free (no system Mosquitto) or we moved; both are fine, a crash is not.
    if (broker.port !== 1883) expect(broker.port).toBeGreaterThan(0);
  });

  it('frees its port on close', async () => {
    const { logger } = memoryLogger();
    const broker = await startEmbeddedBroker({ port: 0, logger });
    await broker.close();
    const again = await startEmbeddedBroker({ port: broker.port, logger });
    cleanups.push(() => again.close());
    expect(again.port).toBe(broker.port);
  });
});

describe('startEmbeddedBroker device auth', () => {
  const secrets: Record<string, string> = { 'dev-a': 'secret-a', 'dev-b': 'secret-b' };

  async function secured() {
    const { logger, lines } = memoryLogger();
    const broker = await startEmbeddedBroker({
      port: 0,
      logger,
      authenticate: async (clientId, _username, password) => secrets[clientId] === password,
      // Each device only publishes to its own observation topic; the client id is its verified identity.
      authorizePublish: ownObservationsOnly,
    });
    cleanups.push(() => broker.close());
    return { broker, lines };
  }

  it('rejects bad credentials at CONNECT', async () => {
    const { broker } = await secured();
    const options = { clientId: 'dev-a', username: 'dev-a', reconnectPeriod: 0 };
    await expect(mqtt.connectAsync(broker.url, { ...options, password: 'wrong' })).rejects.toThrow(
      /Bad username or password/,
    );
    await expect(
      mqtt.connectAsync(broker.url, { ...options, clientId: 'dev-x', password: 'x' }),
    ).rejects.toThrow(/Bad username or password/);
    const ok = await mqtt.connectAsync(broker.url, { ...options, password: 'secret-a' });
    await ok.endAsync();
  });

  it("refuses a device publishing to another device's topic, delivers its own", async () => {
    const { broker, lines } = await secured();
    const received: string[] = [];
    const watcher = await mqtt.connectAsync(broker.url, {
      clientId: 'dev-b',
      password: 'secret-b',
      username: 'dev-b',
    });
    cleanups.push(() => watcher.endAsync(true));
    watcher.on('message', (topic) => received.push(topic));
    await watcher.subscribeAsync('citybrain/v1/devices/+/observations', { qos: 1 });

    const device = await mqtt.connectAsync(broker.url, {
      clientId: 'dev-a',
      username: 'dev-a',
      password: 'secret-a',
      reconnectPeriod: 0,
    });
    cleanups.push(() => device.endAsync(true));
    await device.publishAsync(observationTopic('dev-a'), '{"v":1}', { qos: 1 });
    await waitFor(() => received.length === 1, 5_000, 'own observation');

    // MQTT 3.1.1 has no negative PUBACK: the broker drops the message and the connection.
    const closed = new Promise<void>((r) => device.once('close', () => r()));
    device.publish(observationTopic('dev-b'), '{"v":666}', { qos: 1 });
    await closed;
    await sleep(200);
    expect(received).toEqual([observationTopic('dev-a')]);
    expect(lines.some((l) => l.msg === 'mqtt publish refused' && l.clientId === 'dev-a')).toBe(true);
  });

  it('refuses shared subscriptions loudly (aedes has none)', async () => {
    const { logger } = memoryLogger();
    const broker = await startEmbeddedBroker({ port: 0, logger });
    cleanups.push(() => broker.close());
    await expect(
      connectIngress({
        url: broker.url,
        clientId: uniqueClientId('share'),
        topics: ['citybrain/v1/devices/+/observations'],
        qos: 1,
        shareGroup: 'ingest',
        onMessage: () => {},
        logger,
      }),
    ).rejects.toThrow(/refused subscription to \$share\/ingest\//);
  });
});
