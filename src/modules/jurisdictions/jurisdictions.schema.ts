import type { MultiPolygon, Polygon } from 'geojson';
import type { ColumnType } from 'kysely';
import { z } from 'zod';

/** Levels of the tree, root first; a node's parent is always one level up. Add new levels at the end. */
export const LEVELS = ['city', 'district', 'street', 'grid'] as const;

/** One level of the tree. */
export const LevelSchema = z.enum(LEVELS);
export type Level = z.infer<typeof LevelSchema>;

// Responses only describe geometry: re-validating every ring on the way out would cost more than it protects.
const GeometryOutSchema = z
  .object({ type: z.enum(['Polygon', 'MultiPolygon']), coordinates: z.array(z.unknown()) })
  .describe('GeoJSON Polygon or MultiPolygon (WGS84 lon/lat)');

/** A GeoJSON polygon or multipolygon as stored and returned (validated on import, not on the way out). */
export type AreaGeometry = z.infer<typeof GeometryOutSchema>;

/** Tables owned by the jurisdictions module. */
export interface JurisdictionTables {
  jurisdictions: {
    code: string;
    name: string;
    name_en: string | null;
    level: string;
    parent_code: string | null;
    path: string;
    geometry: ColumnType<AreaGeometry, string, string>;
    bbox_west: number;
    bbox_south: number;
    bbox_east: number;
    bbox_north: number;
    label_lon: number;
    label_lat: number;
    approximate: boolean;
    properties: ColumnType<Record<string, unknown>, string, string>;
    updated_at: Date;
  };
}

/** A node without its geometry, as lists return it. */
export const JurisdictionSummarySchema = z.object({
  code: z.string(),
  name: z.string(),
  nameEn: z.string().nullable(),
  level: LevelSchema,
  parentCode: z.string().nullable(),
  path: z.string().describe('slash-joined codes from the city down, e.g. 50/500103/500103001'),
  approximate: z.boolean().describe('true when the shape is an approximation, not an official boundary'),
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]).describe('[west, south, east, north]'),
  label: z.tuple([z.number(), z.number()]).describe('[lon, lat] of a point inside the shape, for labels'),
  properties: z.record(z.string(), z.unknown()).describe('other properties of the imported feature'),
});
export type JurisdictionSummary = z.infer<typeof JurisdictionSummarySchema>;

/** A node with its geometry. */
export const JurisdictionSchema = JurisdictionSummarySchema.extend({ geometry: GeometryOutSchema });
export type Jurisdiction = z.infer<typeof JurisdictionSchema>;

/** One link of a located chain. */
export const ChainLinkSchema = z.object({ code: z.string(), name: z.string(), level: LevelSchema });
export type ChainLink = z.infer<typeof ChainLinkSchema>;

/** Where a point lies: the chain from the city down to the deepest node containing it. */
export const LocatedSchema = z.object({ chain: z.array(ChainLinkSchema), approximate: z.boolean() });
export type Located = z.infer<typeof LocatedSchema>;

/** Filters of the list and map reads. */
export const ListQuerySchema = z.object({
  level: LevelSchema.optional(),
  parent: z.string().min(1).optional().describe('direct parent code'),
  q: z.string().min(1).max(100).optional().describe('part of the name or English name, or a code prefix'),
});
export type ListQuery = z.infer<typeof ListQuerySchema>;

// z.coerce alone reads an empty parameter (`lon=`) as 0, a real place; treat it as missing instead.
const degrees = (limit: number) =>
  z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().min(-limit).max(limit));

/** Query of GET /api/v1/jurisdictions/locate. */
export const LocateQuerySchema = z.object({ lon: degrees(180), lat: degrees(90) });

/** A map layer: the nodes as a GeoJSON FeatureCollection. */
export const FeatureCollectionOutSchema = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(
    z.object({
      type: z.literal('Feature'),
      properties: z.object({
        code: z.string(),
        name: z.string(),
        level: LevelSchema,
        parent: z.string().nullable(),
        approximate: z.boolean(),
      }),
      geometry: GeometryOutSchema,
    }),
  ),
});
export type FeatureCollectionOut = z.infer<typeof FeatureCollectionOutSchema>;

const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

/** How to read an imported file: its level (or `auto`: each feature's level property) and which properties hold what. */
export const ImportOptionsSchema = z.object({
  level: z.enum([...LEVELS, 'auto']).describe("the features' level, or auto: each feature's level property"),
  codeProperty: z.string().min(1).default('code'),
  parentProperty: z
    .string()
    .min(1)
    .optional()
    .describe(
      'when absent, the parent is the node one level up whose code is the longest prefix of the code',
    ),
  nameProperty: z.string().min(1).default('name'),
  nameEnProperty: z.string().min(1).optional(),
  levelProperty: z.string().min(1).default('level').describe('read when level is auto'),
  approximate: flag
    .optional()
    .describe("default for features without their own boolean 'approximate' property"),
});
export type ImportOptions = z.infer<typeof ImportOptionsSchema>;

/** What an import wrote. */
export const ImportResultSchema = z.object({
  count: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  byLevel: z.record(z.string(), z.number().int()),
});
export type ImportResult = z.infer<typeof ImportResultSchema>;

/** A street with its shape: what the life circle and patrol hot spots build on. */
export interface StreetShape {
  code: string;
  name: string;
  districtCode: string;
  path: string;
  /** A point inside the shape (the settlement's centre). */
  label: [number, number];
  geometry: Polygon | MultiPolygon;
}
