import type { Kysely } from 'kysely';
import type { Principal } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import type { AuditLog } from '../audit/index.ts';
import type { AlgorithmTables } from './algorithms.tables.ts';
import { toAlertDto } from './decisions.mapping.ts';
import type { DecisionRepository, DecisionRow } from './decisions.repository.ts';
import type { ReviewAlert } from './decisions.schema.ts';

/** When overrides raise a review alert: rate above `overrideRate` over at least `minDecisions` in `windowDays`. */
export interface ReviewPolicy {
  overrideRate: number;
  minDecisions: number;
  windowDays: number;
}

/** Default review threshold: more than 20% overridden over at least 50 decisions in 30 days. */
export const DEFAULT_REVIEW: ReviewPolicy = { overrideRate: 0.2, minDecisions: 50, windowDays: 30 };

const DAY = 86_400_000;

/** What the review check reads and writes with (inside the override's transaction). */
export interface ReviewDeps {
  db: Kysely<AlgorithmTables>;
  repo: DecisionRepository;
  audit: AuditLog;
  clock: Clock;
  review: ReviewPolicy;
}

/**
 * After an override: when the version's override rate over the window is above the threshold
 * on enough decisions, opens a review alert and audits it. At most one open alert per version
 * (a partial unique index), so later overrides return null.
 */
export async function raiseReviewIfDue(
  deps: ReviewDeps,
  d: DecisionRow,
  by: Principal,
): Promise<ReviewAlert | null> {
  const { review, repo, clock, audit, db: trx } = deps;
  const now = clock.now();
  const since = new Date(now.getTime() - review.windowDays * DAY);
  const decided =
    (await repo.metrics(trx, d.algorithm_key, since)).find((r) => r.version === d.version)?.decided ?? 0;
  const overrides = (await repo.overrideCounts(trx, d.algorithm_key, since, d.version)).get(d.version) ?? 0;
  const rate = decided === 0 ? 0 : overrides / decided;
  if (decided < review.minDecisions || rate <= review.overrideRate) return null;
  const row = await repo.openAlert(trx, {
    algorithm_key: d.algorithm_key,
    version: d.version,
    status: 'open',
    raised_at: now,
    decisions: decided,
    overrides,
    override_rate: rate,
    window_days: review.windowDays,
    closed_at: null,
  });
  if (!row) return null;
  await audit.append(trx, {
    actor: by,
    action: 'algorithm.review.raised',
    subjectType: 'algorithm_version',
    subjectId: `${d.algorithm_key}@${d.version}`,
    details: {
      decisions: decided,
      overrides,
      overrideRate: rate,
      threshold: review.overrideRate,
      windowDays: review.windowDays,
    },
  });
  return toAlertDto(row);
}
