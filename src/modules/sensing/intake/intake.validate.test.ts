import { describe, expect, it } from 'vitest';
import { DEVICE_TYPES, METRICS } from '../sensing.catalogue.ts';
import { fastAccepts, payloadSchema, validatePayload } from './intake.validate.ts';

const limits = {
  notAfter: Date.parse('2025-11-20T12:05:00Z'),
  notBefore: Date.parse('2025-10-01T00:00:00Z'),
};
const water = new Set(['O2', 'pH', 'NH4']);
const at = '2025-11-20T20:00:00+08:00';

describe('payload validation', () => {
  it('turns a FIWARE payload into readings', () => {
    const r = validatePayload(
      'WaterQualityObserved',
      water,
      { observedAt: at, O2: 4.2, pH: 7.1, id: 'x' },
      limits,
    );
    expect(r).toEqual({
      ok: true,
      readings: [
        { metric: 'O2', t: Date.parse(at), value: 4.2 },
        { metric: 'pH', t: Date.parse(at), value: 7.1 },
      ],
    });
  });

  it('encodes booleans and enumerations, accepts dateObserved', () => {
    const crowd = validatePayload(
      'CrowdFlowObserved',
      new Set(['congested']),
      { dateObserved: at, congested: true },
      limits,
    );
    expect(crowd).toMatchObject({ ok: true, readings: [{ metric: 'congested', value: 1 }] });
    const spot = validatePayload(
      'ParkingSpot',
      new Set(['status']),
      { observedAt: at, status: 'occupied' },
      limits,
    );
    expect(spot).toMatchObject({ ok: true, readings: [{ metric: 'status', value: 1 }] });
  });

  it.each([
    [[1, 2], 'not_an_object'],
    [{ O2: 1 }, 'missing_observed_at'],
    [{ observedAt: '20/11/2025', O2: 1 }, 'invalid_timestamp'],
    [{ observedAt: '2025-11-20T12:00:00', O2: 1 }, 'invalid_timestamp'],
    [{ observedAt: at, O2: '4.2' }, 'wrong_type'],
    [{ observedAt: at, O2: null }, 'wrong_type'],
    [{ observedAt: at, dissolvedOxygen: 4.2 }, 'unknown_attribute'],
    [{ observedAt: at, cod: 12 }, 'undeclared_metric'],
    [{ observedAt: at }, 'no_readings'],
    [{ observedAt: '2025-11-20T12:06:00Z', O2: 1 }, 'future_timestamp'],
    [{ observedAt: '2025-09-30T23:59:59Z', O2: 1 }, 'too_old'],
  ])('dead-letters %j as %s', (payload, reason) => {
    expect(validatePayload('WaterQualityObserved', water, payload, limits)).toMatchObject({
      ok: false,
      reason,
    });
  });

  it('takes the fast path only for payloads the zod schema accepts, and gives the same answer either way', () => {
    // Every type, every metric with a good and several bad values, times good and bad, metadata, extras.
    const values: unknown[] = [
      1.5,
      0,
      -3,
      '4.2',
      null,
      true,
      false,
      'free',
      'occupied',
      'nope',
      [],
      {},
      1e308,
    ];
    const times: unknown[] = [
      at,
      '2025-11-20T12:00:00Z',
      '2025-11-20T12:00:00',
      '20/11/2025',
      12,
      null,
      undefined,
    ];
    let fast = 0;
    let cases = 0;
    for (const type of DEVICE_TYPES) {
      const metrics = Object.keys(METRICS[type]);
      const declared = new Set(metrics);
      const payloads: Record<string, unknown>[] = [];
      for (const observedAt of times) {
        for (const metric of metrics) for (const v of values) payloads.push({ observedAt, [metric]: v });
        payloads.push({ observedAt, id: 'x', type, refDevice: 1, [metrics[0]!]: 1 });
        payloads.push({ observedAt, madeUp: 1 });
        payloads.push({ dateObserved: observedAt, [metrics[0]!]: 2 });
        payloads.push({ observedAt, constructor: 1 });
        payloads.push(JSON.parse(`{"observedAt":"${at}","__proto__":1}`));
      }
      for (const p of payloads) {
        cases++;
        const accepted = fastAccepts(type, p);
        if (accepted) {
          fast++;
          expect(payloadSchema(type).safeParse(p).success, JSON.stringify(p)).toBe(true);
        }
        const viaSchema = payloadSchema(type).safeParse(p).success;
        // And the other way: whatever zod accepts takes the fast path, so validation is unchanged.
        if (viaSchema) expect(accepted, JSON.stringify(p)).toBe(true);
        if (!viaSchema && p.observedAt !== undefined) {
          expect(validatePayload(type, declared, p, limits).ok, JSON.stringify(p)).toBe(false);
        }
      }
    }
    expect(cases).toBeGreaterThan(1000);
    expect(fast).toBeGreaterThan(100);
  });
});
