import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../platform/clock.ts';
import { AppError } from '../../../platform/errors.ts';
import { ConsumerQuota } from './quota.ts';

describe('consumer quota', () => {
  it('allows a burst, then refuses with over_quota and the seconds to wait', () => {
    const clock = new ManualClock('2026-12-07T08:00:00Z');
    const quota = new ConsumerQuota(clock, { perSecond: 2, burst: 5 });
    for (let i = 0; i < 5; i++) quota.take('app-water');
    const error = (() => {
      try {
        quota.take('app-water');
      } catch (e) {
        return e;
      }
    })() as AppError;
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe('over_quota');
    expect(error.status).toBe(429);
    expect(error.details).toMatchObject({ consumerApp: 'app-water', retryAfterSeconds: 1 });
    // Other consumers have their own buckets.
    expect(quota.take('app-culture').remaining).toBe(4);
  });

  it('refills at the sustained rate up to the burst', () => {
    const clock = new ManualClock('2026-12-07T08:00:00Z');
    const quota = new ConsumerQuota(clock, { perSecond: 2, burst: 5 });
    for (let i = 0; i < 5; i++) quota.take('a');
    clock.advance(499);
    expect(quota.tryTake('a')).toEqual({ ok: false, retryAfterSeconds: 1 });
    clock.advance(1);
    expect(quota.tryTake('a')).toEqual({ ok: true, remaining: 0 });
    clock.advance(60_000);
    expect(quota.tryTake('a')).toEqual({ ok: true, remaining: 4 });
  });

  it('counts a cost and says how long a large one waits', () => {
    const clock = new ManualClock('2026-12-07T08:00:00Z');
    const quota = new ConsumerQuota(
      clock,
      { perSecond: 1, burst: 10 },
      { bulk: { perSecond: 100, burst: 1000 } },
    );
    expect(quota.tryTake('a', 10)).toEqual({ ok: true, remaining: 0 });
    expect(quota.tryTake('a', 4)).toEqual({ ok: false, retryAfterSeconds: 4 });
    expect(quota.tryTake('a', 11)).toEqual({ ok: false, retryAfterSeconds: 11 });
    expect(quota.tryTake('bulk', 900)).toEqual({ ok: true, remaining: 100 });
  });

  it('refuses a meaningless limit', () => {
    expect(
      () =>
        new ConsumerQuota(new ManualClock(), { perSecond: 1, burst: 1 }, { x: { perSecond: 0, burst: 1 } }),
    ).toThrow(/perSecond/);
  });
});
