import { z } from 'zod';
import { JURISDICTION_PATH } from '../../platform/access.ts';
import { TaskSchema } from '../dispatch/index.ts';
import { NoteParamsSchema, STATUS_NOTE_CODES } from './events.notes.ts';
import { EventPhotoSchema, MAX_PHOTOS_PER_REPORT } from './events.photos.ts';

/** Where an event came from. */
export const SOURCES = ['sensor_alert', 'citizen', 'patrol', 'system'] as const;
/** One source. */
export type Source = (typeof SOURCES)[number];

/** Event lifecycle: triage (a person must categorise or re-route) → dispatched → in_progress → resolved → closed; duplicates are `merged`. */
export const EVENT_STATUSES = [
  'triage',
  'dispatched',
  'in_progress',
  'resolved',
  'closed',
  'merged',
] as const;
/** One event status. */
export type EventStatus = (typeof EVENT_STATUSES)[number];

/** Priorities, derived from the category's accept limit or the alert's severity unless given. */
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;

const iso = z.iso.datetime({ offset: true });

/** Narrows a list or a figure to one area inside the caller's scope, by its jurisdiction path. */
export const WithinSchema = z
  .string()
  .regex(JURISDICTION_PATH, 'a jurisdiction path such as 50/500103')
  .describe('only this area (its jurisdiction path, e.g. 50/500103) — inside your own scope');
const LonLat = z.object({ lon: z.number().min(-180).max(180), lat: z.number().min(-90).max(90) });

/** Who reported: a citizen's contact details (kept, never shown on public reads). */
export const ReporterInputSchema = z.object({
  name: z.string().trim().max(100).optional(),
  email: z.email().max(200).optional(),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 -]{5,20}$/)
    .optional(),
  accountId: z.string().max(100).optional(),
  deviceId: z.string().max(100).optional(),
  notifyUrl: z
    .url({ protocol: /^https?$/ })
    .max(500)
    .optional()
    .describe('webhook called with the outcome'),
});
/** A reporter's details. */
export type ReporterInput = z.infer<typeof ReporterInputSchema>;

/** One problem reported to the event centre, from any channel. */
export const IntakeSchema = z.object({
  description: z.string().trim().min(2).max(4000),
  location: LonLat,
  address: z.string().trim().max(300).optional(),
  category: z.string().min(1).max(80).optional().describe('known category; otherwise the classifier decides'),
  serviceCode: z.string().max(80).optional(),
  media: z
    .array(z.url({ protocol: /^https?$/ }).max(1000))
    .max(10)
    .default([]),
  photos: z
    .array(z.uuid())
    .max(MAX_PHOTOS_PER_REPORT)
    .default([])
    .describe('ids of photos uploaded with POST /api/v1/citizen/photos; each belongs to one report'),
  priority: z.enum(PRIORITIES).optional(),
  externalRef: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('the caller’s id; a repeat returns the same event'),
  reporter: ReporterInputSchema.default({}),
});
/** Intake input. */
export type IntakeInput = z.input<typeof IntakeSchema>;
/** Intake input after defaults. */
export type Intake = z.output<typeof IntakeSchema>;

/** Body of POST /api/v1/events (patrols, operators, other systems via API key). */
export const CreateEventSchema = IntakeSchema.extend({ source: z.enum(SOURCES).optional() });

/** An event as the API returns it. */
export const EventSchema = z.object({
  id: z.string(),
  trackingNo: z
    .string()
    .describe(
      'the short number people read and type, e.g. CQ-20261207-000123; accepted wherever an event id is',
    ),
  source: z.enum(SOURCES),
  externalRef: z.string().nullable(),
  serviceCode: z.string().nullable(),
  category: z.string().nullable(),
  confidence: z.number().nullable(),
  classifiedBy: z.string().nullable(),
  classifyDecisionId: z.string().nullable(),
  status: z.enum(EVENT_STATUSES),
  priority: z.enum(PRIORITIES),
  description: z.string(),
  address: z.string().nullable(),
  location: LonLat,
  jurisdictionCode: z.string(),
  jurisdictionPath: z.string(),
  chain: z.array(z.object({ code: z.string(), name: z.string(), level: z.string() })),
  handlingLevel: z.string().nullable(),
  agency: z.string().nullable(),
  media: z.array(z.string()),
  mergedInto: z.string().nullable(),
  dedupeDecisionId: z.string().nullable(),
  triageReason: z.string().nullable(),
  statusNote: z.string().nullable().describe('the public status note in English: the fallback text'),
  statusNoteCode: z
    .enum(STATUS_NOTE_CODES)
    .nullable()
    .describe('the note as a code for clients to render in their language (null on older events)'),
  statusNoteParams: NoteParamsSchema.nullable().describe('the parameters of statusNoteCode'),
  createdAt: iso,
  updatedAt: iso,
  expectedAt: iso.nullable(),
  resolvedAt: iso.nullable(),
  closedAt: iso.nullable(),
  reopened: z.number().int(),
  multiDepartment: z.boolean(),
});
/** An event. */
export type EventDto = z.infer<typeof EventSchema>;

/** An event with its tasks and reporter count (detail view). */
export const EventDetailSchema = EventSchema.extend({
  tasks: z.array(TaskSchema),
  reporters: z.number().int(),
  photos: z
    .array(EventPhotoSchema)
    .describe('photos sent by the reporters (this event and the duplicates merged into it)'),
});
/** Event detail. */
export type EventDetail = z.infer<typeof EventDetailSchema>;

/** What intake answers. */
export const IntakeResultSchema = z.object({
  event: EventSchema,
  tasks: z.array(TaskSchema),
  token: z.string().describe('the reporter’s secret: follow, rate and reopen the request with it'),
  duplicate: z.boolean(),
});
/** What intake answers. */
export type IntakeResult = z.infer<typeof IntakeResultSchema>;

/** Filters of event lists. */
export const EventQuerySchema = z.object({
  status: z.enum(EVENT_STATUSES).optional(),
  category: z.string().optional(),
  source: z.enum(SOURCES).optional(),
  priority: z.enum(PRIORITIES).optional(),
  q: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .describe('words of the description or address, the start of the event id, or a tracking number'),
  within: WithinSchema.optional(),
  ids: z.array(z.string()).optional(),
  from: iso.optional(),
  to: iso.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
/** Event filters. */
export type EventQuery = z.infer<typeof EventQuerySchema>;

/** Body of POST /api/v1/events/:id/categorise. */
export const CategoriseSchema = z.object({
  category: z.string().min(1),
  reason: z.string().trim().min(2).max(1000),
});
/** Body of POST /api/v1/events/:id/verify. */
export const VerifySchema = z.object({ approve: z.boolean(), note: z.string().trim().min(2).max(1000) });
/** Body of the citizen's rating. */
export const RatingSchema = z.object({
  token: z.string().min(10),
  rating: z.number().int().min(1).max(5),
  comment: z.string().trim().max(1000).optional(),
});
/** Body of the citizen's reopen request. */
export const ReopenSchema = z.object({
  token: z.string().min(10),
  reason: z.string().trim().min(2).max(1000),
});
