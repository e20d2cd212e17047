import type { Clock } from '../../../platform/clock.ts';
import { AppError } from '../../../platform/errors.ts';
import type { Connector, Filter, QueryResult, SourceHealth, SourceResource } from './connector.ts';

/** When a breaker opens and for how long. */
export interface BreakerOptions {
  /** Consecutive failures that open the breaker (default 3). */
  failures?: number;
  /** How long it stays open before one trial call is let through (default 10 s). */
  openMs?: number;
  /** A call that takes longer counts as a failure (default 5 s). */
  timeoutMs?: number;
}

type State = 'closed' | 'open' | 'half_open';

/**
 * A circuit breaker: closed, it counts consecutive failures and opens after `failures`; open,
 * it refuses at once; after `openMs` it is half-open and lets one trial call through, which
 * closes it (success) or opens it again (failure).
 */
export class CircuitBreaker {
  private readonly clock: Clock;
  private readonly failuresToOpen: number;
  private readonly openMs: number;
  private readonly timeoutMs: number;
  private failures = 0;
  private openedAt = 0;
  private opened = false;
  private trial = false;

  constructor(clock: Clock, options: BreakerOptions = {}) {
    this.clock = clock;
    this.failuresToOpen = options.failures ?? 3;
    this.openMs = options.openMs ?? 10_000;
    this.timeoutMs = options.timeoutMs ?? 5_000;
  }

  /** The state now. */
  get state(): State {
    if (!this.opened) return 'closed';
    return this.clock.now().getTime() - this.openedAt >= this.openMs ? 'half_open' : 'open';
  }

  /** Seconds until an open breaker lets a trial through (at least 1). */
  retryAfterSeconds(): number {
    return Math.max(1, Math.ceil((this.openedAt + this.openMs - this.clock.now().getTime()) / 1000));
  }

  /**
   * Runs `fn` unless the breaker refuses (`refused` is thrown). `isFailure` decides which errors
   * count against the source (a caller's bad request does not).
   */
  async run<T>(
    fn: () => Promise<T>,
    isFailure: (error: unknown) => boolean,
    refused: () => Error,
  ): Promise<T> {
    const state = this.state;
    if (state === 'open' || (state === 'half_open' && this.trial)) throw refused();
    if (state === 'half_open') this.trial = true;
    try {
      const value = await withTimeout(fn(), this.timeoutMs);
      this.failures = 0;
      this.opened = false;
      return value;
    } catch (error) {
      if (isFailure(error)) {
        this.failures += 1;
        if (state === 'half_open' || this.failures >= this.failuresToOpen) {
          this.opened = true;
          this.openedAt = this.clock.now().getTime();
        }
      } else if (state === 'half_open') {
        // The source answered (the request was bad): it is up.
        this.opened = false;
        this.failures = 0;
      }
      throw error;
    } finally {
      if (state === 'half_open') this.trial = false;
    }
  }
}

class TimeoutError extends Error {
  override name = 'TimeoutError';
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** What a guarded connector tells the operator's log about a failure: a code, never a message (it may hold credentials). */
export type FailureHook = (sourceId: string, reason: string) => void;

/** A short, credential-free reason for a source error: its code (ECONNREFUSED, ER_ACCESS_DENIED_ERROR, …) or its class name. */
export function failureReason(error: unknown): string {
  const e = error as { code?: unknown; name?: unknown; cause?: { code?: unknown } };
  if (typeof e?.cause?.code === 'string' && /^[\w.-]{1,64}$/.test(e.cause.code)) return e.cause.code;
  if (typeof e?.code === 'string' && /^[\w.-]{1,64}$/.test(e.code)) return e.code;
  if (typeof e?.code === 'number') return `code ${e.code}`;
  return typeof e?.name === 'string' ? e.name : 'error';
}

/**
 * Wraps a connector so that every source error becomes `source_unavailable` naming the source
 * (never the driver's message or stack: they may hold hosts, users or passwords), and a source
 * that keeps failing is not called again until its breaker half-opens. AppErrors of the
 * connector (unknown resource, bad filter) pass through and do not count as failures.
 */
export function guard(
  connector: Connector,
  clock: Clock,
  options: BreakerOptions & { onFailure?: FailureHook } = {},
): Connector & { readonly breaker: CircuitBreaker } {
  const breaker = new CircuitBreaker(clock, options);
  const isFailure = (error: unknown) => !(error instanceof AppError);
  const unavailable = (reason?: string) =>
    new AppError('source_unavailable', `source '${connector.id}' (${connector.kind}) is unavailable`, {
      source: connector.id,
      kind: connector.kind,
      retryAfterSeconds: breaker.state === 'closed' ? undefined : breaker.retryAfterSeconds(),
      ...(reason ? { reason } : {}),
    });
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await breaker.run(fn, isFailure, () => unavailable('breaker open'));
    } catch (error) {
      if (error instanceof AppError) throw error;
      const reason = failureReason(error);
      options.onFailure?.(connector.id, reason);
      throw unavailable();
    }
  };
  return {
    id: connector.id,
    kind: connector.kind,
    breaker,
    describe: (): Promise<SourceResource[]> => call(() => connector.describe()),
    query: (resource: string, filters: Filter[], limit: number): Promise<QueryResult> =>
      call(() => connector.query(resource, filters, limit)),
    async health(): Promise<SourceHealth> {
      if (breaker.state === 'open') return { ok: false, breaker: 'open' };
      try {
        const h = await call(() => connector.health());
        return { ...h, breaker: breaker.state };
      } catch {
        return { ok: false, breaker: breaker.state };
      }
    },
    close: () => connector.close(),
  };
}
