import type { FieldPolicy } from './algorithms.mask.ts';

/** What the gate knows of a version in use. */
export interface InUseEntry {
  key: string;
  version: string;
  policy: FieldPolicy;
}

/** Why the gate refused; `reason` is always `algorithm_not_in_use` so callers test one value. */
export interface Refusal {
  reason: 'algorithm_not_in_use';
  cause: 'unknown_algorithm' | 'no_version_in_use' | 'version_not_in_use' | 'register_stale';
  key: string;
  version: string | null;
  status: string | null;
}

/** Where the snapshot reads from: the change counter and, when it moved, every version's status. */
export interface SnapshotSource {
  counter(): Promise<number>;
  rows(): Promise<{ key: string; version: string; status: string; explainFields: unknown }[]>;
}

/**
 * The in-memory view of the register the runtime gate consults on every call (no database
 * query per call). `refresh()` reads one counter row and reloads only when it moved; a view
 * older than `staleAfterMs` (the database unreachable) refuses everything: fail closed.
 */
export class RegisterSnapshot {
  private inUse = new Map<string, InUseEntry>();
  private statuses = new Map<string, string>();
  private counter = -1;
  private loadedAt = Number.NEGATIVE_INFINITY;
  private chain: Promise<void> = Promise.resolve();
  private readonly source: SnapshotSource;
  private readonly staleAfterMs: number;

  constructor(source: SnapshotSource, staleAfterMs: number) {
    this.source = source;
    this.staleAfterMs = staleAfterMs;
  }

  /** The version of `key` in use (and equal to `version` when given), or why not. */
  lookup(key: string, version?: string): { ok: true; entry: InUseEntry } | { ok: false; refusal: Refusal } {
    const entry = this.inUse.get(key);
    if (performance.now() - this.loadedAt > this.staleAfterMs)
      return refuse(key, version, 'register_stale', null);
    if (entry && (version === undefined || version === entry.version)) return { ok: true, entry };
    if (version !== undefined) {
      const status = this.statuses.get(`${key}@${version}`) ?? null;
      return refuse(key, version, status ? 'version_not_in_use' : 'unknown_algorithm', status);
    }
    return refuse(key, null, this.hasKey(key) ? 'no_version_in_use' : 'unknown_algorithm', null);
  }

  /** Re-reads the register if it changed since the last look; calls are serialised. `force` always reloads. */
  refresh(force = false): Promise<void> {
    const next = this.chain.then(() => this.load(force));
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Resolves when no refresh is running (for a clean shutdown). */
  settled(): Promise<void> {
    return this.chain;
  }

  private async load(force: boolean): Promise<void> {
    const counter = await this.source.counter();
    if (force || counter !== this.counter) {
      const rows = await this.source.rows();
      const inUse = new Map<string, InUseEntry>();
      const statuses = new Map<string, string>();
      for (const r of rows) {
        statuses.set(`${r.key}@${r.version}`, r.status);
        if (r.status === 'in_use') {
          inUse.set(r.key, {
            key: r.key,
            version: r.version,
            policy: (r.explainFields ?? {}) as FieldPolicy,
          });
        }
      }
      this.inUse = inUse;
      this.statuses = statuses;
      this.counter = counter;
    }
    this.loadedAt = performance.now();
  }

  private hasKey(key: string): boolean {
    for (const k of this.statuses.keys()) if (k.startsWith(`${key}@`)) return true;
    return false;
  }
}

function refuse(
  key: string,
  version: string | undefined | null,
  cause: Refusal['cause'],
  status: string | null,
) {
  return {
    ok: false as const,
    refusal: { reason: 'algorithm_not_in_use' as const, cause, key, version: version ?? null, status },
  };
}
