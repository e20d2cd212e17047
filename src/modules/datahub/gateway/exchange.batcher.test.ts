import { describe, expect, it } from 'vitest';
import type { ExchangeLog, ExchangeRecord } from '../exchange/index.ts';
import { ExchangeBatcher } from './exchange.batcher.ts';

const record = (n: number): ExchangeRecord => ({
  at: new Date('2026-12-07T08:00:00Z'),
  consumerApp: `app-${n}`,
  consumerDept: '50:water_resources',
  ownerDept: '50:ecology_environment',
  resourceId: 'ee-permits',
  purpose: 'x',
  decision: 'allow',
  policyVersion: '1',
  entries: [],
  maskedFields: [],
  rowCount: n,
  scope: 'all:50',
});

/** A log whose appends commit when the test says so (or at once), recording each batch. */
function fakeLog(options: { manual?: boolean; fail?: (batch: number) => boolean } = {}) {
  const batches: number[][] = [];
  const pending: (() => void)[] = [];
  let seq = 0;
  const log = {
    append(records: ExchangeRecord[]) {
      const index = batches.push(records.map((r) => r.rowCount)) - 1;
      const firstSeq = seq + 1;
      const settle = () => {
        if (options.fail?.(index)) return Promise.reject(new Error('append failed'));
        seq += records.length;
        return Promise.resolve({ firstSeq, lastSeq: seq, hash: '' });
      };
      if (!options.manual) return settle();
      return new Promise((resolve, reject) => pending.push(() => settle().then(resolve, reject)));
    },
  };
  return { log: log as unknown as ExchangeLog, batches, commitNext: () => pending.shift()?.() };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ExchangeBatcher', () => {
  it('writes what one turn of the event loop queued as one batch, in order', async () => {
    const { log, batches } = fakeLog();
    const batcher = new ExchangeBatcher(log);
    const seqs = await Promise.all([1, 2, 3].map((n) => batcher.append(record(n))));
    expect(seqs).toEqual([1, 2, 3]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('gathers the next batch while one is written, and cuts it when its write starts (group commit)', async () => {
    const { log, batches, commitNext } = fakeLog({ manual: true });
    const batcher = new ExchangeBatcher(log);
    const first = batcher.append(record(1));
    await tick();
    expect(batches).toEqual([[1]]);
    const later: Promise<number>[] = [];
    for (const n of [2, 3, 4]) {
      later.push(batcher.append(record(n)));
      await tick(); // each in its own turn: its window ends while the first batch is still written
    }
    expect(batches).toEqual([[1]]);
    commitNext();
    expect(await first).toBe(1);
    await tick();
    expect(batches).toEqual([[1], [2, 3, 4]]);
    commitNext();
    expect(await Promise.all(later)).toEqual([2, 3, 4]);
  });

  it('keeps a timed window when given one', async () => {
    const { log, batches } = fakeLog();
    const batcher = new ExchangeBatcher(log, { windowMs: 20 });
    const a = batcher.append(record(1));
    await tick();
    const b = batcher.append(record(2));
    expect(await Promise.all([a, b])).toEqual([1, 2]);
    expect(batches).toEqual([[1, 2]]);
  });

  it('writes no batch larger than maxBatch and loses none of the rest', async () => {
    const { log, batches } = fakeLog();
    const batcher = new ExchangeBatcher(log, { maxBatch: 4 });
    const seqs = await Promise.all(Array.from({ length: 10 }, (_, n) => batcher.append(record(n))));
    expect(seqs).toEqual(Array.from({ length: 10 }, (_, n) => n + 1));
    expect(batches.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(batches.flat()).toEqual(Array.from({ length: 10 }, (_, n) => n));
  });

  it('fails every exchange of a batch whose append failed, and goes on with the next', async () => {
    const { log } = fakeLog({ fail: (index) => index === 0 });
    const batcher = new ExchangeBatcher(log);
    const failed = [batcher.append(record(1)), batcher.append(record(2))];
    for (const p of failed) await expect(p).rejects.toThrow('append failed');
    expect(await batcher.append(record(3))).toBe(1);
  });

  it('flush resolves when everything queued before it is committed', async () => {
    const { log, batches } = fakeLog();
    const batcher = new ExchangeBatcher(log, { windowMs: 1000 });
    const seq = batcher.append(record(7));
    await batcher.flush();
    expect(batches).toEqual([[7]]);
    expect(await seq).toBe(1);
  });
});
