import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bus } from './bus.types.ts';
import { testSubjects } from './test-subjects.ts';
import { type OwnNatsServer, openTestBus, startNatsServer, waitFor } from './testing.ts';

// A server of its own (port and storage dir), since the shared one must not be restarted.
describe('JetStream bus across a server crash and restart', () => {
  let server: OwnNatsServer;
  let bus: Bus<typeof testSubjects>;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    server = await startNatsServer();
    ({ bus, cleanup } = await openTestBus('jetstream', testSubjects, { natsUrl: server.url }));
  });
  afterAll(async () => {
    await cleanup?.();
    await server?.dispose();
  });

  it('resumes publishing and consuming, and loses no acknowledged message', { timeout: 60_000 }, async () => {
    const received = new Set<number>();
    await bus.subscribe('test.tick', { group: 'survivor', owner: 't', ackWaitMs: 2_000 }, (e) => {
      received.add(e.payload.n);
    });
    const acked: number[] = [];
    let stop = false;
    const publisher = (async () => {
      for (let n = 0; !stop; n++) {
        await bus.publish('test.tick', { n });
        acked.push(n);
      }
    })();
    await waitFor(() => acked.length >= 300, 'publishing before the crash');
    await server.kill('SIGKILL');
    const ackedBeforeRestart = acked.length;
    await new Promise((r) => setTimeout(r, 1_000));
    // While the server is down, publish waits (retrying) rather than failing or being lost.
    expect(acked.length - ackedBeforeRestart).toBeLessThanOrEqual(1);
    await server.restart();
    await waitFor(() => acked.length >= ackedBeforeRestart + 300, 'publishing after the restart', 30_000);
    stop = true;
    await publisher;
    await waitFor(() => acked.every((n) => received.has(n)), 'every acknowledged message delivered', 30_000);
    expect(received.size).toBeGreaterThanOrEqual(acked.length);
  });
});
