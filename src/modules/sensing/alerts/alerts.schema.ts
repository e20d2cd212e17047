import { z } from 'zod';
import type { Db } from '../../../platform/db/database.ts';
import { DeviceChangedSchema } from '../devices/devices.schema.ts';
import { READINGS_SUBJECTS } from '../readings.subjects.ts';
import { SEVERITIES } from '../rules/rule.schema.ts';

/** Lifecycle of an alert: open → acknowledged → cleared (cleared also straight from open). */
export const ALERT_STATUSES = ['open', 'acknowledged', 'cleared'] as const;

/** An alert as the API returns it: FIWARE Alert fields plus the rule, subject and lifecycle. */
export const AlertSchema = z.object({
  id: z.string(),
  type: z.literal('Alert'),
  category: z.string(),
  subCategory: z.string().nullable(),
  severity: z.enum(SEVERITIES),
  alertSource: z.string().describe('the device (station) that raised it'),
  location: z.object({ lon: z.number(), lat: z.number() }).describe('where the device is (WGS84)'),
  description: z.string(),
  dateIssued: z.iso.datetime({ offset: true }),
  validFrom: z.iso.datetime({ offset: true }).describe('observation time the condition began'),
  validTo: z.iso.datetime({ offset: true }).nullable().describe('observation time it recovered'),
  ruleId: z.string(),
  ruleVersion: z.number().int(),
  subject: z.string(),
  status: z.enum(ALERT_STATUSES),
  jurisdictionPath: z.string(),
  details: z.record(z.string(), z.unknown()),
  acknowledgedAt: z.iso.datetime({ offset: true }).nullable(),
  acknowledgedBy: z.string().nullable(),
  clearedAt: z.iso.datetime({ offset: true }).nullable(),
  clearedBy: z.string().nullable(),
  clearReason: z.enum(['recovered', 'manual']).nullable(),
});
export type AlertDto = z.infer<typeof AlertSchema>;

/** Filters of GET /api/v1/alerts. */
export const AlertQuerySchema = z.object({
  status: z.enum(ALERT_STATUSES).optional(),
  ruleId: z.string().optional(),
  subject: z.string().optional(),
  area: z.string().optional().describe('jurisdiction code'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type AlertQuery = z.infer<typeof AlertQuerySchema>;

/** Bus subjects sensing emits and their payload schema (the alert), for the app's subject registry. */
export const SENSING_SUBJECTS = Object.assign(
  {
    'sensing.alert.raised': AlertSchema,
    'sensing.alert.acknowledged': AlertSchema,
    'sensing.alert.cleared': AlertSchema,
    // Registry → rules and ingest processes: re-read this device (docs/sensing-pipeline.md).
    'sensing.device.changed': DeviceChangedSchema,
  } as const,
  // Ingest → rules processes, one subject per partition (`sensing.readings.p<k>`).
  READINGS_SUBJECTS,
);

/** What the publisher is handed: `sensing.alert.raised|acknowledged|cleared` and the alert. */
export interface AlertEvent {
  subject: 'sensing.alert.raised' | 'sensing.alert.acknowledged' | 'sensing.alert.cleared';
  alert: AlertDto;
}

/**
 * Port to the bus. Called inside the transaction that changes the alert, with that
 * transaction, so an outbox implementation writes its row atomically with the change.
 */
export interface AlertPublisher {
  publish(event: AlertEvent, trx: Db): Promise<void>;
}

/** A publisher that drops everything (until the bus is wired). */
export const noopAlertPublisher: AlertPublisher = { publish: async () => {} };
