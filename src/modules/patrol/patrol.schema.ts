import { z } from 'zod';

const Area = z
  .string()
  .regex(/^[0-9A-Za-z_-]{1,32}$/)
  .optional()
  .describe('district or street code: only its cells');
const iso = z.iso.datetime({ offset: true });

/** One point of the PAI curve. */
export const PaiPointSchema = z.object({
  areaShare: z.number(),
  cells: z.number().int(),
  hits: z.number().int(),
  hitRate: z.number(),
  pai: z.number(),
});

/** Held-out accuracy of a scorer. */
export const AccuracySchema = z.object({
  pai: z.number().describe('PAI at 1% of the study area'),
  curve: z.array(PaiPointSchema),
  testIncidents: z.number().int(),
  cells: z.number().int(),
  testWeeks: z.array(
    z.object({
      from: z.string(),
      to: z.string(),
      incidents: z.number().int(),
      hitsAtHeadline: z.number().int(),
    }),
  ),
});

/** What the model rests on, said on every answer. */
export const ModelInfoSchema = z.object({
  method: z.string(),
  kernel: z.object({ bandwidthRings: z.number(), halfLifeDays: z.number(), windowDays: z.number() }),
  cellResolution: z.number().int(),
  studyArea: z.object({ cells: z.number().int(), streets: z.number().int(), districts: z.array(z.string()) }),
  trainedUntil: iso,
  reportedIncidents: z.number().int().describe('incidents the model learns from (reported only)'),
  sources: z.array(z.string()).describe('sources of the incidents learnt from'),
  fromReportedOnly: z.boolean(),
  excluded: z.record(z.string(), z.number()).describe('incidents left out by source (patrol-discovered …)'),
  outside: z.number().int(),
  synthetic: z.number().int().describe('how many of the incidents learnt from are synthetic demo data'),
  accuracy: AccuracySchema,
  baseline: AccuracySchema.describe('plain count per cell over the same window, same held-out weeks'),
  refreshSeconds: z.number(),
});

/** GET /api/v1/patrol/hotspots. */
export const HotspotsQuerySchema = z.object({
  area: Area,
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export const HotspotsSchema = z.object({
  model: ModelInfoSchema,
  cells: z.array(
    z.object({
      h3: z.string(),
      lon: z.number(),
      lat: z.number(),
      score: z.number(),
      streetCode: z.string(),
      streetName: z.string(),
    }),
  ),
});

/** A beat of a plan. */
export const BeatSchema = z.object({
  id: z.string(),
  cells: z.array(z.string()),
  center: z.tuple([z.number(), z.number()]),
  streetCode: z.string(),
  streetName: z.string(),
  streetPath: z.string(),
  districtCode: z.string(),
  risk: z.number(),
  hours: z.number(),
});

/** Body of POST /api/v1/patrol/plans. */
export const PlanRequestSchema = z.strictObject({
  area: Area,
  beats: z.number().int().min(1).max(100).default(10),
  cellsPerBeat: z.number().int().min(1).max(7).default(3),
  totalHours: z.number().positive().max(100_000).default(80).describe('officer-hours to allocate'),
  shareCap: z
    .number()
    .gt(0)
    .max(1)
    .default(0.25)
    .describe('no area may take more than this share of the hours'),
  capLevel: z.enum(['street', 'district']).default('street'),
  asOf: iso.optional().describe('plan as of this time (default now): trains on incidents before it'),
  hours: z
    .record(z.string().regex(/^B[0-9]{1,3}$/), z.number().min(0).max(100_000))
    .optional()
    .describe('hours per beat id set by hand instead of the allocation (checked against the cap)'),
});
/** A plan request after defaults. */
export type PlanRequest = z.output<typeof PlanRequestSchema>;

/** A patrol plan. */
export const PatrolPlanSchema = z.object({
  id: z.string(),
  createdAt: iso,
  createdBy: z.string(),
  asOf: iso,
  jurisdictionPath: z.string(),
  decisionId: z.string(),
  algorithm: z.object({ key: z.string(), version: z.string() }),
  params: z.object({
    beats: z.number().int(),
    cellsPerBeat: z.number().int(),
    totalHours: z.number(),
    shareCap: z.number(),
    capLevel: z.enum(['street', 'district']),
    manualHours: z.boolean(),
  }),
  beats: z.array(BeatSchema),
  shares: z.array(z.object({ area: z.string(), hours: z.number(), share: z.number() })),
  maxAreaShare: z.number(),
  reasons: z.array(z.string()),
  model: z.object({
    pai: z.number(),
    baselinePai: z.number(),
    reportedIncidents: z.number().int(),
    fromReportedOnly: z.boolean(),
    excluded: z.record(z.string(), z.number()),
    synthetic: z.number().int(),
  }),
});
/** A patrol plan. */
export type PatrolPlan = z.infer<typeof PatrolPlanSchema>;

/** GET /api/v1/patrol/plans/:id/displacement. */
export const DisplacementQuerySchema = z.object({
  weeks: z.coerce.number().int().min(1).max(26).default(4),
  bufferRings: z.coerce.number().int().min(1).max(5).default(2),
});
export const DisplacementSchema = z.object({
  planId: z.string(),
  at: iso,
  weeks: z.number().int(),
  bufferRings: z.number().int(),
  treatedCells: z.number().int(),
  bufferCells: z.number().int(),
  controlCells: z.number().int(),
  before: z.object({ from: z.string(), treated: z.number(), buffer: z.number(), control: z.number() }),
  after: z.object({
    to: z.string(),
    treated: z.number(),
    buffer: z.number(),
    control: z.number(),
    complete: z.boolean(),
  }),
  successMeasure: z.number().nullable(),
  bufferMeasure: z.number().nullable(),
  wdq: z.number().nullable(),
  finding: z.enum(['diffusion', 'displacement', 'no_change_in_buffer', 'no_success', 'insufficient_data']),
});

/** GET /api/v1/patrol/beats/mine: the caller's beats in the newest plan covering their area. */
export const MyBeatsSchema = z.object({
  plan: z
    .object({
      id: z.string(),
      createdAt: iso,
      asOf: iso,
      decisionId: z.string(),
      jurisdictionPath: z.string(),
    })
    .nullable(),
  beats: z.array(BeatSchema),
});
