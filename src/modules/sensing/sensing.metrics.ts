import { Counter, Gauge, Histogram } from 'prom-client';
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

/** Rules processes (`serve --role rules`): partitions this process owns now. */
export const rulesOwnedGauge = new Gauge({
  name: 'citybrain_sensing_rules_partitions_owned',
  help: 'Rule partitions this rules process owns',
  registers: [metricsRegistry],
});

/**
 * Per owned partition: stream messages not yet applied (JetStream consumer num_pending +
 * num_ack_pending), sampled every ownership round.
 */
export const rulesLagGauge = new Gauge({
  name: 'citybrain_sensing_rules_partition_lag_messages',
  help: 'Readings messages of an owned partition not yet applied (consumer pending + unacknowledged), sampled each ownership round',
  labelNames: ['partition'],
  registers: [metricsRegistry],
});

/** Partition messages by outcome: applied, skipped (at or below the recorded progress), terminated (undecodable). */
export const rulesMessageCounter = new Counter({
  name: 'citybrain_sensing_rules_messages_total',
  help: 'Partition readings messages handled by the rules, by outcome: applied, skipped (already applied), terminated (undecodable)',
  labelNames: ['outcome'],
  registers: [metricsRegistry],
});

/** Partitions taken (epoch bumped) by this process. */
export const rulesTakeoverCounter = new Counter({
  name: 'citybrain_sensing_rules_takeovers_total',
  help: 'Rule partitions taken over by this process (epoch bumped)',
  registers: [metricsRegistry],
});

/** Transactions refused because another process took the partition (its epoch moved on). */
export const rulesFencedCounter = new Counter({
  name: 'citybrain_sensing_rules_fenced_total',
  help: 'Rules transactions refused because the partition epoch moved on (fenced off)',
  registers: [metricsRegistry],
});

/** Device change notices applied to this process's registry cache. */
export const deviceChangeCounter = new Counter({
  name: 'citybrain_sensing_device_changes_applied_total',
  help: 'Device change notices (sensing.device.changed) applied to this process’s device cache',
  registers: [metricsRegistry],
});
