import { z } from 'zod';
import { CATEGORIES } from './lifecircle.categories.ts';

const Category = z.enum(CATEGORIES);
const PerCategory = z.object(
  Object.fromEntries(CATEGORIES.map((c) => [c, z.number()])) as Record<
    (typeof CATEGORIES)[number],
    z.ZodNumber
  >,
);
const Area = z
  .string()
  .regex(/^[0-9A-Za-z_-]{1,32}$/)
  .optional()
  .describe('district or street code: only its streets');

/** Walk, data labels and timings every answer carries. */
const Header = {
  walk: z.object({ kmh: z.number(), minutes: z.number(), budgetM: z.number() }),
  data: z
    .object({
      walkingNetwork: z.string(),
      population: z.string(),
      facilities: z.object({ imported: z.number().int(), synthetic: z.number().int() }),
    })
    .describe('what the figures rest on; `synthetic` marks generated demo data'),
  network: z.object({ nodes: z.number().int(), edges: z.number().int(), cells: z.number().int() }),
  buildSeconds: z.number().describe('walking network and population, built once'),
  computeSeconds: z.number().describe('isochrones and coverage'),
};

/** One street's coverage. */
export const StreetCoverageSchema = z.object({
  code: z.string(),
  name: z.string(),
  districtCode: z.string(),
  path: z.string(),
  label: z.tuple([z.number(), z.number()]).describe('[lon, lat] inside the street, for the map'),
  population: z.number(),
  covered: PerCategory.describe('residents within 15 minutes of each category'),
  share: PerCategory.describe('their share, 0–1'),
  allCovered: z.number(),
  allShare: z.number().describe('share within 15 minutes of every category'),
});

/** GET /api/v1/lifecircle/coverage. */
export const CoverageQuerySchema = z.object({ area: Area });
export const CoverageSchema = z.object({
  ...Header,
  population: z.number(),
  allShare: z.number(),
  share: PerCategory,
  streets: z.array(StreetCoverageSchema),
});

/** GET /api/v1/lifecircle/streets/:code. */
export const StreetSchema = z.object({ ...Header, street: StreetCoverageSchema });

/** GET /api/v1/lifecircle/gaps. */
export const GapsQuerySchema = z.object({
  category: Category.optional(),
  area: Area,
  limit: z.coerce.number().int().min(1).max(10_000).default(50),
});
export const GapsSchema = z.object({
  ...Header,
  total: z.number().int(),
  items: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      districtCode: z.string(),
      category: Category,
      population: z.number(),
      uncovered: z.number().describe('residents beyond 15 minutes of the category'),
      share: z.number(),
      unmetNeeds: z
        .number()
        .int()
        .describe('needs of the category in the street left unmet by the need–resource matching'),
    }),
  ),
});

/** GET /api/v1/lifecircle/best-sites. */
export const BestSitesQuerySchema = z.object({
  category: Category.default('elderly_care'),
  area: Area,
  candidates: z.coerce
    .number()
    .int()
    .min(1)
    .max(20_000)
    .default(10_000)
    .describe('walking nodes tried, evenly thinned'),
  limit: z.coerce.number().int().min(1).max(100).default(5),
});
export const BestSitesSchema = z.object({
  ...Header,
  category: Category,
  candidates: z.number().int(),
  searchSeconds: z.number(),
  items: z.array(
    z.object({
      node: z.number().int(),
      lon: z.number(),
      lat: z.number(),
      streetCode: z.string().nullable(),
      streetName: z.string().nullable(),
      gain: z
        .number()
        .describe(
          'residents not yet within 15 minutes of the category that a facility here would bring within',
        ),
    }),
  ),
});

/** POST /api/v1/lifecircle/facilities. */
export const ImportBodySchema = z.strictObject({
  format: z.enum(['csv', 'json']),
  content: z
    .string()
    .min(1)
    .describe(
      'CSV with a header row (id, name, category, lon, lat), or JSON: an array, { facilities }, or a FeatureCollection of Points',
    ),
});
export const ImportResultSchema = z.object({
  imported: z.number().int(),
  byCategory: z.record(z.string(), z.number()),
});
