import { afterEach, describe, expect, it } from 'vitest';
import { connectIngress, type Ingress } from './ingress.ts';
import {
  forgetSession,
  memoryLogger,
  publishMany,
  testMosquittoUrl,
  uniqueClientId,
  uniquePrefix,
  waitFor,
} from './testing.ts';

const { logger } = memoryLogger();
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe.each([4, 5] as const)('shared subscription on Mosquitto (protocol %i)', (protocolVersion) => {
  async function member(topic: string, group: string, into: number[]): Promise<Ingress> {
    const clientId = uniqueClientId('share');
    const ingest = await connectIngress({
      url: testMosquittoUrl,
      clientId,
      topics: [topic.replace('/d1/', '/+/')],
      qos: 1,
      shareGroup: group,
      protocolVersion,
      logger,
      onMessage: (_t, p) => void into.push(JSON.parse(p.toString()).seq),
    });
    cleanups.push(() => forgetSession(testMosquittoUrl, clientId));
    cleanups.push(() => ingest.close());
    return ingest;
  }

  it('gives each message to exactly one member of the group', async () => {
    const topic = `${uniquePrefix()}/devices/d1/observations`;
    const group = uniqueClientId('grp');
    const a: number[] = [];
    const b: number[] = [];
    await member(topic, group, a);
    await member(topic, group, b);

    await publishMany(testMosquittoUrl, topic, 400);
    await waitFor(() => a.length + b.length >= 400, 10_000, 'all 400 messages');

    const all = [...a, ...b].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 400 }, (_, i) => i)); // each once, none lost
    expect(a.length).toBeGreaterThan(50); // and the load is really split
    expect(b.length).toBeGreaterThan(50);
  });
});
