import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../platform/clock.ts';
import { AppError } from '../../../platform/errors.ts';
import { guard } from './breaker.ts';
import type { Connector } from './connector.ts';

/** A source that fails while `down` is set, with a message holding a secret. */
function flaky() {
  const state = { down: true, calls: 0 };
  const connector: Connector = {
    id: 'gov-cloud',
    kind: 'test',
    async describe() {
      state.calls += 1;
      if (state.down)
        throw Object.assign(new Error('connect to db://admin:hunter2@10.0.0.5 failed'), {
          code: 'ECONNRESET',
        });
      return [{ id: 'r', fields: [{ name: 'a', type: 'text' }] }];
    },
    async query(resource) {
      state.calls += 1;
      throw new AppError('not_found', `resource '${resource}' not found`);
    },
    async health() {
      state.calls += 1;
      if (state.down) throw new Error('down');
      return { ok: true };
    },
    async close() {},
  };
  return { state, connector };
}

describe('circuit breaker', () => {
  it('opens after N failures, refuses without calling, half-opens after the delay, closes on success', async () => {
    const clock = new ManualClock('2026-12-07T08:00:00Z');
    const { state, connector } = flaky();
    const reasons: string[] = [];
    const g = guard(connector, clock, { failures: 3, openMs: 10_000, onFailure: (_, r) => reasons.push(r) });
    for (let i = 0; i < 3; i++)
      await expect(g.describe()).rejects.toMatchObject({ code: 'source_unavailable' });
    expect(g.breaker.state).toBe('open');
    expect(reasons).toEqual(['ECONNRESET', 'ECONNRESET', 'ECONNRESET']);
    const refused = await g.describe().catch((e) => e);
    expect(refused.details).toEqual({
      source: 'gov-cloud',
      kind: 'test',
      retryAfterSeconds: 10,
      reason: 'breaker open',
    });
    expect(JSON.stringify(refused.details) + refused.message).not.toMatch(/hunter2|admin|10\.0\.0\.5/);
    expect(state.calls).toBe(3);

    clock.advance(10_000);
    expect(g.breaker.state).toBe('half_open');
    // A failed trial opens it again for a full delay.
    await expect(g.describe()).rejects.toMatchObject({ code: 'source_unavailable' });
    expect(g.breaker.state).toBe('open');
    clock.advance(9_000);
    await expect(g.describe()).rejects.toMatchObject({ details: { retryAfterSeconds: 1 } });
    clock.advance(1_000);
    state.down = false;
    expect(await g.describe()).toHaveLength(1);
    expect(g.breaker.state).toBe('closed');
    expect(await g.health()).toEqual({ ok: true, breaker: 'closed' });
  });

  it("does not count the caller's bad requests against the source", async () => {
    const { state, connector } = flaky();
    state.down = false;
    const g = guard(connector, new ManualClock(), { failures: 1 });
    for (let i = 0; i < 3; i++)
      await expect(g.query('nope', [], 1)).rejects.toMatchObject({ code: 'not_found' });
    expect(g.breaker.state).toBe('closed');
  });

  it('counts a source that does not answer in time as a failure', async () => {
    const connector: Connector = {
      id: 'slow',
      kind: 'test',
      describe: () => new Promise(() => {}),
      query: () => new Promise(() => {}),
      health: () => new Promise(() => {}),
      close: async () => {},
    };
    const g = guard(connector, new ManualClock(), { failures: 1, timeoutMs: 20 });
    await expect(g.describe()).rejects.toMatchObject({ code: 'source_unavailable' });
    expect(g.breaker.state).toBe('open');
  });
});
