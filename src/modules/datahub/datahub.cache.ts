import type { Clock } from '../../platform/clock.ts';

/** How the per-process caches are bounded: entries kept, and how long one is trusted without a notification. */
export interface CacheLimits {
  /** Resources kept per process (least recently used dropped first; default 20,000). */
  maxResources?: number;
  /** How long a cached resource or list-version check is trusted (ms, default 5,000): the bound on staleness if a notification is lost. */
  ttlMs?: number;
}

export const CACHE_DEFAULTS = { maxResources: 20_000, ttlMs: 5_000 } as const;

/**
 * A bounded map with least-recently-used eviction and expiry on the injected clock, filled
 * through `through(key, load)`: concurrent misses of one key share one load, and a value loaded
 * while an invalidation happened is answered but not kept (it may predate the change).
 */
export class TtlCache<V> {
  private readonly clock: Clock;
  private readonly max: number;
  private readonly ttlMs: number;
  private readonly entries = new Map<string, { value: V; at: number }>();
  private readonly loading = new Map<string, Promise<V>>();
  private generation = 0;

  constructor(clock: Clock, max: number, ttlMs: number) {
    this.clock = clock;
    this.max = max;
    this.ttlMs = ttlMs;
  }

  /** The cached value, or `load()`'s (kept unless invalidated meanwhile); a failed load is not kept. */
  through(key: string, load: () => Promise<V>): Promise<V> {
    const now = this.clock.now().getTime();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) {
      this.entries.delete(key); // re-inserted last: Map order is the recency order
      this.entries.set(key, hit);
      return Promise.resolve(hit.value);
    }
    if (hit) this.entries.delete(key);
    const pending = this.loading.get(key);
    if (pending) return pending;
    const generation = this.generation;
    const loaded = load().then(
      (value) => {
        if (this.loading.get(key) === loaded) this.loading.delete(key);
        if (generation === this.generation) this.keep(key, value, now);
        return value;
      },
      (error: unknown) => {
        if (this.loading.get(key) === loaded) this.loading.delete(key);
        throw error;
      },
    );
    this.loading.set(key, loaded);
    return loaded;
  }

  /** Forgets the given keys (all when none given); loads under way are not kept. */
  invalidate(keys?: Iterable<string>): void {
    this.generation++;
    if (!keys) {
      this.entries.clear();
      this.loading.clear();
      return;
    }
    for (const key of keys) {
      this.entries.delete(key);
      this.loading.delete(key);
    }
  }

  /** Entries kept now (expired ones included until read or evicted). */
  get size(): number {
    return this.entries.size;
  }

  private keep(key: string, value: V, at: number): void {
    this.entries.set(key, { value, at });
    if (this.entries.size > this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}
