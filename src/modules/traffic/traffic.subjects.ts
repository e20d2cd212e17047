import { z } from 'zod';
import { defineSubjects } from '../../platform/bus/index.ts';

/** A congestion alert as the bus carries it. */
export const CongestionAlertSchema = z.object({
  id: z.string(),
  linkId: z.string(),
  linkName: z.string(),
  roadClass: z.string(),
  level: z.string(),
  peakTti: z.number(),
  startedAt: z.iso.datetime({ offset: true }),
  raisedAt: z.iso.datetime({ offset: true }),
  clearedAt: z.iso.datetime({ offset: true }).nullable(),
  minutes: z.number().describe('how long the link had been at or above the level when raised'),
  location: z.object({ lon: z.number(), lat: z.number() }),
  jurisdictionPath: z.string(),
});
/** A congestion alert. */
export type CongestionAlert = z.infer<typeof CongestionAlertSchema>;

/** What the traffic module publishes (through the transactional outbox). */
export const trafficSubjects = defineSubjects({
  'traffic.congestion.raised': CongestionAlertSchema,
  'traffic.congestion.cleared': CongestionAlertSchema,
});
