import type { Kysely } from 'kysely';
import { canSee, type Principal } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import { forTables } from '../../platform/db/database.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { AuditLog } from '../audit/index.ts';
import { actorOf } from './algorithms.lifecycle.ts';
import type { AlgorithmTables } from './algorithms.tables.ts';
import { toAlertDto, toDecisionDtos, toMetrics } from './decisions.mapping.ts';
import { type ReviewPolicy, raiseReviewIfDue } from './decisions.review.ts';

export { DEFAULT_REVIEW, type ReviewPolicy } from './decisions.review.ts';

import type { DecisionRepository, DecisionRow } from './decisions.repository.ts';
import type { DecisionDto, MetricsResponse, ReviewAlert, Subject } from './decisions.schema.ts';
import type { DecisionLogWriter } from './decisions.writer.ts';

/** The least retention of the decision log: six months (EU AI Act art. 19/26), as 184 days (the longest 6 months). */
export const MIN_RETENTION_DAYS = 184;

const DAY = 86_400_000;

/** A decision logged without a place is visible to whoever may ask; others only inside the principal's jurisdiction. */
function visible(principal: Principal, path: string): boolean {
  return path === '' || canSee(principal, path);
}

/** Dependencies of the decision log's read side, overrides and monitoring. */
export interface DecisionDeps {
  db: Kysely<unknown>;
  audit: AuditLog;
  clock: Clock;
  repo: DecisionRepository;
  writer: DecisionLogWriter;
  review: ReviewPolicy;
  retentionDays: number;
}

/** Reads the decision log ("why"), records overrides, computes monitoring figures, raises review alerts, prunes. */
export class DecisionService {
  private readonly deps: DecisionDeps;
  private readonly db: Kysely<AlgorithmTables>;

  constructor(deps: DecisionDeps) {
    if (deps.retentionDays < MIN_RETENTION_DAYS) {
      throw new AppError(
        'invalid_data',
        `decision-log retention must be at least ${MIN_RETENTION_DAYS} days`,
        {
          retentionDays: deps.retentionDays,
        },
      );
    }
    this.deps = deps;
    this.db = forTables<AlgorithmTables>(deps.db);
  }

  /** The decisions that shaped a subject, oldest first, with their overrides; scoped to the principal. */
  async why(principal: Principal, subject: Subject): Promise<DecisionDto[]> {
    await this.flushed();
    const rows = await this.deps.repo.aboutSubject(this.db, principal, subject.type, subject.id);
    return this.dtos(rows);
  }

  /** Decisions of one version, newest first. */
  async ofVersion(
    key: string,
    version: string,
    page: { limit: number; before?: string },
  ): Promise<DecisionDto[]> {
    await this.flushed();
    const before = page.before ? new Date(page.before) : undefined;
    return this.dtos(await this.deps.repo.ofVersion(this.db, key, version, page.limit, before));
  }

  /** One decision, as the principal may see it. */
  async get(principal: Principal, id: string): Promise<DecisionDto> {
    await this.flushed();
    const row = await this.deps.repo.byId(this.db, id);
    if (!row || !visible(principal, row.jurisdiction_path)) throw notFound('decision', id);
    return (await this.dtos([row]))[0] as DecisionDto;
  }

  /**
   * Records that a person corrected a decision (a dispatcher reassigned, a category was
   * corrected), by decision id or as the latest decision of `key` about `subject`. Audited;
   * raises one review alert per version when the override rate crosses the threshold.
   */
  async recordOverride(
    target: string | { key: string; subject: Subject },
    by: Principal,
    reason: string,
    newOutput: unknown,
  ): Promise<{ overrideId: number; decisionId: string; alert: ReviewAlert | null }> {
    await this.flushed();
    const { repo, clock, audit } = this.deps;
    const decision =
      typeof target === 'string'
        ? await repo.byId(this.db, target)
        : await repo.latestAbout(this.db, target.key, target.subject.type, target.subject.id);
    const label =
      typeof target === 'string' ? target : `${target.key} about ${target.subject.type} ${target.subject.id}`;
    if (!decision || !visible(by, decision.jurisdiction_path)) throw notFound('decision', label);
    if (decision.outcome !== 'decided') {
      throw new AppError(
        'conflict',
        `decision ${decision.id} was ${decision.outcome}; only decisions can be overridden`,
        {
          reason: 'not_decided',
        },
      );
    }
    return this.db.transaction().execute(async (trx) => {
      const overrideId = await repo.insertOverride(trx, {
        decision_id: decision.id,
        decision_at: decision.at,
        algorithm_key: decision.algorithm_key,
        version: decision.version,
        at: clock.now(),
        by: actorOf(by),
        reason,
        new_output: JSON.stringify(newOutput ?? null),
      });
      const subject = {
        subjectType: 'algorithm_decision',
        subjectId: decision.id,
        jurisdictionPath: decision.jurisdiction_path,
      };
      const facts = { key: decision.algorithm_key, version: decision.version, reason, overrideId };
      await audit.append(trx, {
        actor: by,
        action: 'algorithm.decision.overridden',
        ...subject,
        details: facts,
      });
      const alert = await raiseReviewIfDue({ ...this.deps, db: trx }, decision, by);
      return { overrideId, decisionId: decision.id, alert };
    });
  }

  /** Call count, refusals, latency percentiles and override rate per version over the last `windowDays`. */
  async metrics(key: string, windowDays = this.deps.review.windowDays): Promise<MetricsResponse> {
    await this.flushed();
    const since = new Date(this.deps.clock.now().getTime() - windowDays * DAY);
    const rows = await this.deps.repo.metrics(this.db, key, since);
    const overrides = await this.deps.repo.overrideCounts(this.db, key, since);
    const alerts = (await this.deps.repo.alerts(this.db, key)).map(toAlertDto);
    return {
      key,
      windowDays,
      since: since.toISOString(),
      versions: rows.map((r) => toMetrics(r, overrides)),
      alerts,
    };
  }

  /**
   * Deletes decisions older than the configured retention, or than `olderThan` when that is
   * earlier still; never anything younger than the retention (at least six months).
   */
  async prune(olderThan?: Date): Promise<{ deleted: number; cutoff: string }> {
    await this.flushed();
    const floor = this.deps.clock.now().getTime() - this.deps.retentionDays * DAY;
    const cutoff = new Date(Math.min(floor, olderThan?.getTime() ?? floor));
    const deleted = await this.deps.repo.prune(this.db, cutoff);
    return { deleted, cutoff: cutoff.toISOString() };
  }

  /** Writes this process's queued decisions first, so reads see them; a failed write does not stop the read. */
  private async flushed(): Promise<void> {
    await this.deps.writer.flush().catch(() => undefined);
  }

  private async dtos(rows: DecisionRow[]): Promise<DecisionDto[]> {
    const ids = rows.map((r) => r.id);
    const subjects = await this.deps.repo.subjectsOf(this.db, ids);
    const overrides = await this.deps.repo.overridesOf(this.db, ids);
    return toDecisionDtos(rows, subjects, overrides);
  }
}
