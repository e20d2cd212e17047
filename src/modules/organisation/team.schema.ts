import { z } from 'zod';
import { PointDecimalsSchema } from '../../platform/http/map-points.ts';
import { JurisdictionCode, LonLatSchema, PageQuery } from './organisation.schema.ts';
import { SKILLS, TEAM_KINDS } from './team-kinds.ts';

/** A field unit: enforcement squad, police patrol, maintenance crew, grid workers… */
export const TeamSchema = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  kind: z.enum(TEAM_KINDS),
  departmentCode: z.string(),
  jurisdictionCode: z.string(),
  jurisdictionPath: z.string(),
  base: LonLatSchema.describe('where the unit is stationed'),
  skills: z.array(z.enum(SKILLS)),
  onDuty: z.boolean(),
  capacity: z.number().int().describe('most tasks it takes at once'),
  activeTasks: z.number().int(),
  position: LonLatSchema.extend({ at: z.iso.datetime({ offset: true }) })
    .nullable()
    .describe('last reported position (field app)'),
  updatedAt: z.iso.datetime({ offset: true }),
});
/** A team as the API returns it. */
export type TeamDto = z.infer<typeof TeamSchema>;

const Skills = z
  .array(z.enum(SKILLS))
  .max(SKILLS.length)
  .refine((s) => new Set(s).size === s.length, 'skills must not repeat');

/** Body of POST /api/v1/teams. */
export const TeamCreateSchema = z.object({
  code: z.string().regex(/^[A-Za-z0-9:_-]{1,80}$/, 'letters, digits, colon, dash or underscore'),
  name: z.string().min(1).max(120),
  kind: z.enum(TEAM_KINDS),
  departmentCode: z.string().min(1),
  jurisdictionCode: JurisdictionCode.describe(
    'node the unit belongs to: the department’s node or one below it',
  ),
  base: LonLatSchema,
  skills: Skills,
  onDuty: z.boolean().default(false),
  capacity: z.number().int().min(0).max(100).default(1),
});
/** A new team. */
export type TeamCreate = z.infer<typeof TeamCreateSchema>;

/** Body of PATCH /api/v1/teams/:id. */
export const TeamPatchSchema = z
  .object({
    name: z.string().min(1).max(120),
    base: LonLatSchema,
    skills: Skills,
    onDuty: z.boolean(),
    capacity: z.number().int().min(0).max(100),
  })
  .partial()
  .refine((p) => Object.keys(p).length > 0, 'nothing to change');
/** Changes to a team. */
export type TeamPatch = z.infer<typeof TeamPatchSchema>;

/** Body of PUT /api/v1/teams/:id/position. */
export const TeamPositionSchema = LonLatSchema;

/** Filters of GET /api/v1/teams. */
export const TeamQuerySchema = PageQuery.extend({
  kind: z.enum(TEAM_KINDS).optional(),
  skill: z.enum(SKILLS).optional(),
  onDuty: z.stringbool().optional(),
  department: z.string().optional(),
  jurisdiction: JurisdictionCode.optional().describe('teams at this node or below'),
});
/** Team filters. */
export type TeamQuery = z.infer<typeof TeamQuerySchema>;

/** GET /api/v1/teams/points. */
export const TeamPointsQuerySchema = TeamQuerySchema.pick({
  kind: true,
  onDuty: true,
  jurisdiction: true,
}).extend({
  decimals: PointDecimalsSchema,
});
/** Team filters of the map points. */
export type TeamPointsQuery = z.infer<typeof TeamPointsQuerySchema>;

/** Teams as compact columns for a map layer: i-th entry of each array is team i (ordered by code). */
export const TeamPointsSchema = z.object({
  count: z.number().int(),
  codes: z.array(z.string()),
  names: z.array(z.string()),
  kinds: z.array(z.enum(TEAM_KINDS)).describe('the kinds present; `kind[i]` indexes this list'),
  kind: z.array(z.number().int()),
  paths: z.array(z.string()).describe('the jurisdiction paths present; `path[i]` indexes this list'),
  path: z.array(z.number().int()),
  lon: z.array(z.number()).describe('last reported position, else the base'),
  lat: z.array(z.number()),
});
/** The map points of teams. */
export type TeamPointsDto = z.infer<typeof TeamPointsSchema>;
