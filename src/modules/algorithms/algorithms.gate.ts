import { randomUUID } from 'node:crypto';
import { type Principal, SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import { AppError } from '../../platform/errors.ts';
import { scrubText } from './algorithms.mask.ts';
import type { Refusal, RegisterSnapshot } from './algorithms.snapshot.ts';
import type { Explanation, PendingDecision, Subject } from './decisions.schema.ts';
import type { DecisionLogWriter } from './decisions.writer.ts';

/** What an algorithm implementation returns: its output, why, and what it shaped. */
export interface AlgorithmResult<O> {
  output: O;
  explanation: string | Explanation;
  subjects?: Subject[];
}

/** An algorithm implementation, told which key and version it runs as. */
export type AlgorithmImpl<I, O> = (
  input: I,
  meta: { key: string; version: string },
) => AlgorithmResult<O> | Promise<AlgorithmResult<O>>;

/** Who asks, about what, where; `version` pins a version (refused unless it is the one in use). */
export interface CallContext {
  principal?: Pick<Principal, 'kind' | 'id'>;
  subjects?: Subject[];
  jurisdictionPath?: string;
  version?: string;
}

/** A decision the algorithm made, with its decision-log id. */
export interface Decided<O> {
  decided: true;
  decisionId: string;
  key: string;
  version: string;
  output: O;
  explanation: Explanation;
  subjects: Subject[];
}

/** No decision: route the case to a human queue. */
export interface NotDecided {
  decided: false;
  decisionId: string;
  reason: 'algorithm_not_in_use' | 'algorithm_error';
  refusal?: Refusal;
  error?: string;
}

/** A callable bound to one algorithm key (and optionally a pinned version). */
export interface GatedAlgorithm<I, O> {
  readonly key: string;
  run(input: I, context?: CallContext): Promise<Decided<O>>;
  runOrFallback(input: I, context?: CallContext): Promise<Decided<O> | NotDecided>;
}

const NOTHING = { outputJson: null, explanation: null, subjects: [], latencyUs: 0, policy: {} };

/** True when an error is the gate refusing an algorithm that is not in use. */
export function isNotInUse(err: unknown): err is AppError {
  return err instanceof AppError && (err.details as Refusal | undefined)?.reason === 'algorithm_not_in_use';
}

/**
 * The runtime gate: code calls algorithms only through it. Each call looks the key up in the
 * in-memory snapshot (no query), refuses unless a version is in use, times the implementation
 * and queues a decision-log record. Refused and failed calls are logged too.
 */
export class Gate {
  private readonly snapshot: RegisterSnapshot;
  private readonly writer: DecisionLogWriter;
  private readonly clock: Clock;

  constructor(snapshot: RegisterSnapshot, writer: DecisionLogWriter, clock: Clock) {
    this.snapshot = snapshot;
    this.writer = writer;
    this.clock = clock;
  }

  /** Runs the version of `key` in use; throws conflict (details.reason 'algorithm_not_in_use') when there is none. */
  async run<I, O>(
    key: string,
    input: I,
    impl: AlgorithmImpl<I, O>,
    context: CallContext = {},
  ): Promise<Decided<O>> {
    const found = this.snapshot.lookup(key, context.version);
    const inputJson = JSON.stringify(input) ?? 'null';
    if (!found.ok) {
      const { cause, version } = found.refusal;
      const id = this.log(
        {
          ...NOTHING,
          key,
          version: version ?? '',
          outcome: 'refused',
          reason: cause,
          inputJson,
          subjects: context.subjects ?? [],
        },
        context,
      );
      throw new AppError(
        'conflict',
        `algorithm ${key} is not in use (${found.refusal.cause.replaceAll('_', ' ')})`,
        {
          ...found.refusal,
          decisionId: id,
        },
      );
    }
    const { version, policy } = found.entry;
    const started = performance.now();
    let result: AlgorithmResult<O>;
    try {
      result = await impl(input, { key, version });
    } catch (err) {
      const us = Math.round((performance.now() - started) * 1000);
      const message = scrubText(err instanceof Error ? err.message : String(err)).slice(0, 500);
      const subjects = context.subjects ?? [];
      this.log(
        {
          ...NOTHING,
          key,
          version,
          outcome: 'error',
          reason: message,
          inputJson,
          subjects,
          latencyUs: us,
          policy,
        },
        context,
      );
      throw err;
    }
    const latencyUs = Math.round((performance.now() - started) * 1000);
    const explanation =
      typeof result.explanation === 'string' ? { text: result.explanation } : result.explanation;
    const subjects = result.subjects
      ? [...(context.subjects ?? []), ...result.subjects]
      : (context.subjects ?? []);
    const outputJson = JSON.stringify(result.output) ?? null;
    const record = {
      key,
      version,
      outcome: 'decided' as const,
      reason: null,
      inputJson,
      outputJson,
      explanation,
    };
    const decisionId = this.log({ ...record, subjects, latencyUs, policy }, context);
    return { decided: true, decisionId, key, version, output: result.output, explanation, subjects };
  }

  /** Like `run`, but answers `{ decided: false, reason }` instead of throwing, for callers that fall back to people. */
  async runOrFallback<I, O>(key: string, input: I, impl: AlgorithmImpl<I, O>, context: CallContext = {}) {
    try {
      return await this.run(key, input, impl, context);
    } catch (err) {
      if (isNotInUse(err)) {
        const refusal = err.details as Refusal & { decisionId: string };
        return {
          decided: false,
          decisionId: refusal.decisionId,
          reason: 'algorithm_not_in_use',
          refusal,
        } satisfies NotDecided;
      }
      const error = err instanceof Error ? err.message : String(err);
      return { decided: false, decisionId: '', reason: 'algorithm_error', error } satisfies NotDecided;
    }
  }

  /** Binds an implementation to a key (and optionally a pinned version). */
  gate<I, O>(key: string, impl: AlgorithmImpl<I, O>, version?: string): GatedAlgorithm<I, O> {
    const pin = (context: CallContext = {}) => (version ? { ...context, version } : context);
    return {
      key,
      run: (input, context) => this.run(key, input, impl, pin(context)),
      runOrFallback: (input, context) => this.runOrFallback(key, input, impl, pin(context)),
    };
  }

  private log(
    record: Omit<PendingDecision, 'id' | 'at' | 'principal' | 'jurisdictionPath'>,
    context: CallContext,
  ): string {
    const id = randomUUID();
    const p = context.principal ?? SYSTEM_PRINCIPAL;
    const principal = `${p.kind}:${p.id}`;
    this.writer.enqueue({
      ...record,
      id,
      at: this.clock.now(),
      principal,
      jurisdictionPath: context.jurisdictionPath ?? '',
    });
    return id;
  }
}
