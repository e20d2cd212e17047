import { z } from 'zod';

/** Field classes, from open to closed. */
export const FIELD_CLASSES = ['public', 'internal', 'sensitive', 'personal', 'restricted'] as const;
/** The class of one field. */
export const FieldClassSchema = z.enum(FIELD_CLASSES);
/** One field class. */
export type FieldClass = z.infer<typeof FieldClassSchema>;

/** China's three sharing classes of government data (无条件共享 / 有条件共享 / 不予共享). */
export const SharingSchema = z.enum(['unconditional', 'conditional', 'not_shared']);
/** One sharing class. */
export type Sharing = z.infer<typeof SharingSchema>;

/** Safe identifier: letters, digits and `:._-`, so it can appear inside a Cedar string literal as is. */
const Ident = z.string().regex(/^[\w:.-]{1,120}$/, 'letters, digits and : . _ - only');

/** One field of a resource. */
export const FieldSchema = z.object({
  name: Ident,
  titleZh: z.string().min(1).max(200),
  class: FieldClassSchema,
  scope: z
    .boolean()
    .optional()
    .describe(
      'the field holds the administrative division code (district 500103, street 500103003) of the place a row belongs to: a district or street consumer gets only the rows of its jurisdiction',
    ),
});
/** One field. */
export type FieldDto = z.infer<typeof FieldSchema>;

/** A catalogue resource: a dataset or an interface, with its owner, fields and sharing attribute. */
export const ResourceSchema = z
  .object({
    id: Ident,
    kind: z.enum(['dataset', 'interface']),
    titleZh: z.string().min(1).max(300),
    descriptionZh: z.string().max(2000),
    ownerDepartment: z.string().min(1).describe('department code, e.g. 50:ecology_environment'),
    theme: z.string().min(1).max(60),
    sourceSystem: z.string().min(1).max(120),
    updateFrequency: z.enum([
      'realtime',
      'hourly',
      'daily',
      'weekly',
      'monthly',
      'quarterly',
      'yearly',
      'irregular',
    ]),
    legalBasis: z.string().min(1).max(500),
    sharing: SharingSchema,
    fields: z.array(FieldSchema).min(1).max(500),
    synthetic: z.boolean().describe('true for generated demo data'),
  })
  .refine((r) => r.fields.filter((f) => f.scope).length <= 1, {
    message: 'at most one field can carry the scope',
    path: ['fields'],
  })
  .refine((r) => !r.fields.some((f) => f.scope && f.class === 'restricted'), {
    message: 'a restricted field cannot carry the scope (the gateway filters on it)',
    path: ['fields'],
  })
  .meta({ id: 'DatahubResource' });
/** One resource. */
export type ResourceDto = z.infer<typeof ResourceSchema>;

/** Filters of GET /api/v1/datahub/resources. */
export const ResourceQuerySchema = z.object({
  q: z.string().max(200).optional().describe('keywords in Chinese; every jieba token must match'),
  department: z.string().optional(),
  theme: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
/** Resource filters. */
export type ResourceQuery = z.infer<typeof ResourceQuerySchema>;

/** A page of resources with the total count. */
export const ResourcePageSchema = z.object({
  items: z.array(ResourceSchema),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});
/** A page of resources. */
export type ResourcePage = z.infer<typeof ResourcePageSchema>;

/** Conditions under which a conditional entry lets the request through (all given ones must hold). */
export const ConditionsSchema = z.object({
  purposes: z.array(Ident).min(1).optional().describe('stated purposes that qualify'),
  departments: z.array(Ident).min(1).optional().describe('requesting departments that qualify'),
  roles: z.array(Ident).min(1).optional().describe('requesting roles that qualify'),
  ownerApproval: z.boolean().optional().describe('the owner department must have approved the request'),
  validUntil: z.iso.datetime({ offset: true }).optional().describe('the conditional sharing ends then'),
});
/** Conditions of an entry. */
export type Conditions = z.infer<typeof ConditionsSchema>;

/** One entry of the negative list (数据共享负面清单). */
export const ListEntrySchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9-]{1,40}$/, 'letters, digits and - only'),
    kind: z.enum(['not_shared', 'conditional']),
    basis: z.string().min(1).max(500).describe('legal basis, e.g. a law and article'),
    description: z.string().max(500).default(''),
    scope: z
      .object({
        resourceId: Ident.optional(),
        ownerDepartment: Ident.optional(),
        fieldClass: FieldClassSchema.optional().describe(
          'applies when the request touches a field of this class',
        ),
      })
      .refine(
        (s) => s.resourceId || s.ownerDepartment || s.fieldClass,
        'scope needs at least one of its fields',
      ),
    conditions: ConditionsSchema.optional(),
    maskClasses: z.array(FieldClassSchema).default([]).describe('field classes masked when shared'),
  })
  .refine((e) => e.kind === 'not_shared' || e.conditions, {
    message: 'a conditional entry needs conditions',
    path: ['conditions'],
  })
  .meta({ id: 'DatahubListEntry' });
/** One entry. */
export type ListEntry = z.infer<typeof ListEntrySchema>;

/** A version of the list. */
export const ListVersionSchema = z.object({
  version: z.number().int(),
  createdAt: z.iso.datetime({ offset: true }),
  entries: z.array(ListEntrySchema),
});
/** A list version. */
export type ListVersionDto = z.infer<typeof ListVersionSchema>;

/** A change to the list: entries added or replaced (by id), and ids removed. */
export const ProposalBodySchema = z.object({
  baseVersion: z.number().int().min(0).describe('the version the change was written against'),
  upsert: z.array(ListEntrySchema).max(2000).default([]),
  remove: z.array(z.string()).max(2000).default([]),
  note: z.string().max(1000).default(''),
});
/** A proposed change. */
export type ProposalBody = z.infer<typeof ProposalBodySchema>;

/** A proposal as the API returns it. */
export const ProposalSchema = z
  .object({
    id: z.string(),
    baseVersion: z.number().int(),
    upsert: z.array(ListEntrySchema),
    remove: z.array(z.string()),
    note: z.string(),
    status: z.enum(['pending', 'approved', 'rejected', 'superseded']),
    proposedBy: z.string(),
    proposedAt: z.iso.datetime({ offset: true }),
    decidedBy: z.string().nullable(),
    decidedAt: z.iso.datetime({ offset: true }).nullable(),
    resultVersion: z.number().int().nullable(),
  })
  .meta({ id: 'DatahubProposal' });
/** One proposal. */
export type ProposalDto = z.infer<typeof ProposalSchema>;

/** POST /api/v1/datahub/decisions: may this department read this resource (these fields) for this purpose? */
export const DecisionRequestSchema = z.object({
  resourceId: Ident,
  requesterDepartment: Ident.optional().describe('default: the caller’s department'),
  purpose: Ident,
  fields: z.array(Ident).max(500).optional().describe('the fields asked for; default all'),
  ownerApproval: z.boolean().default(false).describe('the owner department has approved this request'),
});
/** A decision request. */
export type DecisionRequest = z.infer<typeof DecisionRequestSchema>;

/** A decision with its reasons. */
export const DecisionSchema = z.object({
  decision: z.enum(['allow', 'deny', 'needs_approval']),
  listVersion: z.number().int(),
  entries: z.array(z.object({ id: z.string(), kind: z.string(), basis: z.string() })),
  maskedFields: z.array(z.object({ name: z.string(), class: FieldClassSchema })),
});
/** A decision. */
export type Decision = z.infer<typeof DecisionSchema>;
