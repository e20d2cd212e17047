import { z } from 'zod';
import { DecisionSchema } from '../datahub.schema.ts';

/** POST /api/v1/datahub/consumers: a department application that may call the gateway. */
export const ConsumerBodySchema = z.object({
  name: z.string().trim().min(1).max(120),
  departmentCode: z.string().min(1).max(64).describe('the requesting department, e.g. 50:water_resources'),
});
/** A consumer to register. */
export type ConsumerBody = z.infer<typeof ConsumerBodySchema>;

/** A registered consumer; `key` is shown only in the answer to its registration. */
export const ConsumerCreatedSchema = z.object({
  id: z.string(),
  name: z.string(),
  departmentCode: z.string(),
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

/** The answer of an allowed exchange. */
export const ExchangeResultSchema = z.object({
  exchangeId: z.string().describe('the exchange log sequence number'),
  decision: DecisionSchema,
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
  decision: DecisionSchema,
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
