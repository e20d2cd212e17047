import { z } from 'zod';

/** A calendar date YYYY-MM-DD that exists (not 2026-02-30): periods are computed from it. */
export const CalendarDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD')
  .refine((d) => {
    const t = Date.parse(`${d}T00:00:00Z`);
    return !Number.isNaN(t) && new Date(t).toISOString().startsWith(d);
  }, 'not a calendar date');

/** Where a complaint came in: the 12345 hotline, the government portal, or an Open311 request. */
export const COMPLAINT_SOURCES = ['hotline', 'portal', 'open311'] as const;

/** A complaint about repeated inspections, as an operator records it (unknown fields refused). */
export const ComplaintBodySchema = z.strictObject({
  enterpriseCode: z.string().min(1).max(40),
  /** The department complained about, if the caller named one (a department of the catalogue). */
  department: z.string().min(1).max(60).optional(),
  /** When the complaint was received (ISO 8601 with offset); now by default, never in the future. */
  receivedAt: z.iso
    .datetime({ offset: true })
    .refine((s) => !Number.isNaN(Date.parse(s)), 'not a date')
    .optional(),
  source: z.enum(COMPLAINT_SOURCES),
  text: z.string().trim().min(1).max(2000),
});
export type ComplaintBody = z.infer<typeof ComplaintBodySchema>;

export const ComplaintSchema = z.object({
  id: z.string(),
  enterpriseCode: z.string(),
  districtCode: z.string(),
  department: z.string().nullable(),
  receivedAt: z.string(),
  /** The city's date (UTC+8) the quiet period is assessed up to. */
  receivedDate: z.string(),
  source: z.enum(COMPLAINT_SOURCES),
  text: z.string(),
  /** At least two visits to the enterprise within the quiet period ending at receivedDate. */
  substantiated: z.boolean(),
  /** The visits within that quiet period (synthetic demo complaints: visits of the generator's plan). */
  visitIds: z.array(z.string()),
  quietPeriodDays: z.number().int(),
  synthetic: z.boolean(),
});
export type ComplaintDto = z.infer<typeof ComplaintSchema>;

export const ComplaintQuerySchema = z.strictObject({
  from: CalendarDay.default('2000-01-01'),
  to: CalendarDay.default('2999-12-31'),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
export type ComplaintQuery = z.infer<typeof ComplaintQuerySchema>;
