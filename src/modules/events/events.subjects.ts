import { z } from 'zod';
import { defineSubjects } from '../../platform/bus/index.ts';

const EventRef = z.object({
  eventId: z.string(),
  category: z.string().nullable(),
  status: z.string(),
  jurisdictionPath: z.string(),
});

/** What the event centre publishes (through the transactional outbox). */
export const eventSubjects = defineSubjects({
  'events.event.created': EventRef.extend({
    source: z.string(),
    priority: z.string(),
    lon: z.number(),
    lat: z.number(),
  }),
  'events.event.merged': EventRef.extend({ into: z.string() }),
  'events.event.status_changed': EventRef.extend({ from: z.string() }),
  'events.event.closed': EventRef.extend({ minutesToClose: z.number(), reporters: z.number().int() }),
  'events.event.reopened': EventRef.extend({ reason: z.string() }),
  'events.event.rated': EventRef.extend({ rating: z.number().int() }),
});

/**
 * The alert the event centre accepts from sensing on `sensing.alert.raised` — deliberately minimal
 * and tolerant (extra fields pass): id, rule, a category hint, where, which device or section,
 * severity and a description. Location as `location: {lon, lat}`, or `lon`/`lat` at the top.
 */
export const SensingAlertSchema = z
  .looseObject({
    id: z.string().min(1),
    ruleId: z.string().optional(),
    categoryHint: z.string().optional(),
    category: z.string().optional(),
    subCategory: z.string().nullable().optional(),
    location: z.object({ lon: z.number(), lat: z.number() }).optional(),
    lon: z.number().optional(),
    lat: z.number().optional(),
    alertSource: z.string().optional().describe('device or monitoring section name'),
    severity: z.string().optional(),
    description: z.string().min(1),
  })
  .refine((a) => a.location || (a.lon !== undefined && a.lat !== undefined), 'the alert needs a location');
/** An alert as the event centre reads it. */
export type SensingAlert = z.infer<typeof SensingAlertSchema>;

/** The subject the event centre consumes; the composition root keeps sensing's own declaration if it has one. */
export const consumedSubjects = defineSubjects({ 'sensing.alert.raised': SensingAlertSchema });
