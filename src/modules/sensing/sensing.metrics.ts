import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '../../platform/http/metrics.ts';

/** Observations refused, by reason (also stored in sensing_dead_letters). */
export const deadLetterCounter = new Counter({
  name: 'citybrain_sensing_dead_letters_total',
  help: 'Observations dead-lettered, by reason',
  labelNames: ['reason'],
  registers: [metricsRegistry],
});

/** Readings stored, and readings that were already stored (redeliveries). */
export const readingCounter = new Counter({
  name: 'citybrain_sensing_readings_total',
  help: 'Readings (device, metric, time, value) by outcome: stored or duplicate',
  labelNames: ['outcome'],
  registers: [metricsRegistry],
});

/** Readings the rules skipped because their window or moment was already decided. */
export const lateCounter = new Counter({
  name: 'citybrain_sensing_rule_late_readings_total',
  help: 'Readings too late for a rule (beyond the lateness window)',
  registers: [metricsRegistry],
});

/** Alert transitions by kind. */
export const alertCounter = new Counter({
  name: 'citybrain_sensing_alerts_total',
  help: 'Alerts raised and cleared by the rules',
  labelNames: ['transition'],
  registers: [metricsRegistry],
});

/** Time to ingest one batch. */
export const ingestDuration = new Histogram({
  name: 'citybrain_sensing_ingest_batch_seconds',
  help: 'Duration of one ingest() batch',
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [metricsRegistry],
});
