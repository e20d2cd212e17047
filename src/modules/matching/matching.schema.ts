import { z } from 'zod';
import { NEED_CATEGORY_CODES } from './matching.categories.ts';

const row = z.record(z.string(), z.unknown());

/** POST /api/v1/matching/needs. */
export const NeedsBodySchema = z.strictObject({
  needs: z
    .array(row)
    .min(1)
    .max(20_000)
    .describe(
      `rows { id?, source (citizen_request | elderly_care | service_application), category (${NEED_CATEGORY_CODES.join(', ')} or zh-CN name), lon, lat, windowStart, windowEnd (ISO 8601), quantity?, durationMinutes?, urgency? 1–5, createdAt? }`,
    ),
});

/** POST /api/v1/matching/resources. */
export const ResourcesBodySchema = z.strictObject({
  resources: z
    .array(row)
    .min(1)
    .max(20_000)
    .describe(
      'rows { id?, kind (facility | provider | volunteer), name, categories[], capacity (units per day, > 0), hours [{ days [1–7], open HH:MM, close HH:MM }] (UTC+8), lon, lat, radiusM? }',
    ),
});

/** What a POST stored. */
export const StoredSchema = z.object({ stored: z.number().int(), ids: z.array(z.string()) });

/** POST /api/v1/matching/runs. */
export const RunSchema = z.object({
  runId: z.string(),
  needs: z.number().int().describe('open needs considered'),
  matched: z.number().int(),
  unmet: z.number().int(),
  resources: z.object({ stored: z.number().int(), facilities: z.number().int() }),
  distance: z.string(),
  seconds: z.number(),
});

/** GET /api/v1/matching/matches. */
export const MatchesQuerySchema = z.object({
  status: z.enum(['matched', 'unmet']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export const MatchesSchema = z.object({
  items: z.array(
    z.object({
      needId: z.string(),
      runId: z.string(),
      status: z.enum(['matched', 'unmet']),
      category: z.string(),
      source: z.string(),
      resourceId: z.string().nullable(),
      streetCode: z.string().nullable(),
      distanceM: z.number().nullable(),
      slotStart: z.string().nullable(),
      createdAt: z.string(),
      decidedAt: z.string(),
      synthetic: z.boolean(),
      explanation: z
        .record(z.string(), z.unknown())
        .describe(
          'matched: rule, order, distance {m, limitM, method, mode}, slot, capacity {day, capacity, usedBefore, usedAfter}, hours, candidates, nearerRejected {closed, full}, alternative; unmet: rule, order, reason, candidates, rejected',
        ),
    }),
  ),
});

const Figures = {
  needs: z.number().int(),
  matched: z.number().int(),
  unmet: z.number().int(),
  pending: z.number().int().describe('not yet in a run'),
  shareMet: z.number().describe('matched / needs, 0–1'),
  medianMatchSeconds: z.number().nullable().describe('need created → matched'),
  p90MatchSeconds: z.number().nullable(),
};

/** GET /api/v1/matching/kpis. */
export const KpisSchema = z.object({
  ...Figures,
  resources: z.number().int().describe('stored resources (life-circle facilities come on top)'),
  unmetReasons: z.record(z.string(), z.number()),
  byCategory: z.record(z.string(), z.object(Figures)),
});
