import { z } from 'zod';

/** Settings of the sensing module, with defaults; the composition root maps config onto them. */
export const SensingOptionsSchema = z.object({
  /** How far past its arrival an observation's time may lie (device clock skew), seconds. */
  maxFutureSkewSeconds: z.number().min(0).default(300),
  /** Raw observation partitions older than this many days are dropped; older data is refused. */
  rawRetentionDays: z.number().int().min(1).default(31),
  /** Hourly rollups are kept this long; daily rollups are kept for ever. */
  hourlyRetentionDays: z.number().int().min(1).default(400),
  /** Late readings still count for a window until its end plus this (observation time), minutes. */
  latenessMinutes: z.number().min(0).default(120),
  /** A subject silent this long (clock) has its windows closed by the timer, minutes. */
  idleCloseMinutes: z.number().min(0).default(10),
  /** Local time zone offset for day windows and daily rollups (Chongqing, UTC+8: 480). */
  dayOffsetMinutes: z.number().int().min(-720).max(840).default(480),
  /** Devices silent this long are marked offline, minutes. */
  offlineAfterMinutes: z.number().min(1).default(30),
  /**
   * Period of the timer loop, seconds: no-data rules, idle windows, last-seen and offline
   * marking, partitions, and folding new batches into the rollups (which therefore lag
   * raw data by at most this long).
   */
  tickSeconds: z.number().min(1).default(10),
  /**
   * At `start()`, no-data rules count silence from the start at the earliest, not from the last
   * arrival before the process stopped: a restart after downtime does not report every device
   * silent at once (the platform could not hear them). Off by default (a restart fires at once);
   * the demo turns it on.
   */
  noDataGraceAtStart: z.boolean().default(false),
  /** Daily partitions created ahead of today. */
  partitionsAheadDays: z.number().int().min(0).max(31).default(2),
  /** One message (MQTT payload) larger than this is dead-lettered `too_large` without being decoded, bytes. */
  maxPayloadBytes: z.number().int().min(1024).default(65_536),
  /** A payload nested deeper than this is dead-lettered `too_deep` before anything recursive touches it. */
  maxPayloadDepth: z.number().int().min(2).max(64).default(16),
});

/** Validated settings. */
export type SensingOptions = z.infer<typeof SensingOptionsSchema>;
/** Settings as given (all optional). */
export type SensingOptionsInput = z.input<typeof SensingOptionsSchema>;
