import { z } from 'zod';
import { DecisionSchema } from '../datahub.schema.ts';

/** POST /api/v1/datahub/consumers: a department application that may call the gateway. */
export const ConsumerBodySchema = z.object({
  name: z.string().trim().min(1).max(120),
  departmentCode: z
    .string()
    .min(1)
    .max(64)
    .describe('the requesting department of any level, e.g. 50:water_resources or 500103:urban_management'),
});
/** A consumer to register. */
export type ConsumerBody = z.infer<typeof ConsumerBodySchema>;

/** A registered consumer; `key` is shown only in the answer to its registration. */
export const ConsumerCreatedSchema = z.object({
  id: z.string(),
  name: z.string(),
  departmentCode: z.string(),
  jurisdictionCode: z
    .string()
    .describe('the jurisdiction its department serves (city 50, district 500103, street 500103003)'),
  level: z
    .enum(['city', 'district', 'street'])
    .describe('a district or street consumer sees only rows of its jurisdiction'),
  key: z.string().describe('send as x-api-key; shown once, stored only hashed'),
});
/** A consumer with its key. */
export type ConsumerCreated = z.infer<typeof ConsumerCreatedSchema>;

const Scalar = z.union([z.string().max(500), z.number(), z.boolean(), z.null()]);
/** One filter of an exchange (connectors/connector.ts Filter). */
export const FilterSchema = z.union([
  z.object({
    field: z.string().min(1).max(120),
    op: z.enum(['eq', 'gt', 'gte', 'lt', 'lte']),
    value: Scalar,
  }),
  z.object({
    field: z.string().min(1).max(120),
    op: z.literal('in'),
    values: z.array(Scalar).min(1).max(1000),
  }),
]);

/** POST /api/v1/datahub/exchange: a consumer application asks for a resource's data for a purpose. */
export const ExchangeBodySchema = z.object({
  resourceId: z.string().min(1).max(120),
  purpose: z.string().regex(/^[\w:.-]{1,120}$/, 'letters, digits and : . _ - only'),
  filters: z.array(FilterSchema).max(20).default([]),
  fields: z.array(z.string().min(1).max(120)).max(500).optional(),
  limit: z.number().int().min(1).max(10_000).default(100),
  applicationId: z.string().max(64).optional().describe('an approved application for conditional access'),
});
/** An exchange request. */
export type ExchangeBody = z.infer<typeof ExchangeBodySchema>;

/** The jurisdiction scope an exchange was answered under (in the answer's `scope`, and in the log). */
export const ScopeSchema = z
  .object({
    jurisdictionCode: z.string().describe('the consumer department’s jurisdiction'),
    level: z.enum(['city', 'district', 'street']),
    applied: z
      .enum(['all', 'within', 'unscoped'])
      .describe(
        'all: a city consumer, every row; within: only rows whose scope field lies in the jurisdiction (pushed down to the source as a range on the code); unscoped: the resource declares no scope field, so its rows belong to no place and the negative list alone decides',
      ),
    field: z.string().nullable().describe('the resource’s scope field, if it has one'),
    filters: z
      .array(
        z
          .object({ field: z.string(), op: z.enum(['gte', 'lt']), value: z.string() })
          .meta({ id: 'DatahubScopeFilter' }),
      )
      .describe('the filters added to the consumer’s own (all must hold)'),
  })
  .meta({ id: 'DatahubScope' });
/** The scope of one exchange. */
export type ExchangeScope = z.infer<typeof ScopeSchema>;

/** The gateway's decision: the negative list's, and the jurisdiction scope the rows were limited to. */
export const GatewayDecisionSchema = DecisionSchema.extend({ scope: ScopeSchema });

/** The answer of an allowed exchange. */
export const ExchangeResultSchema = z.object({
  exchangeId: z.string().describe('the exchange log sequence number'),
  decision: GatewayDecisionSchema,
  rows: z.array(z.record(z.string(), z.unknown())),
  truncated: z.boolean(),
  maskedFields: z.array(z.string()),
  droppedFields: z.array(z.string()),
});
/** An exchange's data. */
export type ExchangeResult = z.infer<typeof ExchangeResultSchema>;

/** An application for conditional access, to the owner department. */
export const ApplicationSchema = z
  .object({
    id: z.string(),
    consumerId: z.string(),
    consumerDepartment: z.string(),
    ownerDepartment: z.string(),
    resourceId: z.string(),
    purpose: z.string(),
    entries: z.array(z.string()),
    status: z
      .enum(['pending', 'escalated', 'approved', 'rejected'])
      .describe('escalated: its time limit passed undecided; told to the data authority, still decidable'),
    requestedAt: z.iso.datetime({ offset: true }),
    dueAt: z.iso.datetime({ offset: true }),
    remindedAt: z.iso
      .datetime({ offset: true })
      .nullable()
      .describe('when the owner department was reminded (at 75 % of the time limit)'),
    escalatedAt: z.iso
      .datetime({ offset: true })
      .nullable()
      .describe('when the missed time limit escalated it to the data authority'),
    decidedBy: z.string().nullable(),
    decidedAt: z.iso.datetime({ offset: true }).nullable(),
    validUntil: z.iso.datetime({ offset: true }).nullable(),
  })
  .meta({ id: 'DatahubApplication' });
/** One application. */
export type ApplicationDto = z.infer<typeof ApplicationSchema>;

/** The 202 answer of an exchange that needs the owner department's approval. */
export const ExchangePendingSchema = z.object({
  exchangeId: z.string(),
  decision: GatewayDecisionSchema,
  application: ApplicationSchema,
});
/** A pending exchange. */
export type ExchangePending = z.infer<typeof ExchangePendingSchema>;

/** GET /api/v1/datahub/exchange-log/verify. */
export const LogVerifySchema = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  firstBroken: z.object({ seq: z.number().int(), reason: z.string() }).optional(),
});
