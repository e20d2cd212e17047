import { z } from 'zod';
import { RISK_CLASSES } from './catalogue.ts';

const Date10 = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const RiskClassSchema = z.enum(RISK_CLASSES);

export const EnterpriseSchema = z.object({
  creditCode: z.string(),
  name: z.string(),
  industry: z.string(),
  streetCode: z.string(),
  districtCode: z.string(),
  creditScore: z.number().int(),
  riskClass: RiskClassSchema,
  hasKey: z.boolean(),
  synthetic: z.boolean(),
  /** One enterprise's read only: its records whose penalties a credit repair would lift, and its last repair. */
  creditRepair: z
    .object({
      bundleId: z.string(),
      repairableRecords: z.number().int(),
      lastRepairedAt: z.string().nullable(),
    })
    .optional(),
});
export type EnterpriseDto = z.infer<typeof EnterpriseSchema>;

export const EnterpriseBodySchema = z.object({
  creditCode: z.string().min(1).max(40),
  name: z.string().min(1).max(200),
  industry: z.string().min(1),
  streetCode: z.string().regex(/^\d{9}$/),
  creditScore: z.number().int().min(0).max(100).default(80),
});
export type EnterpriseBody = z.infer<typeof EnterpriseBodySchema>;

export const EnterpriseQuerySchema = z.object({
  districtCode: z.string().optional(),
  industry: z.string().optional(),
  riskClass: RiskClassSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type EnterpriseQuery = z.infer<typeof EnterpriseQuerySchema>;

export const InspectorSchema = z.object({
  id: z.string(),
  username: z.string().nullable(),
  name: z.string(),
  department: z.string(),
  districtCode: z.string(),
  qualifications: z.array(z.string()),
  hasKey: z.boolean(),
});
export type InspectorDto = z.infer<typeof InspectorSchema>;

export const PublicKeyBodySchema = z.object({
  /** Ed25519 public key, 32 bytes, base64url. */
  publicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/, '32 bytes, base64url'),
});

export const SelectionSchema = z.object({
  department: z.string(),
  enterprise: z.string(),
  riskClass: RiskClassSchema,
  items: z.array(z.string()),
  inspectors: z.array(z.string()),
});

export const DrawSchema = z.object({
  id: z.string(),
  districtCode: z.string(),
  month: z.string(),
  departments: z.array(z.string()),
  commitment: z.string(),
  inputsDigest: z.string(),
  status: z.enum(['committed', 'revealed']),
  seed: z.string().nullable(),
  resultDigest: z.string().nullable(),
  selections: z.array(SelectionSchema).nullable(),
  unstaffed: z.number().int().nullable(),
  committedAt: z.string(),
  revealedAt: z.string().nullable(),
});
export type DrawDto = z.infer<typeof DrawSchema>;

export const DrawCommitBodySchema = z.object({
  districtCode: z.string().regex(/^\d{6}$/),
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/),
  departments: z.array(z.string()).min(1).optional(),
  /** SHA-256 (hex) of the seed the coordinator keeps until the reveal. */
  commitment: z.string().regex(/^[0-9a-f]{64}$/),
});
export type DrawCommitBody = z.infer<typeof DrawCommitBodySchema>;

export const DrawRerunSchema = z.object({
  drawId: z.string(),
  matches: z.boolean(),
  commitmentMatches: z.boolean(),
  inputsDigestMatches: z.boolean(),
  resultDigest: z.string(),
  publishedResultDigest: z.string(),
});

export const InspectionBodySchema = z.object({
  enterpriseCode: z.string(),
  department: z.string(),
  start: Date10,
  end: Date10,
  /** Why a visit within the quiet period is needed (complaint, follow-up); without it such a visit is refused. */
  reason: z.string().max(500).optional(),
});
export type InspectionBody = z.infer<typeof InspectionBodySchema>;

export const VisitSchema = z.object({
  id: z.string(),
  enterpriseCode: z.string(),
  departments: z.array(z.string()),
  leadDepartment: z.string(),
  items: z.array(z.string()),
  inspectors: z.array(z.string()),
  start: z.string(),
  end: z.string(),
  status: z.enum(['planned', 'done']),
  flagged: z.boolean(),
  reason: z.string().nullable(),
  inspections: z.number().int(),
});
export type VisitDto = z.infer<typeof VisitSchema>;

export const PlacementSchema = z.object({
  inspectionId: z.string(),
  action: z.enum(['join', 'new']),
  visit: VisitSchema,
});

export const VisitQuerySchema = z.object({
  enterpriseCode: z.string().optional(),
  districtCode: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const FindingSchema = z.object({
  itemId: z.string(),
  result: z.enum(['pass', 'fail']),
  note: z.string().max(500).default(''),
});

/** What both parties sign: its canonical JSON's SHA-256 is the record digest. */
export const RecordBodySchema = z.object({
  visitId: z.string(),
  enterpriseCode: z.string(),
  inspectorId: z.string(),
  findings: z.array(FindingSchema).min(1),
  signedAt: z.string(),
});
export type RecordBody = z.infer<typeof RecordBodySchema>;

export const RecordSubmitSchema = z.object({
  inspectorCode: z.string(),
  enterpriseCode: z.string(),
  body: RecordBodySchema,
  /** Ed25519 signature of the digest by the inspector's key (base64url). */
  inspectorSignature: z.string(),
  /** Ed25519 signature of the digest by the enterprise's key (base64url), or… */
  enterpriseSignature: z.string().optional(),
  /** …the one-time code the enterprise was sent. */
  oneTimeCode: z.string().optional(),
});
export type RecordSubmit = z.infer<typeof RecordSubmitSchema>;

export const RecordSchema = z.object({
  id: z.string(),
  visitId: z.string(),
  enterpriseCode: z.string(),
  inspectorId: z.string(),
  body: RecordBodySchema,
  digest: z.string(),
  enterpriseOtc: z.boolean(),
  creditBefore: z.number().int(),
  creditAfter: z.number().int(),
  riskClassAfter: RiskClassSchema,
  countersignedAt: z.string(),
  /** The credit-repair application that lifted this record's penalty, and when (null: not repaired). */
  repairedBy: z.string().nullable(),
  repairedAt: z.string().nullable(),
  /** A record that lowered the score may be repaired through the integrated-services bundle, until it is. */
  creditRepair: z.object({ bundleId: z.string(), available: z.boolean() }),
});
export type RecordDto = z.infer<typeof RecordSchema>;

export const RecordVerifySchema = z.object({
  recordId: z.string(),
  valid: z.boolean(),
  reason: z.enum(['ok', 'digest_mismatch', 'inspector_signature', 'enterprise_signature']),
});

export const CodeTextSchema = z.object({
  qr: z.string(),
  statusIndex: z.number().int(),
  expiresAt: z.string(),
});

export const CodeVerifySchema = z.object({
  valid: z.boolean(),
  reason: z.enum(['ok', 'malformed', 'unknown_key', 'bad_signature', 'expired', 'not_yet_valid', 'revoked']),
  kind: z.enum(['inspector', 'enterprise']).nullable(),
  subject: z.string().nullable(),
  role: z.string().nullable(),
  expiresAt: z.string().nullable(),
  statusIndex: z.number().int().nullable(),
});
export type CodeVerifyDto = z.infer<typeof CodeVerifySchema>;

export const StatusListSchema = z.object({
  /** W3C Bitstring Status List style: GZIP of the bitstring (bit i = code i revoked, most significant bit first), base64url. */
  encodedList: z.string(),
  size: z.number().int(),
  revoked: z.number().int(),
  updatedAt: z.string(),
});

export const MyVisitsQuerySchema = z.object({
  /** The day (the city's, UTC+8); today when absent. */
  date: Date10.optional(),
});

const Label = { zh: z.string(), en: z.string() };

/** One inspection item of a visit's combined checklist, with its published checks. */
export const ChecklistItemSchema = z.object({
  itemId: z.string(),
  department: z.string(),
  ...Label,
  legalBasis: z.string(),
  checks: z.array(z.object({ id: z.string(), ...Label })),
});

/** The field app's on-site list: the signed-in inspector and their visits of the day, each with its enterprise and checklist. */
export const MyVisitsSchema = z.object({
  date: z.string(),
  inspector: InspectorSchema.nullable(),
  visits: z.array(
    z.object({
      visit: VisitSchema,
      enterprise: EnterpriseSchema,
      checklist: z.array(ChecklistItemSchema),
    }),
  ),
});
export type MyVisitsDto = z.infer<typeof MyVisitsSchema>;
