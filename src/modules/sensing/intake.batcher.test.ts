import { describe, expect, it } from 'vitest';
import { IngestBatcher } from './intake.batcher.ts';
import type { IngestResult, RawObservation } from './intake.service.ts';

const now = () => new Date('2025-11-20T12:00:00Z');
const record =
  (batches: RawObservation[][]) =>
  async (b: RawObservation[]): Promise<IngestResult> => {
    batches.push(b);
    return result(b.length);
  };
const result = (n: number): IngestResult => ({
  received: n,
  deadLettered: 0,
  stored: n,
  duplicates: 0,
  raised: [],
  cleared: [],
});

describe('ingest batcher', () => {
  it('groups messages into batches and resolves each once its batch is stored', async () => {
    const batches: RawObservation[][] = [];
    const batcher = new IngestBatcher(record(batches), {
      maxBatch: 3,
      maxDelayMs: 5,
      now,
    });
    const sent = ['a', 'b', 'c', 'd'].map((id) =>
      batcher.submit(id, `{"observedAt":"2025-11-20T12:00:00Z","O2":1}`),
    );
    await Promise.all(sent);
    expect(batches.map((b) => b.map((o) => o.deviceId))).toEqual([['a', 'b', 'c'], ['d']]);
    expect(batches[0]![0]).toMatchObject({ payload: { O2: 1 }, receivedAt: now() });
  });

  it('splits arrays and passes invalid JSON on as a dead letter', async () => {
    const batches: RawObservation[][] = [];
    const batcher = new IngestBatcher(record(batches), {
      maxDelayMs: 1,
      now,
    });
    await Promise.all([batcher.submit('a', Buffer.from('[{"x":1},{"x":2}]')), batcher.submit('b', '{oops')]);
    expect(batches[0]!.map((o) => [o.deviceId, o.decodeError?.reason ?? 'ok'])).toEqual([
      ['a', 'ok'],
      ['a', 'ok'],
      ['b', 'invalid_json'],
    ]);
  });

  it('rejects every message of a failed batch so the transport redelivers them', async () => {
    const batcher = new IngestBatcher(async () => Promise.reject(new Error('database down')), {
      maxDelayMs: 1,
      now,
    });
    const sent = [batcher.submit('a', '{}'), batcher.submit('b', '{}')];
    for (const p of sent) await expect(p).rejects.toThrow('database down');
    await batcher.drain();
  });
});
