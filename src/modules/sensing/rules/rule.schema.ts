import { z } from 'zod';
import { GB3838_CLASSES } from '../../water/index.ts';
import { DEVICE_TYPES } from '../sensing.catalogue.ts';

/** Comparison operators a rule may use. */
export const OpSchema = z.enum(['<', '<=', '>', '>=', '==', '!=']);
export type Op = z.infer<typeof OpSchema>;

/**
 * What makes a value bad: `op value` (with an optional `clearValue` for hysteresis: the
 * condition clears only once the value is no longer `op clearValue`), or `gb3838`: worse than
 * the device's target class (`"target"`) or a named class, for the metric's GB 3838 parameter.
 */
const PredicateFields = {
  op: OpSchema.optional(),
  value: z.number().optional(),
  clearValue: z.number().optional(),
  gb3838: z.union([z.literal('target'), z.enum(GB3838_CLASSES)]).optional(),
};

function onePredicate(c: { op?: unknown; value?: unknown; gb3838?: unknown }): boolean {
  return (c.gb3838 !== undefined) !== (c.op !== undefined && c.value !== undefined);
}
const predicateMessage = 'give either op and value, or gb3838';

/** A reading crosses a limit; clears (hysteresis) past `clearValue`. */
export const ThresholdSchema = z
  .strictObject({ kind: z.literal('threshold'), metric: z.string().min(1), ...PredicateFields })
  .refine(onePredicate, predicateMessage);

/**
 * An aggregate over tumbling windows (aligned to local midnight for whole days) is bad for
 * `consecutive` windows in a row; clears after `clearAfter` good windows in a row.
 */
export const SustainedSchema = z
  .strictObject({
    kind: z.literal('sustained'),
    metric: z.string().min(1),
    windowMinutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 1440)
      .default(1440),
    aggregate: z.enum(['mean', 'min', 'max', 'sum', 'count']).default('mean'),
    consecutive: z.number().int().min(1).max(366),
    clearAfter: z.number().int().min(1).max(366).default(1),
    ...PredicateFields,
  })
  .refine(onePredicate, predicateMessage);

/** The change of a metric over the last `overMinutes` (absolute, or percent of the earlier value). */
export const RateOfChangeSchema = z.strictObject({
  kind: z.literal('rate_of_change'),
  metric: z.string().min(1),
  overMinutes: z.number().min(1).max(1440),
  mode: z.enum(['absolute', 'percent']).default('absolute'),
  op: OpSchema,
  value: z.number(),
  clearValue: z.number().optional(),
});

/** Nothing arrived from the device for `minutes` (by the platform's clock). */
export const NoDataSchema = z.strictObject({ kind: z.literal('no_data'), minutes: z.number().min(1) });

/** Any condition of a rule. */
export type Condition =
  | z.infer<typeof ThresholdSchema>
  | z.infer<typeof SustainedSchema>
  | z.infer<typeof RateOfChangeSchema>
  | z.infer<typeof NoDataSchema>
  | { kind: 'composite'; op: 'and' | 'or'; conditions: Condition[] };

/** AND/OR of other conditions: active when all (any) of them are active. */
export const CompositeSchema: z.ZodType<Extract<Condition, { kind: 'composite' }>> = z.strictObject({
  kind: z.literal('composite'),
  op: z.enum(['and', 'or']),
  conditions: z.array(z.lazy(() => ConditionSchema)).min(2),
});

/** Any condition of a rule, by its `kind`. */
export const ConditionSchema: z.ZodType<Condition> = z.union([
  ThresholdSchema,
  SustainedSchema,
  RateOfChangeSchema,
  NoDataSchema,
  CompositeSchema,
]) as z.ZodType<Condition>;
// Named in the global registry so the OpenAPI document carries the recursive schema as a component.
z.globalRegistry.add(ConditionSchema, { id: 'RuleCondition' });

/** FIWARE Alert severities, least severe first. */
export const SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical'] as const;

/** A declarative, versioned rule (files under data/sensing/rules/*.json). */
export const RuleSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, dot, dash, underscore'),
  version: z.number().int().min(1),
  name: z.string().min(1),
  enabled: z.boolean().default(true),
  scope: z
    .strictObject({
      deviceTypes: z.array(z.enum(DEVICE_TYPES)).min(1).optional(),
      jurisdictionPrefix: z.string().min(1).optional().describe('e.g. 50/500110: that area and below'),
      deviceIds: z.array(z.string().min(1)).min(1).optional(),
    })
    .default({}),
  condition: ConditionSchema,
  alert: z.strictObject({
    category: z.string().min(1).describe('FIWARE Alert category, e.g. environment, traffic, security'),
    subCategory: z.string().min(1).optional(),
    severity: z.enum(SEVERITIES),
    description: z
      .string()
      .min(1)
      .describe('template: {section} {device} {deviceId} {metric} {value} {limit} {class} {consecutive}'),
  }),
  latenessMinutes: z.number().min(0).optional().describe('overrides the engine default for this rule'),
});

/** A validated rule. */
export type Rule = z.infer<typeof RuleSchema>;
/** A rule as written in a file (defaults not yet applied). */
export type RuleInput = z.input<typeof RuleSchema>;
