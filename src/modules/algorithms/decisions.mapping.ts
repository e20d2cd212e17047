import type { Selectable } from 'kysely';
import type { AlgorithmTables } from './algorithms.tables.ts';
import type { AlertRow, DecisionRow, MetricsRow, OverrideRow } from './decisions.repository.ts';
import type { DecisionDto, Explanation, Outcome, ReviewAlert, VersionMetrics } from './decisions.schema.ts';

type SubjectRow = Selectable<AlgorithmTables['algorithm_decision_subject']>;

/** Decision rows with their subjects and overrides, as the API returns them. */
export function toDecisionDtos(
  rows: DecisionRow[],
  subjects: SubjectRow[],
  overrides: OverrideRow[],
): DecisionDto[] {
  return rows.map((r) => ({
    id: r.id,
    at: r.at.toISOString(),
    key: r.algorithm_key,
    version: r.version,
    outcome: r.outcome as Outcome,
    reason: r.reason,
    inputDigest: r.input_digest,
    inputs: r.inputs as Record<string, unknown>,
    output: r.output,
    explanation: r.explanation as Explanation | null,
    subjects: subjects
      .filter((s) => s.decision_id === r.id)
      .map((s) => ({ type: s.subject_type, id: s.subject_id })),
    latencyUs: r.latency_us,
    principal: r.principal,
    overrides: overrides
      .filter((o) => o.decision_id === r.id)
      .map((o) => ({
        id: Number(o.id),
        at: o.at.toISOString(),
        by: o.by,
        reason: o.reason,
        newOutput: o.new_output,
      })),
  }));
}

/** A review alert row as the API returns it. */
export function toAlertDto(r: AlertRow): ReviewAlert {
  return {
    id: Number(r.id),
    key: r.algorithm_key,
    version: r.version,
    status: r.status as 'open' | 'closed',
    raisedAt: r.raised_at.toISOString(),
    decisions: r.decisions,
    overrides: r.overrides,
    overrideRate: r.override_rate,
    windowDays: r.window_days,
  };
}

/** Figures of one version, with its override count and rate. */
export function toMetrics(r: MetricsRow, overrides: Map<string, number>): VersionMetrics {
  const n = overrides.get(r.version) ?? 0;
  return {
    version: r.version,
    calls: r.decided + r.refused + r.errors,
    decided: r.decided,
    refused: r.refused,
    errors: r.errors,
    p50LatencyUs: r.p50 === null ? null : Number(r.p50),
    p95LatencyUs: r.p95 === null ? null : Number(r.p95),
    overrides: n,
    overrideRate: r.decided === 0 ? null : n / r.decided,
  };
}
