import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AppError } from '../../platform/errors.ts';

/** The three levels of the jurisdiction tree: city hub, district sub-centres, street/town workstations. */
export const LEVELS = ['city', 'district', 'street'] as const;

/** One level. */
export type Level = (typeof LEVELS)[number];

/** A snake_case code. */
export const Code = z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case');

const LevelName = z.object({
  zh: z
    .string()
    .min(1)
    .describe('name template: {name} is the node name, {short} the street/town name without 街道/镇/乡'),
  en: z.string().min(1),
  townZh: z
    .string()
    .min(1)
    .optional()
    .describe('template used instead of zh for towns (镇) and townships (乡)'),
});

/** One department type: its names and the levels that have a counterpart. */
export const DepartmentTypeSchema = z.object({
  code: Code,
  kind: z
    .enum(['department', 'government'])
    .describe('government = the people’s government / street office of each node'),
  zh: z.string().min(1),
  en: z.string().min(1),
  levels: z.object({
    city: LevelName.optional(),
    district: LevelName.optional(),
    street: LevelName.optional(),
  }),
});
/** One department type. */
export type DepartmentType = z.infer<typeof DepartmentTypeSchema>;

/** The versioned department-type file (`data/organisation/department-types.v1.json`). */
export const DepartmentTypesFileSchema = z
  .object({
    version: z.string().min(1),
    effectiveFrom: z.iso.date(),
    note: z.string().optional(),
    types: z.array(DepartmentTypeSchema).min(1),
  })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    for (const t of file.types) {
      if (seen.has(t.code))
        ctx.addIssue({ code: 'custom', message: `duplicate department type '${t.code}'` });
      seen.add(t.code);
    }
    if (file.types.filter((t) => t.kind === 'government').length !== 1) {
      ctx.addIssue({ code: 'custom', message: 'exactly one type of kind government is required' });
    }
  });
/** The department-type file. */
export type DepartmentTypesFile = z.infer<typeof DepartmentTypesFileSchema>;

/** Where the shipped data files live. */
export const DATA_DIR = new URL('../../../data/organisation/', import.meta.url);

/** Reads and validates a department-type file (default: the shipped v1); throws invalid_data naming the problem. */
export function readDepartmentTypes(
  file: string | URL = new URL('department-types.v1.json', DATA_DIR),
): DepartmentTypesFile {
  return parseWith(DepartmentTypesFileSchema, readJson(file), String(file));
}

/** The name of a department of `type` at a node, from the type's template for the node's level. */
export function departmentName(type: DepartmentType, level: Level, nodeName: string): string | undefined {
  const names = type.levels[level];
  if (!names) return undefined;
  const template = names.townZh && /[镇乡]$/.test(nodeName) ? names.townZh : names.zh;
  return fillName(template, nodeName);
}

/** Fills `{name}` and `{short}` (name without a trailing 街道/镇/乡) and `{n}` in a name template. */
export function fillName(template: string, nodeName: string, n?: number): string {
  const short = nodeName.replace(/(街道|镇|乡)$/, '') || nodeName;
  return template
    .replaceAll('{name}', nodeName)
    .replaceAll('{short}', short)
    .replaceAll('{n}', n === undefined ? '' : String(n));
}

/** Reads a JSON file; a missing or malformed file is invalid_data. */
export function readJson(file: string | URL): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new AppError('invalid_data', `cannot read ${String(file)}: ${(error as Error).message}`);
  }
}

/** Parses with a zod schema; failures become invalid_data listing each issue with its path. */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: string, details: object = {}): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const first = issues[0];
  throw new AppError(
    'invalid_data',
    `${what}: ${first ? `${first.path || '(root)'}: ${first.message}` : 'invalid'}`,
    {
      ...details,
      issues,
    },
  );
}
