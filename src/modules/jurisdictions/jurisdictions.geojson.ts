import { z } from 'zod';
import { AppError } from '../../platform/errors.ts';

/** One problem found in an imported file: which feature (index in the file, and its code) and what. */
export interface Problem {
  feature: number | null;
  code: string | null;
  problem: string;
}

const Position = z
  .tuple([
    z
      .number()
      .min(-180, 'longitude must be within [-180, 180]')
      .max(180, 'longitude must be within [-180, 180]'),
    z.number().min(-90, 'latitude must be within [-90, 90]').max(90, 'latitude must be within [-90, 90]'),
  ])
  .rest(z.number());

const Ring = z
  .array(Position)
  .min(4, 'a ring needs at least 4 positions')
  .refine((ring) => {
    const first = ring[0]!;
    const last = ring[ring.length - 1]!;
    return first[0] === last[0] && first[1] === last[1];
  }, 'ring is not closed: its first and last positions differ');

const PolygonCoordinates = z.array(Ring).min(1, 'a polygon needs an outer ring');

const Geometry = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('Polygon'), coordinates: PolygonCoordinates }),
    z.object({
      type: z.literal('MultiPolygon'),
      coordinates: z.array(PolygonCoordinates).min(1, 'a multipolygon needs a polygon'),
    }),
  ],
  { error: 'geometry must be a Polygon or MultiPolygon' },
);

/** The shape of a feature after validation. */
export type InputFeature = z.infer<typeof FeatureSchema>;

const FeatureSchema = z.object(
  {
    type: z.literal('Feature', "type must be 'Feature'"),
    geometry: Geometry,
    properties: z.record(z.string(), z.unknown(), 'properties must be an object').nullable(),
  },
  'expected a GeoJSON Feature',
);

/** A GeoJSON FeatureCollection of polygons with closed rings and WGS84 coordinates in range. */
export const FeatureCollectionInSchema = z.object(
  {
    type: z.literal('FeatureCollection', "type must be 'FeatureCollection'"),
    features: z.array(FeatureSchema, 'features must be an array').min(1, 'the collection has no features'),
  },
  'expected a GeoJSON FeatureCollection',
);

/** Validates the whole collection before anything else; throws invalid_data naming every feature at fault. */
export function readCollection(input: unknown, codeProperty: string): InputFeature[] {
  const parsed = FeatureCollectionInSchema.safeParse(input);
  if (parsed.success) return parsed.data.features;
  throw invalidData(
    parsed.error.issues.map((issue) => {
      const [head, index, ...rest] = issue.path;
      if (head !== 'features' || typeof index !== 'number') {
        return {
          feature: null,
          code: null,
          problem: `${describePath(issue.path) || 'collection'}: ${issue.message}`,
        };
      }
      const where = describePath(rest);
      return {
        feature: index,
        code: rawCode(input, index, codeProperty),
        problem: where ? `${where}: ${issue.message}` : issue.message,
      };
    }),
  );
}

/** The error for a list of problems: the message names the first, details list them all (up to 50). */
export function invalidData(problems: Problem[]): AppError {
  const first = problems[0] ?? { feature: null, code: null, problem: 'invalid file' };
  const where =
    first.feature === null
      ? 'file'
      : `feature ${first.feature} (${first.code === null ? 'no code' : `code ${first.code}`})`;
  const others = problems.length - 1;
  const more = others ? ` (and ${others} more problem${others > 1 ? 's' : ''})` : '';
  return new AppError('invalid_data', `${where}: ${first.problem}${more}`, {
    ...first,
    problemCount: problems.length,
    problems: problems.slice(0, 50),
  });
}

/** A code property value as a string: adcodes come as strings or as integers. */
export function codeValue(value: unknown): string | null {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return null;
}

// The code of a feature that failed validation, read leniently so the error can still name it.
function rawCode(input: unknown, index: number, codeProperty: string): string | null {
  const features = (input as { features?: unknown } | null)?.features;
  const feature = Array.isArray(features)
    ? (features[index] as { properties?: unknown } | undefined)
    : undefined;
  const properties = feature?.properties;
  return properties && typeof properties === 'object'
    ? codeValue((properties as Record<string, unknown>)[codeProperty])
    : null;
}

function describePath(path: PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}
