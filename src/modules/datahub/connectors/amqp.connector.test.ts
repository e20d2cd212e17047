import { randomBytes } from 'node:crypto';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../platform/clock.ts';
import { AmqpConnector } from './amqp.connector.ts';
import { guard } from './breaker.ts';
import { connectorContract, PERMITS } from './connector.contract.testing.ts';

const URL = process.env.CITYBRAIN_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const FIELDS = [
  { name: 'permit_no', type: 'text' as const },
  { name: 'company', type: 'text' as const },
  { name: 'district', type: 'text' as const },
  { name: 'discharge_t', type: 'number' as const },
  { name: 'issued_at', type: 'timestamp' as const },
];

describe('RabbitMQ connector (real broker)', () => {
  const queue = `dh-test-permits-${randomBytes(4).toString('hex')}`;
  let connector: AmqpConnector;

  beforeAll(async () => {
    const c = await amqp.connect(URL);
    const ch = await c.createChannel();
    await ch.assertQueue(queue, { durable: false });
    for (const p of PERMITS) ch.sendToQueue(queue, Buffer.from(JSON.stringify(p)));
    ch.sendToQueue(queue, Buffer.from('not json'));
    await ch.close();
    await c.close();
    connector = new AmqpConnector({
      id: 'ecology-mq',
      url: URL,
      queues: { permits: { queue, fields: FIELDS } },
    });
  });
  afterAll(async () => {
    await connector?.close();
    const c = await amqp.connect(URL);
    const ch = await c.createChannel();
    await ch.deleteQueue(queue);
    await c.close();
  });

  connectorContract(() => ({ connector, resource: 'permits' }));

  it('browses without consuming', async () => {
    await connector.query('permits', [], 100);
    await connector.query('permits', [{ field: 'district', op: 'eq', value: '綦江区' }], 1);
    const c = await amqp.connect(URL);
    const ch = await c.createChannel();
    expect((await ch.checkQueue(queue)).messageCount).toBe(PERMITS.length + 1);
    await c.close();
  });

  it('a wrong password and a missing queue are source_unavailable, and the password appears nowhere', async () => {
    const password = 'Rabbit-Wr0ng-9q';
    const bad = guard(
      new AmqpConnector({
        id: 'police-mq',
        url: `amqp://guest:${password}@127.0.0.1:5672`,
        queues: { permits: { queue, fields: FIELDS } },
      }),
      new ManualClock(),
    );
    const error = await bad.query('permits', [], 10).catch((e) => e);
    expect(error).toMatchObject({
      code: 'source_unavailable',
      details: { source: 'police-mq', kind: 'amqp' },
    });
    const shown = JSON.stringify({
      message: error.message,
      details: error.details,
      stack: error.stack,
      cause: error.cause,
    });
    expect(shown).not.toContain(password);
    expect(shown).not.toMatch(/ACCESS_REFUSED|guest/);
    await bad.close();
    const missing = guard(
      new AmqpConnector({
        id: 'gone-mq',
        url: URL,
        queues: { x: { queue: `${queue}-absent`, fields: FIELDS } },
      }),
      new ManualClock(),
    );
    await expect(missing.describe()).rejects.toMatchObject({ code: 'source_unavailable' });
    await missing.close();
  });
});
