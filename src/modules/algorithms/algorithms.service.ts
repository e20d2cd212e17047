import type { Kysely } from 'kysely';
import type { Principal } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import { forTables } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
import type { AuditLog } from '../audit/index.ts';
import {
  type AlgorithmImpl,
  type CallContext,
  type Decided,
  Gate,
  type GatedAlgorithm,
  type NotDecided,
} from './algorithms.gate.ts';
import { isOwner } from './algorithms.lifecycle.ts';
import { loadRegisterFile } from './algorithms.loader.ts';
import { RegisterService } from './algorithms.register.ts';
import { RegisterRepository } from './algorithms.repository.ts';
import { RegisterSnapshot } from './algorithms.snapshot.ts';
import type { AlgorithmTables } from './algorithms.tables.ts';
import { DecisionRepository } from './decisions.repository.ts';
import type { Subject } from './decisions.schema.ts';
import {
  DEFAULT_REVIEW,
  DecisionService,
  MIN_RETENTION_DAYS,
  type ReviewPolicy,
} from './decisions.service.ts';
import { DecisionLogWriter, type LoggerLike } from './decisions.writer.ts';
import { type Lang, PUBLIC_STATUSES, type PublicAlgorithm, toPublic } from './public.schema.ts';

/** A push channel between processes (e.g. an adapter over the platform bus): register changes invalidate snapshots at once. */
export interface AlgorithmNotifier {
  publish(key: string): Promise<void>;
  subscribe(callback: (key: string) => void): () => void;
}

/** Options of the registry; every timing has a default. */
export interface AlgorithmRegistryOptions {
  db: Kysely<unknown>;
  audit: AuditLog;
  clock: Clock;
  logger?: LoggerLike;
  /** How often each process polls the register's change counter (ms, default 1000). */
  refreshMs?: number;
  /** A snapshot not refreshed for this long refuses every call (ms, default max(10 × refreshMs, 10 s)). */
  staleAfterMs?: number;
  /** Decision-log retention in days (default and minimum 184: six months). */
  retentionDays?: number;
  notifier?: AlgorithmNotifier;
  review?: Partial<ReviewPolicy>;
  /** Decision-log batching: flush interval (ms, default 250), batch size (500), buffer bound (100,000). */
  flushMs?: number;
  maxBatch?: number;
  maxBuffer?: number;
}

const silent: LoggerLike = { warn: () => undefined, error: () => undefined };

/**
 * The algorithm registry: the register and its lifecycle, the runtime gate every algorithm
 * call goes through, the decision log and monitoring. `start()` loads the snapshot and starts
 * the refresh, flush and prune timers; `stop()` ends them and flushes the log.
 */
export class AlgorithmRegistry {
  /** Drafts, edits, lifecycle transitions. */
  readonly register: RegisterService;
  /** "Why", overrides, metrics, retention. */
  readonly decisions: DecisionService;
  private readonly snapshot: RegisterSnapshot;
  private readonly writer: DecisionLogWriter;
  private readonly gateway: Gate;
  private readonly options: AlgorithmRegistryOptions;
  private readonly logger: LoggerLike;
  private timers: NodeJS.Timeout[] = [];
  private unsubscribe: (() => void) | undefined;

  constructor(options: AlgorithmRegistryOptions) {
    this.options = options;
    this.logger = options.logger ?? silent;
    const db = forTables<AlgorithmTables>(options.db);
    const registerRepo = new RegisterRepository();
    const refreshMs = options.refreshMs ?? 1000;
    this.snapshot = new RegisterSnapshot(
      { counter: () => registerRepo.counter(db), rows: () => registerRepo.snapshotRows(db) },
      options.staleAfterMs ?? Math.max(10 * refreshMs, 10_000),
    );
    const decisionRepo = new DecisionRepository();
    this.writer = new DecisionLogWriter(db, decisionRepo, this.logger, {
      flushMs: options.flushMs ?? 250,
      maxBatch: options.maxBatch ?? 500,
      maxBuffer: options.maxBuffer ?? 100_000,
    });
    this.gateway = new Gate(this.snapshot, this.writer, options.clock);
    this.register = new RegisterService({ ...options, changed: (key) => this.changed(key) });
    this.decisions = new DecisionService({
      ...options,
      repo: decisionRepo,
      writer: this.writer,
      review: { ...DEFAULT_REVIEW, ...options.review },
      retentionDays: options.retentionDays ?? MIN_RETENTION_DAYS,
    });
  }

  /** Loads the snapshot, then refreshes it every `refreshMs`, flushes the log and prunes it daily. */
  async start(): Promise<void> {
    if (this.timers.length > 0) return;
    await this.snapshot.refresh(true);
    this.writer.start();
    const refresh = () =>
      this.snapshot.refresh().catch((err) => this.logger.warn({ err }, 'algorithm register refresh failed'));
    const prune = () =>
      this.decisions.prune().catch((err) => this.logger.warn({ err }, 'decision log prune failed'));
    this.timers = [setInterval(refresh, this.options.refreshMs ?? 1000), setInterval(prune, 86_400_000)];
    for (const t of this.timers) t.unref();
    this.unsubscribe = this.options.notifier?.subscribe(() => void refresh());
  }

  /** Stops the timers and the notifier subscription and flushes the decision log. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.writer.stop();
    await this.snapshot.settled();
  }

  /** Runs the version of `key` in use through the gate; throws conflict (reason algorithm_not_in_use) otherwise. */
  run<I, O>(key: string, input: I, impl: AlgorithmImpl<I, O>, context?: CallContext): Promise<Decided<O>> {
    return this.gateway.run(key, input, impl, context);
  }

  /** Runs through the gate, answering `{ decided: false, reason }` instead of throwing, for a human-queue fallback. */
  runOrFallback<I, O>(
    key: string,
    input: I,
    impl: AlgorithmImpl<I, O>,
    context?: CallContext,
  ): Promise<Decided<O> | NotDecided> {
    return this.gateway.runOrFallback(key, input, impl, context);
  }

  /** Binds an implementation to a key (optionally a pinned version) as a gated callable. */
  gate<I, O>(key: string, impl: AlgorithmImpl<I, O>, version?: string): GatedAlgorithm<I, O> {
    return this.gateway.gate(key, impl, version);
  }

  /** Writes every queued decision-log record now. */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /** Re-reads the register into this process's snapshot if it changed. */
  refresh(): Promise<void> {
    return this.snapshot.refresh();
  }

  /** Records a person's correction of a decision; see DecisionService.recordOverride. */
  recordOverride(
    target: string | { key: string; subject: Subject },
    by: Principal,
    reason: string,
    newOutput: unknown,
  ) {
    return this.decisions.recordOverride(target, by, reason, newOutput);
  }

  /** Deletes decisions past retention (never younger than six months). */
  prune(olderThan?: Date) {
    return this.decisions.prune(olderThan);
  }

  /** Imports a register file (idempotent) as the platform. */
  loadRegisterFile(file: string, actor: Principal) {
    return loadRegisterFile(this.register, file, actor);
  }

  /** A version's decision log, for auditors and the owner department's liaison. */
  async decisionsOf(
    principal: Principal,
    key: string,
    version: string,
    page: { limit: number; before?: string },
  ) {
    const v = await this.register.get(key, version);
    if (!principal.roles.includes('auditor') && !isOwner(principal, v.register.owner.departmentCode)) {
      throw new AppError('forbidden', 'the decision log is for auditors and the owner department', {
        reason: 'role',
      });
    }
    return this.decisions.ofVersion(key, version, page);
  }

  /** The public register in one language: in use first, then approved, then retired. */
  async publicRegister(lang: Lang): Promise<PublicAlgorithm[]> {
    const rank = (s: string) => PUBLIC_STATUSES.indexOf(s as (typeof PUBLIC_STATUSES)[number]);
    const versions = await this.register.list({ statuses: [...PUBLIC_STATUSES] });
    return versions.sort((a, b) => rank(a.status) - rank(b.status)).map((v) => toPublic(v, lang));
  }

  private async changed(key: string): Promise<void> {
    await this.snapshot
      .refresh()
      .catch((err) => this.logger.warn({ err, key }, 'algorithm register refresh failed'));
    await this.options.notifier
      ?.publish(key)
      .catch((err) => this.logger.warn({ err, key }, 'algorithm change notify failed'));
  }
}
