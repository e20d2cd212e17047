import { z } from 'zod';

// The ingest → rules hand-over on the bus, apart from rules.partitions.ts so the subject registry
// (alerts.schema.ts) can name it without importing the rules side.
/** Partitions of the rule subjects when nothing else is said (every ingest and rules process must agree). */
export const DEFAULT_PARTITIONS = 16;
/** Upper bound of the partition count (the bus registry declares one subject per partition up to it). */
export const MAX_PARTITIONS = 256;

/**
 * What the ingest hands the rules for one partition of one committed batch: the readings that
 * were new (columns: device, metric, observation time ms, value) and the newest arrival
 * (platform clock, ms) of every device of the partition that sent something.
 */
export const ReadingsMessageSchema = z
  .object({
    d: z.array(z.string()),
    m: z.array(z.string()),
    t: z.array(z.number()),
    v: z.array(z.number()),
    ad: z.array(z.string()),
    at: z.array(z.number()),
  })
  .refine((r) => r.m.length === r.d.length && r.t.length === r.d.length && r.v.length === r.d.length, {
    message: 'reading columns differ in length',
  })
  .refine((r) => r.at.length === r.ad.length, { message: 'arrival columns differ in length' });
export type ReadingsMessage = z.infer<typeof ReadingsMessageSchema>;

/** Bus subject of a partition's readings. */
export type ReadingsSubject = `sensing.readings.p${number}`;
export function readingsSubject(partition: number): ReadingsSubject {
  return `sensing.readings.p${partition}`;
}

/** Every partition's readings subject, for the app's bus registry. */
export const READINGS_SUBJECTS = Object.fromEntries(
  Array.from({ length: MAX_PARTITIONS }, (_, k) => [readingsSubject(k), ReadingsMessageSchema]),
) as Record<ReadingsSubject, typeof ReadingsMessageSchema>;
