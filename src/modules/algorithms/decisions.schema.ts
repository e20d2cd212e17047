import type { Generated } from 'kysely';
import { z } from 'zod';
import type { FieldPolicy } from './algorithms.mask.ts';

/** Something a decision shaped: an event, a task, a complaint… */
export const SubjectSchema = z.strictObject({ type: z.string().min(1), id: z.string().min(1) });
/** Something a decision shaped. */
export type Subject = z.infer<typeof SubjectSchema>;

/** How a decision explains itself: a rendered text (English or the only language), optional Chinese, structured facts. */
export const ExplanationSchema = z.strictObject({
  text: z.string(),
  zh: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});
/** How a decision explains itself. */
export type Explanation = z.infer<typeof ExplanationSchema>;

/** How a call ended: decided, refused by the gate, or the implementation threw. */
export const OUTCOMES = ['decided', 'refused', 'error'] as const;
/** How a call ended. */
export type Outcome = (typeof OUTCOMES)[number];

/** A decision as the hot path queues it; masking and hashing happen at flush, off the hot path. */
export interface PendingDecision {
  id: string;
  at: Date;
  key: string;
  version: string;
  outcome: Outcome;
  reason: string | null;
  /** The input as JSON at call time: a frozen copy, so later mutation by the caller cannot change the record. */
  inputJson: string;
  outputJson: string | null;
  explanation: Explanation | null;
  subjects: Subject[];
  latencyUs: number;
  principal: string;
  jurisdictionPath: string;
  policy: FieldPolicy;
}

const iso = z.iso.datetime({ offset: true });

/** A correction a person made to a decision. */
export const OverrideSchema = z.strictObject({
  id: z.number().int(),
  at: iso,
  by: z.string(),
  reason: z.string(),
  newOutput: z.unknown(),
});
/** A correction a person made to a decision. */
export type OverrideDto = z.infer<typeof OverrideSchema>;

/** One decision-log record as the API returns it. */
export const DecisionSchema = z.strictObject({
  id: z.uuid(),
  at: iso,
  key: z.string(),
  version: z.string(),
  outcome: z.enum(OUTCOMES),
  reason: z.string().nullable(),
  inputDigest: z.string(),
  inputs: z
    .record(z.string(), z.unknown())
    .describe('the inputs kept to explain the decision, masked by the filing’s policy'),
  output: z.unknown(),
  explanation: ExplanationSchema.nullable(),
  subjects: z.array(SubjectSchema),
  latencyUs: z.number().int(),
  principal: z.string(),
  overrides: z.array(OverrideSchema),
});
/** One decision-log record. */
export type DecisionDto = z.infer<typeof DecisionSchema>;

/** GET /api/v1/why. */
export const WhyQuerySchema = z.object({
  subjectType: z.string().min(1),
  subjectId: z.string().min(1),
});

/** GET …/decisions paging. */
export const DecisionPageSchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: iso.optional().describe('only decisions strictly before this time'),
});

/** POST /api/v1/decisions/:id/override. */
export const OverrideRequestSchema = z.strictObject({
  reason: z.string().trim().min(3).max(2000),
  newOutput: z.unknown(),
});

/** Monitoring figures of one version over a window. */
export const VersionMetricsSchema = z.strictObject({
  version: z.string(),
  calls: z.number().int(),
  decided: z.number().int(),
  refused: z.number().int(),
  errors: z.number().int(),
  p50LatencyUs: z.number().nullable(),
  p95LatencyUs: z.number().nullable(),
  overrides: z.number().int().describe('decided decisions that a person corrected at least once'),
  overrideRate: z.number().nullable().describe('overrides / decided, null when nothing was decided'),
});
/** Monitoring figures of one version. */
export type VersionMetrics = z.infer<typeof VersionMetricsSchema>;

/** An open or closed review alert. */
export const ReviewAlertSchema = z.strictObject({
  id: z.number().int(),
  key: z.string(),
  version: z.string(),
  status: z.enum(['open', 'closed']),
  raisedAt: iso,
  decisions: z.number().int(),
  overrides: z.number().int(),
  overrideRate: z.number(),
  windowDays: z.number().int(),
});
/** A review alert. */
export type ReviewAlert = z.infer<typeof ReviewAlertSchema>;

/** GET /api/v1/algorithms/:key/metrics. */
export const MetricsResponseSchema = z.strictObject({
  key: z.string(),
  windowDays: z.number().int(),
  since: iso,
  versions: z.array(VersionMetricsSchema),
  alerts: z.array(ReviewAlertSchema),
});
/** Metrics of one algorithm. */
export type MetricsResponse = z.infer<typeof MetricsResponseSchema>;

/**
 * Decision-log records the database refused for their data (see the README, "Poison records"):
 * `sanitised` — written to the log with lone surrogates replaced and NUL removed, this row
 * keeping the original's excerpt; `quarantined` — still refused (or unmappable), not in the log.
 */
export type DecisionQuarantineTables = {
  algorithm_decision_quarantine: {
    id: Generated<string>;
    decision_id: string;
    decision_at: Date;
    algorithm_key: string;
    version: string;
    action: 'sanitised' | 'quarantined';
    sqlstate: string | null;
    reason: string;
    excerpt: string;
    at: Date;
  };
};
