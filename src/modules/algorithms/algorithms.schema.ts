import { z } from 'zod';
import { MASK_TYPES } from './algorithms.mask.ts';

/** Lifecycle states of an algorithm version. */
export const STATUSES = ['draft', 'filed', 'approved', 'in_use', 'suspended', 'retired'] as const;
/** One lifecycle state. */
export type AlgorithmStatus = (typeof STATUSES)[number];

/** China's five algorithm filing types (算法备案); dispatch and tracing are scheduling_decision. */
export const DECISION_TYPES = [
  'generation_synthesis',
  'personalised_push',
  'ranking_selection',
  'retrieval_filtering',
  'scheduling_decision',
] as const;

/** EU AI Act risk tiers that may be filed (unacceptable-risk systems cannot be). */
export const RISK_CATEGORIES = ['minimal', 'limited', 'high'] as const;

/** Stable algorithm key: dotted lower-case words, e.g. `dispatch.nearest-team`. */
export const AlgorithmKeySchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/, 'dotted lower-case key');
/** Semantic version (MAJOR.MINOR.PATCH with optional pre-release). */
export const SemverSchema = z
  .string()
  .regex(/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$/, 'semver');

/** A text in Chinese and English. */
export const LocalTextSchema = z.strictObject({ zh: z.string().min(1), en: z.string().min(1) });
/** A text in Chinese and English. */
export type LocalText = z.infer<typeof LocalTextSchema>;

const Assessment = z.strictObject({
  summary: LocalTextSchema,
  date: z.iso.date().optional(),
  url: z.url().optional(),
});

/** The fields of one filing: Dutch Algorithm Register standard, Amsterdam/Helsinki registers and 算法备案. */
export const RegisterFieldsSchema = z.strictObject({
  name: LocalTextSchema,
  description: LocalTextSchema.describe('short description'),
  owner: z.strictObject({ departmentCode: z.string().min(1), departmentName: LocalTextSchema }),
  contact: z.strictObject({
    unit: LocalTextSchema.describe('the responsible unit; shown publicly'),
    functionalEmail: z.email().describe('a functional mailbox, shown publicly'),
    person: z.string().optional().describe('named contact; personal data, never shown publicly'),
    phone: z.string().optional().describe('personal data, never shown publicly'),
  }),
  purpose: LocalTextSchema,
  impact: LocalTextSchema,
  legalBasis: z.array(z.strictObject({ title: LocalTextSchema, url: z.url().optional() })).min(1),
  decisionType: z.enum(DECISION_TYPES),
  dataSources: z
    .array(
      z.strictObject({
        name: LocalTextSchema,
        personalData: z.boolean(),
        description: LocalTextSchema.optional(),
      }),
    )
    .min(1),
  technicalOperation: LocalTextSchema,
  supplier: z.strictObject({ name: LocalTextSchema, kind: z.enum(['in_house', 'vendor', 'open_source']) }),
  sourceLink: z.url().optional(),
  riskCategory: z.enum(RISK_CATEGORIES),
  humanOversight: LocalTextSchema,
  risks: z.array(z.strictObject({ risk: LocalTextSchema, mitigation: LocalTextSchema })),
  impactAssessment: Assessment.optional().describe('required before filing'),
  selfAssessment: Assessment.optional().describe('self-assessment report; required before filing'),
  startDate: z.iso.date().optional(),
  endDate: z.iso.date().optional(),
  explainFields: z
    .record(z.string().min(1), z.enum(MASK_TYPES))
    .optional()
    .describe(
      'input fields kept in the decision log to explain it (dotted paths), each with its mask; others are dropped',
    ),
});
/** The fields of one filing. */
export type RegisterFields = z.infer<typeof RegisterFieldsSchema>;

/** POST /api/v1/algorithms: a new draft version. */
export const CreateDraftSchema = z.strictObject({
  key: AlgorithmKeySchema,
  version: SemverSchema,
  register: RegisterFieldsSchema,
});
/** A new draft version. */
export type CreateDraft = z.infer<typeof CreateDraftSchema>;

/** PATCH of a draft: top-level register fields to replace. */
export const UpdateDraftSchema = z.strictObject({ register: RegisterFieldsSchema.partial() });
/** PATCH of a draft. */
export type UpdateDraft = z.infer<typeof UpdateDraftSchema>;

/** A lifecycle change request. */
export const TransitionSchema = z.strictObject({
  to: z.enum(STATUSES),
  reason: z.string().trim().min(3).max(2000),
});
/** A lifecycle change request. */
export type TransitionRequest = z.infer<typeof TransitionSchema>;

/** One version in the (internal) register. */
export const AlgorithmVersionSchema = z.strictObject({
  key: z.string(),
  version: z.string(),
  status: z.enum(STATUSES),
  register: RegisterFieldsSchema,
  createdBy: z.string(),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
  filedBy: z.string().nullable(),
  filedAt: z.iso.datetime({ offset: true }).nullable(),
  approvedBy: z.string().nullable(),
  approvedAt: z.iso.datetime({ offset: true }).nullable(),
  inUseSince: z.iso.datetime({ offset: true }).nullable(),
  retiredAt: z.iso.datetime({ offset: true }).nullable(),
});
/** One version in the register. */
export type AlgorithmVersion = z.infer<typeof AlgorithmVersionSchema>;

/** One row of a version's transition history. */
export const TransitionRecordSchema = z.strictObject({
  from: z.enum(STATUSES).nullable(),
  to: z.enum(STATUSES),
  reason: z.string(),
  actor: z.string(),
  at: z.iso.datetime({ offset: true }),
});
/** One row of a version's transition history. */
export type TransitionRecord = z.infer<typeof TransitionRecordSchema>;

/** Filters of GET /api/v1/algorithms. */
export const RegisterQuerySchema = z.object({
  status: z.enum(STATUSES).optional(),
  type: z.enum(DECISION_TYPES).optional(),
  key: AlgorithmKeySchema.optional(),
});
/** Filters of the register listing. */
export type RegisterQuery = z.infer<typeof RegisterQuerySchema>;

/** Path of a version. */
export const VersionParamsSchema = z.object({ key: AlgorithmKeySchema, version: SemverSchema });
