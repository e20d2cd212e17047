import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../../platform/access.ts';
import { ManualClock } from '../../../platform/clock.ts';
import type { Database } from '../../../platform/db/database.ts';
import { testBackends } from '../../../platform/db/testing.ts';
import type { DeviceInput } from '../devices/devices.schema.ts';
import { openTestSensing } from '../sensing.fixture.ts';
import type { SensingService } from '../sensing.service.ts';
import { decodeRaw } from './intake.batcher.ts';

const COUNTER: DeviceInput = {
  id: 'cf-fuzz-001',
  type: 'CrowdFlowObserved',
  name: '解放碑步行街北口',
  lon: 106.578,
  lat: 29.558,
  metrics: ['peopleCount'],
};
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const SEED = Number(process.env.FUZZ_SEED ?? 20261206);

/** Text a device could send that is never a valid observation (no `observedAt` with a metric). */
const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.constantFrom('\u0000', '\ud800', 'a\udc00b', '\uffff', "'; DROP TABLE observations; --", '%00', ''),
  fc.integer({ min: 1, max: 5000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
  fc.integer({ min: 1, max: 5000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
  fc.integer({ min: 60_000, max: 200_000 }).map((n) => `"${'x'.repeat(n)}"`),
  fc.constantFrom('NaN', 'Infinity', '1e999', '-0', 'null', 'true', '[]', '{}', '{"observedAt":null}'),
  fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify({ junk: v })),
  fc
    .record({ peopleCount: fc.oneof(fc.string(), fc.double(), fc.constant(null)), extra: fc.jsonValue() })
    .map((v) => JSON.stringify(v)),
);
/** The same, sometimes as raw bytes that are not UTF-8. */
const hostileMessage = fc.oneof(
  hostileText.map((s) => Buffer.from(s, 'utf8')),
  fc.uint8Array({ minLength: 0, maxLength: 512 }).map((b) => Buffer.from(b)),
);

/**
 * A poison corpus for MQTT payloads, generated: whatever bytes a device sends next to good
 * readings, ingest never throws, every hostile message becomes exactly one dead letter, and the
 * good readings around it are stored.
 */
describe.each(testBackends)('MQTT payload fuzzing on %s', (kind) => {
  let database: Database;
  let sensing: SensingService;
  const clock = new ManualClock('2025-11-20T12:00:00+08:00');
  let minute = 0;

  beforeAll(async () => {
    ({ database, sensing } = await openTestSensing(kind, clock));
    await sensing.devices.register(SYSTEM_PRINCIPAL, COUNTER);
  });
  afterAll(() => database?.close());

  it('stores the good readings and dead-letters each hostile message once', async () => {
    const good = () => {
      minute += 1;
      const observedAt = new Date(clock.now().getTime() - 86_400_000 + minute * 1000).toISOString();
      return Buffer.from(JSON.stringify({ observedAt, peopleCount: minute }));
    };
    let hostileSeen = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(hostileMessage, { minLength: 1, maxLength: 6 }), async (hostile) => {
        const now = clock.now();
        const batch = [good(), ...hostile, good()].flatMap((bytes) => decodeRaw(COUNTER.id, bytes, now));
        // A JSON array is a batch of observations: count what the decoder made of each message.
        const r = await sensing.ingest(batch);
        hostileSeen += batch.length - 2;
        expect(r.received).toBe(batch.length);
        expect(r.deadLettered).toBe(batch.length - 2);
        expect(r.stored).toBe(2);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    const letters = await sensing.deadLetters(SYSTEM_PRINCIPAL, { limit: 1000 });
    expect(letters.length).toBe(Math.min(1000, hostileSeen));
    for (const l of letters) expect(l.payload.length).toBeLessThanOrEqual(4096);
  }, 120_000);
});
