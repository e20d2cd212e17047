import type { Clock } from '../../../platform/clock.ts';
import { AppError } from '../../../platform/errors.ts';

/** A consumer application's allowance: a sustained rate and a burst (the bucket's size). */
export interface QuotaLimit {
  perSecond: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date (ms). */
  at: number;
}

/**
 * Token buckets per consumer application: each exchange takes a token (or `cost` tokens),
 * buckets refill at `perSecond` up to `burst`. Over quota is an `over_quota` error (429) with
 * the seconds until enough tokens are back. In memory: each gateway process counts on its own,
 * so N processes allow N times the figure (give each process 1/N of a consumer's quota).
 */
export class ConsumerQuota {
  private readonly clock: Clock;
  private readonly defaults: QuotaLimit;
  private readonly limits = new Map<string, QuotaLimit>();
  private readonly buckets = new Map<string, Bucket>();

  constructor(clock: Clock, defaults: QuotaLimit, limits: Record<string, QuotaLimit> = {}) {
    this.clock = clock;
    this.defaults = defaults;
    for (const [app, limit] of Object.entries(limits)) this.setLimit(app, limit);
  }

  /** Sets one consumer's allowance (its bucket keeps its tokens, capped at the new burst). */
  setLimit(consumerApp: string, limit: QuotaLimit): void {
    if (!(limit.perSecond > 0) || !(limit.burst >= 1))
      throw new AppError('invalid_data', 'a quota needs perSecond > 0 and burst >= 1', { consumerApp });
    this.limits.set(consumerApp, limit);
  }

  /** Takes `cost` tokens or throws `over_quota` with `retryAfterSeconds` (whole seconds, at least 1). */
  take(consumerApp: string, cost = 1): { remaining: number } {
    const r = this.tryTake(consumerApp, cost);
    if (r.ok) return { remaining: r.remaining };
    const limit = this.limitOf(consumerApp);
    throw new AppError(
      'over_quota',
      `application '${consumerApp}' is over its quota of ${limit.perSecond}/s (burst ${limit.burst}); retry in ${r.retryAfterSeconds} s`,
      { consumerApp, perSecond: limit.perSecond, burst: limit.burst, retryAfterSeconds: r.retryAfterSeconds },
    );
  }

  /** Takes `cost` tokens if there are enough; otherwise says when there will be. */
  tryTake(
    consumerApp: string,
    cost = 1,
  ): { ok: true; remaining: number } | { ok: false; retryAfterSeconds: number } {
    const limit = this.limitOf(consumerApp);
    const now = this.clock.now().getTime();
    if (this.buckets.size > 10_000) this.prune(now);
    const b = this.buckets.get(consumerApp) ?? { tokens: limit.burst, at: now };
    b.tokens = Math.min(limit.burst, b.tokens + (Math.max(0, now - b.at) / 1000) * limit.perSecond);
    b.at = now;
    this.buckets.set(consumerApp, b);
    if (cost > limit.burst) return { ok: false, retryAfterSeconds: Math.ceil(cost / limit.perSecond) };
    if (b.tokens >= cost) {
      b.tokens -= cost;
      return { ok: true, remaining: Math.floor(b.tokens) };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((cost - b.tokens) / limit.perSecond)) };
  }

  private limitOf(consumerApp: string): QuotaLimit {
    return this.limits.get(consumerApp) ?? this.defaults;
  }

  /** Forgets buckets that are full again (they behave exactly like a new one). */
  private prune(now: number): void {
    for (const [app, b] of this.buckets) {
      const limit = this.limitOf(app);
      if (b.tokens + ((now - b.at) / 1000) * limit.perSecond >= limit.burst) this.buckets.delete(app);
    }
  }
}
