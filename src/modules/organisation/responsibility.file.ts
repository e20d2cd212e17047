import { z } from 'zod';
import { AppError } from '../../platform/errors.ts';
import {
  Code,
  DATA_DIR,
  type DepartmentType,
  LEVELS,
  parseWith,
  readJson,
} from './organisation.catalogue.ts';
import { SKILLS } from './team-kinds.ts';

/** One of the governance domains the responsibility list is grouped into. */
export const DomainSchema = z.object({ code: Code, zh: z.string().min(1), en: z.string().min(1) });
/** One domain. */
export type Domain = z.infer<typeof DomainSchema>;

/** Time limits of a category, in minutes from the event being raised. */
export const LimitsSchema = z.object({
  acceptMinutes: z.number().int().positive(),
  arriveMinutes: z.number().int().positive(),
  resolveMinutes: z.number().int().positive(),
});

/** One rule of the list: who handles a category of event, at which level, with which skill, within which limits. */
export const RuleSchema = z.object({
  category: Code,
  zh: z.string().min(1),
  en: z.string().min(1),
  domain: Code,
  departmentType: Code.describe('the responsible department type'),
  coDepartmentTypes: z
    .array(Code)
    .default([])
    .describe('co-responsible department types for multi-department events'),
  level: z.enum(LEVELS).describe('the level whose centre handles the event'),
  skill: z.enum(SKILLS).describe('skill the handling team needs'),
  limits: LimitsSchema,
  cityPower: z
    .boolean()
    .describe('falls under one of the city-level powers (市级事权) of the city governance committee'),
});
/** One rule. */
export type Rule = z.infer<typeof RuleSchema>;

/** The versioned responsibility-list file (`data/organisation/responsibility-list.v1.json`). */
export const ResponsibilityFileSchema = z.object({
  version: z.string().min(1),
  effectiveFrom: z.iso.date(),
  note: z.string().optional(),
  domains: z.array(DomainSchema).min(1),
  items: z.array(z.unknown()).min(1),
});

/** A validated responsibility list. */
export interface ResponsibilityList {
  version: string;
  effectiveFrom: string;
  domains: Domain[];
  items: Rule[];
}

/** The shipped responsibility list. */
export const RESPONSIBILITY_FILE = new URL('responsibility-list.v1.json', DATA_DIR);

/** Reads and validates a responsibility-list file against the known department types. */
export function readResponsibilityFile(
  file: string | URL,
  departmentTypes: DepartmentType[],
): ResponsibilityList {
  const raw = parseWith(ResponsibilityFileSchema, readJson(file), String(file));
  const domainCodes = raw.domains.map((d) => d.code);
  if (new Set(domainCodes).size !== domainCodes.length) {
    throw new AppError('invalid_data', `${String(file)}: duplicate domain code`, { domains: domainCodes });
  }
  const items = raw.items.map((item) => validateRule(item, { departmentTypes, domains: domainCodes }));
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.category)) {
      throw new AppError('invalid_data', `responsibility item '${item.category}' appears twice`, {
        category: item.category,
      });
    }
    seen.add(item.category);
  }
  return { version: raw.version, effectiveFrom: raw.effectiveFrom, domains: raw.domains, items };
}

/**
 * Validates one rule: its shape, that its department types and domain exist, that the responsible
 * type has a counterpart at the handling level, that co-responsible types differ from it, and
 * accept ≤ arrive ≤ resolve. Throws invalid_data naming the item.
 */
export function validateRule(
  value: unknown,
  known: { departmentTypes: DepartmentType[]; domains: string[] },
): Rule {
  const category = (value as { category?: unknown } | null)?.category;
  const name = typeof category === 'string' ? category : '?';
  const types = new Map(known.departmentTypes.map((t) => [t.code, t]));
  const schema = RuleSchema.superRefine((rule, ctx) => {
    if (!known.domains.includes(rule.domain)) {
      ctx.addIssue({ code: 'custom', path: ['domain'], message: `unknown domain '${rule.domain}'` });
    }
    for (const [i, t] of [rule.departmentType, ...rule.coDepartmentTypes].entries()) {
      const path = i === 0 ? ['departmentType'] : ['coDepartmentTypes', i - 1];
      if (!types.has(t)) ctx.addIssue({ code: 'custom', path, message: `unknown department type '${t}'` });
    }
    const responsible = types.get(rule.departmentType);
    if (responsible && !responsible.levels[rule.level]) {
      const message = `department type '${rule.departmentType}' has no counterpart at level ${rule.level}`;
      ctx.addIssue({ code: 'custom', path: ['level'], message });
    }
    if (rule.coDepartmentTypes.includes(rule.departmentType)) {
      ctx.addIssue({
        code: 'custom',
        path: ['coDepartmentTypes'],
        message: 'repeats the responsible department type',
      });
    }
    const { acceptMinutes: a, arriveMinutes: b, resolveMinutes: c } = rule.limits;
    if (!(a <= b && b <= c)) {
      ctx.addIssue({
        code: 'custom',
        path: ['limits'],
        message: `limits must satisfy accept ≤ arrive ≤ resolve (got ${a}, ${b}, ${c})`,
      });
    }
  });
  return parseWith(schema, value, `responsibility item '${name}'`, { category: name });
}
