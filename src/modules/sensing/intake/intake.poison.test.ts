import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../../platform/access.ts';
import { ManualClock } from '../../../platform/clock.ts';
import type { Database } from '../../../platform/db/database.ts';
import { testBackends } from '../../../platform/db/testing.ts';
import { metricsRegistry } from '../../../platform/http/metrics.ts';
import { createTestApi, testPrincipal } from '../../../platform/http/testing.ts';
import type { DeviceInput } from '../devices/devices.schema.ts';
import { openTestSensing } from '../sensing.fixture.ts';
import { registerSensingRoutes } from '../sensing.routes.ts';
import type { SensingService } from '../sensing.service.ts';
import { decodeRaw } from './intake.batcher.ts';
import { excerptOf, rawDepthExceeds, storable, valueDepthExceeds } from './intake.limits.ts';

const COUNTER: DeviceInput = {
  id: 'cf-poison-001',
  type: 'CrowdFlowObserved',
  name: '解放碑步行街南口',
  lon: 106.577,
  lat: 29.556,
  metrics: ['peopleCount'],
};
/** The payload: 5,000 levels of nested objects. */
const DEEP = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
const at = (minute: number) =>
  new Date(Date.parse('2025-11-20T11:00:00+08:00') + minute * 60_000).toISOString();

describe('payload limits (no recursion on the payload)', () => {
  it('finds the depth of raw JSON by a byte scan, ignoring brackets in strings', () => {
    expect(rawDepthExceeds(Buffer.from(DEEP), 16)).toBe(true);
    expect(rawDepthExceeds(Buffer.from('[{"a":{"b":[1]}}]'), 4)).toBe(false);
    expect(rawDepthExceeds(Buffer.from('[{"a":{"b":[1]}}]'), 3)).toBe(true);
    expect(rawDepthExceeds(Buffer.from('{"s":"[[[[[[\\"[[[["}'), 2)).toBe(false);
  });

  it('finds the depth of a decoded value without recursing, and excerpts it bounded', () => {
    const deep = JSON.parse(DEEP);
    expect(valueDepthExceeds(deep, 16)).toBe(true);
    expect(valueDepthExceeds({ a: [{ b: 1 }] }, 3)).toBe(false);
    expect(() => JSON.stringify(deep)).toThrow(RangeError); // what stalled ingest
    const excerpt = excerptOf(deep, 16);
    expect(excerpt.startsWith('{"a":{"a":')).toBe(true);
    expect(excerpt).toContain('"…"');
    expect(excerptOf({ s: 'x'.repeat(100_000), n: Array(10_000).fill(1) }, 16).length).toBeLessThanOrEqual(
      4096,
    );
    expect(storable('a\0b\ud800c')).toBe('a\uFFFDb\uFFFDc');
  });

  it('refuses an oversized or too deep message before parsing it, keeping a 4 KiB excerpt', () => {
    const now = new Date();
    const [big] = decodeRaw('d', Buffer.alloc(70_000, 0x20), now);
    expect(big).toMatchObject({ decodeError: { reason: 'too_large' } });
    expect((big!.payload as string).length).toBe(4096);
    const [deep] = decodeRaw('d', Buffer.from(DEEP), now);
    expect(deep).toMatchObject({ decodeError: { reason: 'too_deep' } });
    expect((deep!.payload as string).length).toBe(4096);
    expect(decodeRaw('d', '[{"a":1},{"b":2}]', now, { maxBytes: 100, maxDepth: 2 })).toHaveLength(2);
  });
});

describe.each(testBackends)('poison payloads in one batch on %s', (kind) => {
  let database: Database;
  let sensing: SensingService;
  const clock = new ManualClock('2025-11-20T12:00:00+08:00');

  beforeAll(async () => {
    ({ database, sensing } = await openTestSensing(kind, clock));
    await sensing.devices.register(SYSTEM_PRINCIPAL, COUNTER);
  });
  afterAll(() => database?.close());

  it('dead-letters a 5,000-deep payload (bytes or decoded), NUL and lone surrogates, and stores the rest of the batch', async () => {
    const before = {
      deep: await deadLetterCount('too_deep'),
      large: await deadLetterCount('too_large'),
      unknown: await deadLetterCount('unknown_device'),
    };
    const good = (minute: number) => ({
      deviceId: COUNTER.id,
      payload: { observedAt: at(minute), peopleCount: minute },
      receivedAt: clock.now(),
    });
    const r = await sensing.ingest([
      good(0),
      // From the bytes (MQTT, ingestRaw): refused by the scan, never parsed.
      ...decodeRaw(COUNTER.id, Buffer.from(DEEP), clock.now()),
      // Decoded already (the HTTP batch endpoint): refused before anything recursive.
      { deviceId: COUNTER.id, payload: JSON.parse(DEEP), receivedAt: clock.now() },
      ...decodeRaw(COUNTER.id, Buffer.alloc(100_000, 0x5b), clock.now()),
      good(1),
      // PostgreSQL refuses NUL in text: the dead letter's device id, detail and payload are made storable.
      { deviceId: 'nul\0device', payload: { observedAt: at(2), peopleCount: 1 }, receivedAt: clock.now() },
      ...decodeRaw(COUNTER.id, Buffer.from('{"observedAt":\0 "\ud800"'), clock.now()),
      { deviceId: COUNTER.id, payload: { observedAt: at(3), 'x\0\ud800': 1 }, receivedAt: clock.now() },
      good(4),
    ]);
    expect(r).toMatchObject({ received: 9, deadLettered: 6, stored: 3 });
    const letters = await sensing.deadLetters(SYSTEM_PRINCIPAL, { limit: 6 });
    expect(letters.map((l) => l.reason)).toEqual([
      'unknown_attribute',
      'invalid_json',
      'unknown_device',
      'too_large',
      'too_deep',
      'too_deep',
    ]);
    for (const l of letters) expect(l.payload.length).toBeLessThanOrEqual(4096);
    expect(letters[5]!.payload.startsWith('{"a":{"a":')).toBe(true);
    expect(letters[4]!.payload.startsWith('{"a":{"a":')).toBe(true);
    expect(letters[2]!.deviceId).toBe('nul\uFFFDdevice');
    expect(await deadLetterCount('too_deep')).toBe(before.deep + 2);
    expect(await deadLetterCount('too_large')).toBe(before.large + 1);
    expect(await deadLetterCount('unknown_device')).toBe(before.unknown + 1);
  });

  it('a batcher acknowledges the poison message and the messages around it', async () => {
    const batcher = sensing.batcher();
    const results = await Promise.allSettled([
      batcher.submit(COUNTER.id, JSON.stringify({ observedAt: at(10), peopleCount: 10 })),
      batcher.submit(COUNTER.id, Buffer.from(DEEP)),
      batcher.submit(COUNTER.id, JSON.stringify({ observedAt: at(11), peopleCount: 11 })),
    ]);
    expect(results.map((x) => x.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    const [letter] = await sensing.deadLetters(SYSTEM_PRINCIPAL, { limit: 1 });
    expect(letter).toMatchObject({ reason: 'too_deep', deviceId: COUNTER.id });
  });
});

describe.each(testBackends)('poison items in the HTTP batch endpoint on %s', (kind) => {
  it('answers 202 with a too deep item dead-lettered (bounded excerpt) and the good item stored', async () => {
    const { database, sensing } = await openTestSensing(kind, new ManualClock(new Date()));
    const key = { ...testPrincipal('', ['admin']), kind: 'api_key' as const, id: 'key-1' };
    const api = await createTestApi({ key });
    registerSensingRoutes(api, { sensing });
    await api.ready();
    try {
      await sensing.devices.register(SYSTEM_PRINCIPAL, COUNTER);
      const observedAt = new Date(Date.now() - 60_000).toISOString();
      // 20 levels under the item: within the HTTP layer's body limit (32, the whole body refused
      // with a 400 past it), past the intake's 16, so this item alone is dead-lettered.
      const nested = `${'{"a":'.repeat(20)}1${'}'.repeat(20)}`;
      const deep = `{"deviceId":"${COUNTER.id}","observedAt":"${observedAt}","x":${nested}}`;
      const res = await api.inject({
        method: 'POST',
        url: '/api/v1/observations',
        headers: { authorization: 'Bearer key', 'content-type': 'application/json' },
        payload: `[${deep},{"deviceId":"${COUNTER.id}","observedAt":"${observedAt}","peopleCount":7}]`,
      });
      expect(res.statusCode, res.body).toBe(202);
      expect(res.json()).toMatchObject({ received: 2, deadLettered: 1, stored: 1 });
      const letters = await sensing.deadLetters(SYSTEM_PRINCIPAL, { limit: 2 });
      expect(letters.map((l) => l.reason)).toEqual(['too_deep']);
      expect(letters[0]!.payload).toContain('"…"');
    } finally {
      await api.close();
      await database.close();
    }
  }, 60_000);
});

async function deadLetterCount(reason: string): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric('citybrain_sensing_dead_letters_total')?.get();
  return metric?.values.find((v) => v.labels.reason === reason)?.value ?? 0;
}
