import { z } from 'zod';

const Instant = z.iso.datetime({ offset: true });

/** The material pre-check's verdict on what the applicant gave (services.material-precheck, through the filing gate). */
export const MaterialPrecheckSchema = z
  .object({
    status: z
      .enum(['pass', 'needs_review', 'not_prechecked'])
      .describe('not_prechecked: the gate did not let the algorithm decide (notCheckedReason)'),
    reasons: z
      .array(z.object({ code: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])) }))
      .describe(
        'codes with parameters: id_check_digit, id_birth_date, id_birth_future, id_format, card_luhn, card_format, file_type, file_declared_type, file_too_small, image_too_small, image_unreadable, date_in_future',
      ),
    decisionId: z
      .string()
      .describe('the decision-log record (GET /api/v1/why?subjectType=service_application)'),
    algorithm: z.string().optional().describe('key@version that decided'),
    notCheckedReason: z.enum(['algorithm_not_in_use', 'algorithm_error']).optional(),
    at: Instant,
  })
  .meta({ id: 'ServicesMaterialPrecheck' });
export type MaterialPrecheck = z.infer<typeof MaterialPrecheckSchema>;

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
    precheck: MaterialPrecheckSchema.optional().describe(
      'the pre-check of what the applicant gave, when a gate is wired',
    ),
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

const NotifyUrl = z
  .url({ protocol: /^https?$/ })
  .max(500)
  .describe('your webhook: every notice about the application is also POSTed there as JSON');

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
  notifyUrl: NotifyUrl.optional(),
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
  materials: z
    .array(z.string().max(64))
    .max(50)
    .optional()
    .describe(
      'with a correction: the materials to correct (an override of the pre-check when it passed them)',
    ),
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

/** What an electronic certificate asserts: signed (compact JWS, EdDSA) and carried in full by its QR code. */
export const CertificateClaimsSchema = z
  .object({
    v: z.literal(1),
    number: z.string().describe('SV-<issue date>-<serial>'),
    bundle: z.string().describe('bundle id @ version'),
    application: z.string(),
    item: z.string(),
    title: z.string().describe('the output’s name (Chinese)'),
    titleEn: z.string(),
    holder: z.object({ id: z.string(), name: z.string() }).describe('the applicant'),
    subject: z
      .string()
      .nullable()
      .describe('whom the certificate is about when not the applicant (the newborn’s name)'),
    issuer: z.string().describe('the department that approved the item'),
    issuedAt: Instant,
    validFrom: z.string().describe('date'),
    validUntil: z.string().nullable().describe('date; null: no expiry'),
  })
  .meta({ id: 'ServicesCertificateClaims' });
export type CertificateClaims = z.infer<typeof CertificateClaimsSchema>;

export const CertificateSchema = z
  .object({
    number: z.string(),
    item: z.string(),
    issuedAt: Instant,
    claims: CertificateClaimsSchema,
    qr: z
      .string()
      .describe('the QR code’s text: the claims as a compact JWS signed with the key at /services/keys'),
    pdf: z.string().describe('where its applicant downloads the PDF'),
  })
  .meta({ id: 'ServicesCertificate' });
export type CertificateDto = z.infer<typeof CertificateSchema>;

export const CertificateVerifySchema = z
  .object({
    valid: z.boolean(),
    reason: z
      .enum([
        'ok',
        'malformed',
        'unknown_key',
        'bad_signature',
        'unknown_certificate',
        'not_as_issued',
        'expired',
      ])
      .describe(
        'malformed: not a certificate’s QR text; unknown_key: signed by no published key; bad_signature: changed after signing; unknown_certificate: no such number issued; not_as_issued: signed, but not the text issued under that number',
      ),
    claims: CertificateClaimsSchema.nullable().describe('what the text asserts, when its signature verifies'),
  })
  .meta({ id: 'ServicesCertificateCheck' });
export type CertificateVerifyDto = z.infer<typeof CertificateVerifySchema>;

export const CertificateStatusSchema = z.object({
  number: z.string(),
  valid: z.boolean(),
  status: z.enum(['valid', 'expired']),
  item: z.string(),
  title: z.string(),
  issuer: z.string(),
  issuedAt: Instant,
  validUntil: z.string().nullable(),
  holder: z.string().describe('the holder’s name, masked'),
});
export type CertificateStatusDto = z.infer<typeof CertificateStatusSchema>;

const IdNumber = z.string().regex(/^\d{17}[\dX]$/, '18 characters: 17 digits and a digit or X');

/** A birth registered by the hospital's health department: it opens a newborn bundle proposal for the parent. */
export const BirthSchema = z.object({
  birthRecordNo: z
    .string()
    .trim()
    .min(1)
    .max(40)
    .describe('the birth record’s number (one proposal per birth)'),
  newbornName: z.string().trim().min(1).max(40),
  birthDate: z.iso.date(),
  hospital: z.string().trim().min(1).max(60),
  motherIdNumber: IdNumber,
  fatherIdNumber: IdNumber,
  parent: z.object({
    account: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .describe('the parent’s citizen account (username) on the portal'),
    relation: z.enum(['mother', 'father']),
  }),
});
export type BirthInput = z.infer<typeof BirthSchema>;

export const ProposalSchema = z
  .object({
    id: z.string(),
    bundleId: z.string(),
    trigger: z.enum(['birth']),
    triggerRef: z.string(),
    status: z.enum(['open', 'accepted', 'declined']),
    form: z.record(z.string(), z.unknown()).describe('pre-filled from the registration'),
    record: z.record(z.string(), z.unknown()).describe('the event as registered'),
    materials: z
      .array(
        z.object({
          code: z.string(),
          titleZh: z.string(),
          from: z.enum(['departments', 'item', 'you']),
          holders: z.array(z.string()).describe('the departments whose records are read, once you consent'),
        }),
      )
      .describe(
        'what will be filled from departments’ records once you accept with consent (nothing is read before)',
      ),
    consentText: z.string(),
    applicationId: z.string().nullable(),
    createdAt: Instant,
    decidedAt: Instant.nullable(),
    declineReason: z.string().nullable(),
  })
  .meta({ id: 'ServicesProposal' });
export type ProposalDto = z.infer<typeof ProposalSchema>;

export const AcceptProposalSchema = z.object({
  consent: z.boolean().describe('read the departments’ records named in the proposal'),
  notifyUrl: NotifyUrl.optional(),
});
export type AcceptProposal = z.infer<typeof AcceptProposalSchema>;

export const DeclineProposalSchema = z.object({ reason: z.string().trim().min(1).max(300).optional() });
