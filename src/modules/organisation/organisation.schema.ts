import { z } from 'zod';
import { DepartmentTypeSchema, LEVELS } from './organisation.catalogue.ts';

/** A jurisdiction code: digits such as `500103`, or any code without a slash. */
export const JurisdictionCode = z.string().regex(/^[^/\s]+$/, 'a jurisdiction code');

/** One node of the jurisdiction tree as the generators take it (the jurisdictions module provides these). */
export const NodeSchema = z.object({
  code: JurisdictionCode,
  name: z.string().min(1),
  level: z.enum(LEVELS),
  parentCode: JurisdictionCode.nullable(),
  path: z.string().min(1).describe('slash-joined codes from the city down, e.g. 50/500103/500103003'),
  point: z
    .tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)])
    .describe('label point [lon, lat]'),
});
/** One jurisdiction node. */
export type OrgNode = z.infer<typeof NodeSchema>;

/** A point as the API returns it. */
export const LonLatSchema = z.object({
  lon: z.number().min(-180).max(180),
  lat: z.number().min(-90).max(90),
});

/** A department type with the levels that have a counterpart. */
export const DepartmentTypeDtoSchema = DepartmentTypeSchema;

/** One department (a type at one node). */
export const DepartmentSchema = z.object({
  code: z.string().describe('`<jurisdiction code>:<type>`, e.g. 500103:urban_management'),
  type: z.string(),
  name: z.string(),
  level: z.enum(LEVELS),
  jurisdictionCode: z.string(),
  jurisdictionPath: z.string(),
});
/** One department. */
export type DepartmentDto = z.infer<typeof DepartmentSchema>;

/** One governance centre: the city hub, a district sub-centre or a street/town workstation. */
export const CentreSchema = z.object({
  code: z.string().describe('`<jurisdiction code>:centre`'),
  name: z.string(),
  level: z.enum(LEVELS),
  jurisdictionCode: z.string(),
  jurisdictionPath: z.string(),
  point: LonLatSchema,
});
/** One governance centre. */
export type CentreDto = z.infer<typeof CentreSchema>;

/** limit/offset paging shared by every list. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(2000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

/** Filters of GET /api/v1/departments. */
export const DepartmentQuerySchema = PageQuery.extend({
  jurisdiction: JurisdictionCode.optional().describe('departments at this node or below'),
  type: z.string().optional(),
  level: z.enum(LEVELS).optional(),
});
/** Department filters. */
export type DepartmentQuery = z.infer<typeof DepartmentQuerySchema>;

/** Filters of GET /api/v1/centres. */
export const CentreQuerySchema = PageQuery.extend({
  level: z.enum(LEVELS).optional(),
  jurisdiction: JurisdictionCode.optional().describe('centres at this node or below'),
});
/** Centre filters. */
export type CentreQuery = z.infer<typeof CentreQuerySchema>;

/** A page of items with the total count. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  });
}

/** What a generation run wrote. */
export const GenerationResultSchema = z.object({
  departments: z.number().int(),
  centres: z.number().int(),
  teams: z.number().int(),
});
/** What a generation run wrote. */
export type GenerationResult = z.infer<typeof GenerationResultSchema>;
