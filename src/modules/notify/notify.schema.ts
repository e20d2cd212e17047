import type { ColumnType, Generated } from 'kysely';
import { z } from 'zod';

/** Tables owned by the notify module. */
export interface NotifyTables {
  nt_notification: {
    id: Generated<number>;
    recipient: string;
    channel: string;
    target: string | null;
    subject_type: string;
    subject_id: string;
    jurisdiction_path: string;
    title: string;
    body: string;
    /** What the message says as a code and parameters clients render in the reader's language (null on older rows). */
    code: string | null;
    params: Record<string, string | number | null> | null;
    status: string;
    attempts: ColumnType<number, number | undefined, number>;
    last_error: string | null;
    created_at: ColumnType<Date, Date, never>;
    delivered_at: Date | null;
  };
}

/** Who a notification is for: a reporter (citizen), a governance centre, or a team. */
export interface Recipient {
  /** `reporter:<id>`, `centre:<node code>`, `team:<id>`. */
  id: string;
  webhookUrl?: string | null;
  phone?: string | null;
  email?: string | null;
}

/** What is sent: about which subject, where, with which text. */
export interface Message {
  subjectType: string;
  subjectId: string;
  jurisdictionPath: string;
  /** The text channels without a language of their own (SMS, e-mail, webhooks) send. */
  title: string;
  body: string;
  /** The message as a code (web catalogue `notices.<code>`) and its parameters, for clients to render. */
  code?: string;
  params?: Record<string, string | number | null>;
}

/** One notification as the API returns it. */
export const NotificationSchema = z.object({
  id: z.number().int(),
  recipient: z.string(),
  channel: z.string(),
  subjectType: z.string(),
  subjectId: z.string(),
  title: z.string().describe('the text fallback (may be bilingual)'),
  body: z.string(),
  code: z.string().nullable().describe('the message as a code for clients to render in their language'),
  params: z
    .record(z.string(), z.union([z.string(), z.number(), z.null()]))
    .nullable()
    .describe('the parameters of code'),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(),
  createdAt: z.iso.datetime({ offset: true }),
  deliveredAt: z.iso.datetime({ offset: true }).nullable(),
});
/** One notification. */
export type NotificationDto = z.infer<typeof NotificationSchema>;

/** Filters of GET /api/v1/notifications. */
export const NotificationQuerySchema = z.object({
  recipient: z.string().optional().describe('e.g. centre:500103'),
  subjectId: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
/** Notification filters. */
export type NotificationQuery = z.infer<typeof NotificationQuerySchema>;
