import { z } from 'zod';
import { Code, LEVELS } from './organisation.catalogue.ts';
import { DomainSchema, LimitsSchema, RuleSchema } from './responsibility.file.ts';
import { SKILLS } from './team-kinds.ts';

/** One revision of the list: loaded from a file or made by an edit through the API. */
export const RevisionSchema = z.object({
  revision: z.number().int().describe('1, 2, 3… in the order the revisions were made'),
  fileVersion: z.string().nullable().describe('version of the file it was loaded from; null for API edits'),
  effectiveFrom: z.iso.datetime({ offset: true }),
  source: z.enum(['file', 'api']),
  createdAt: z.iso.datetime({ offset: true }),
  createdBy: z.string(),
  note: z.string().nullable(),
});
/** One revision. */
export type RevisionDto = z.infer<typeof RevisionSchema>;

/** A rule as it stands in one revision. */
export const RuleVersionSchema = RuleSchema.extend({
  revision: z.number().int(),
  effectiveFrom: z.iso.datetime({ offset: true }),
});
/** A rule in one revision. */
export type RuleVersion = z.infer<typeof RuleVersionSchema>;

/** A whole revision of the list. */
export const ResponsibilityListSchema = z.object({
  revision: RevisionSchema,
  domains: z.array(DomainSchema),
  items: z.array(RuleSchema),
});
/** A whole revision of the list. */
export type ResponsibilityListDto = z.infer<typeof ResponsibilityListSchema>;

/** Changes to one rule (PUT /api/v1/responsibilities/:category); a new category needs every field. */
export const RulePatchSchema = z.object({
  zh: z.string().min(1).optional(),
  en: z.string().min(1).optional(),
  domain: Code.optional(),
  departmentType: Code.optional(),
  coDepartmentTypes: z.array(Code).optional(),
  level: z.enum(LEVELS).optional(),
  skill: z.enum(SKILLS).optional(),
  limits: LimitsSchema.partial().optional(),
  cityPower: z.boolean().optional(),
  note: z.string().max(500).optional().describe('why the change was made; kept with the new revision'),
});
/** Changes to one rule. */
export type RulePatch = z.infer<typeof RulePatchSchema>;

/** Query of GET /api/v1/responsibilities. */
export const ListQuerySchema = z.object({
  revision: z.coerce.number().int().min(1).optional().describe('an older revision; default the current one'),
  domain: Code.optional(),
});

/** Query of GET /api/v1/responsibilities/:category. */
export const RuleQuerySchema = z.object({
  history: z.stringbool().optional().describe('also return every revision in which this rule changed'),
});

/** A domain with how many categories and city-level powers the current list puts in it. */
export const DomainSummarySchema = DomainSchema.extend({
  categories: z.number().int(),
  cityPowers: z.number().int(),
});
