import { z } from 'zod';

const Instant = z.iso.datetime({ offset: true });

/** One material of an application: where it came from and whether the applicant confirmed it. */
export const MaterialSchema = z
  .object({
    code: z.string(),
    titleZh: z.string(),
    titleEn: z.string(),
    origin: z
      .enum(['shared_data', 'applicant', 'item'])
      .describe('filled from a department’s records, given by the applicant, or produced by an item'),
    status: z
      .enum(['fetched', 'confirmed', 'needed', 'provided', 'awaiting_item', 'produced'])
      .describe('fetched: shown to the applicant to confirm; needed: the applicant must provide it'),
    format: z.enum(['file', 'text']).optional(),
    resourceId: z.string().optional(),
    owner: z.string().optional().describe('the department that holds it'),
    exchangeId: z.string().optional().describe('the exchange-log record of the read'),
    item: z.string().optional().describe('the item whose output it is'),
    value: z
      .unknown()
      .optional()
      .describe('the record as the gateway served it (masked), or the applicant’s text'),
    note: z.string().optional().describe('why a source did not fill it'),
  })
  .meta({ id: 'ServicesMaterial' });
export type MaterialDto = z.infer<typeof MaterialSchema>;

export const StepSchema = z
  .object({
    item: z.string(),
    titleZh: z.string(),
    department: z.string(),
    status: z.enum(['waiting', 'pending', 'approved', 'rejected', 'correction', 'cancelled']),
    round: z.number().int(),
    startedAt: Instant.nullable(),
    dueAt: Instant.nullable().describe('the time limit, in working days on the city’s calendar'),
    remindedAt: Instant.nullable(),
    escalatedAt: Instant.nullable(),
    decidedBy: z.string().nullable(),
    decidedAt: Instant.nullable(),
    reason: z.string().nullable(),
  })
  .meta({ id: 'ServicesStep' });
export type StepDto = z.infer<typeof StepSchema>;

/** The figures of one application (the stories' summary). */
export const SummarySchema = z.object({
  items: z.number().int(),
  departments: z.number().int().describe('item desks and the owners of the records read'),
  materialsRequired: z.number().int(),
  materialsFromCitizen: z.number().int(),
  materialsFromSharedData: z.number().int(),
  materialsFromItems: z.number().int(),
  leadTimeMinutes: z.number().nullable().describe('submission to the last approval'),
});

export const ApplicationSchema = z
  .object({
    id: z.string(),
    bundleId: z.string(),
    version: z.number().int(),
    applicantId: z.string(),
    status: z.enum(['draft', 'in_progress', 'correction', 'completed', 'rejected']),
    form: z.record(z.string(), z.unknown()),
    consentAt: Instant.nullable(),
    materials: z.array(MaterialSchema),
    steps: z.array(StepSchema),
    reason: z.string().nullable(),
    createdAt: Instant,
    submittedAt: Instant.nullable(),
    completedAt: Instant.nullable(),
    summary: SummarySchema,
  })
  .meta({ id: 'ServicesApplication' });
export type ApplicationDto = z.infer<typeof ApplicationSchema>;

const FormSchema = z.record(z.string().max(40), z.union([z.string().max(200), z.number(), z.boolean()]));

export const EligibilityBodySchema = z.object({ form: FormSchema });
export const EligibilitySchema = z.object({
  eligible: z.boolean(),
  reasons: z.array(
    z.object({ rule: z.string(), field: z.string(), reasonZh: z.string(), reasonEn: z.string() }),
  ),
});
export type EligibilityDto = z.infer<typeof EligibilitySchema>;

export const CreateApplicationSchema = z.object({
  bundleId: z.string().min(1).max(64),
  form: FormSchema,
  consent: z
    .boolean()
    .describe('the applicant agrees that the departments’ records named by the bundle are read for it'),
});
export type CreateApplication = z.infer<typeof CreateApplicationSchema>;

const Provided = z.record(z.string().max(64), z.string().min(1).max(3_000_000));
export const SubmitSchema = z.object({
  confirm: z
    .array(z.string().max(64))
    .max(100)
    .default([])
    .describe('fetched materials the applicant confirms'),
  provided: Provided.default({}).describe('materials the applicant gives: text, or a file as a data: URL'),
});
export type SubmitBody = z.infer<typeof SubmitSchema>;

export const CorrectionSchema = z.object({ item: z.string().max(64), provided: Provided });
export type CorrectionBody = z.infer<typeof CorrectionSchema>;

export const DecisionSchema = z.object({
  decision: z.enum(['approve', 'reject', 'correction']),
  reason: z.string().trim().min(1).max(500).optional().describe('required to reject or ask for a correction'),
});
export type DecisionBody = z.infer<typeof DecisionSchema>;

export const DeskItemSchema = z.object({
  applicationId: z.string(),
  bundleId: z.string(),
  version: z.number().int(),
  step: StepSchema,
  materials: z.array(MaterialSchema).describe('what the item needs'),
});
export type DeskItemDto = z.infer<typeof DeskItemSchema>;

export const BundleSummarySchema = z.object({
  id: z.string(),
  version: z.number().int(),
  titleZh: z.string(),
  titleEn: z.string(),
  modelledOn: z.string(),
  items: z.number().int(),
  departments: z.array(z.string()),
  materials: z.number().int(),
});
export type BundleSummaryDto = z.infer<typeof BundleSummarySchema>;
