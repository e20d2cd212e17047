/** Public surface of the sensing module. */
export type { AlertDto, AlertEvent, AlertPublisher } from './alerts/alerts.schema.ts';
export { AlertSchema, noopAlertPublisher, SENSING_SUBJECTS } from './alerts/alerts.schema.ts';
export type { DeviceRecord } from './devices/devices.repository.ts';
export type {
  DeviceChanged,
  DeviceDto,
  DeviceInput,
  LocatedPoint,
  Locator,
} from './devices/devices.schema.ts';
export { DeviceChangedSchema } from './devices/devices.schema.ts';
export type { DeviceChangePublisher } from './devices/devices.service.ts';
export { decodeRaw, IngestBatcher } from './intake/intake.batcher.ts';
export type {
  IngestResult,
  ObservedReading,
  RawObservation,
  ReadingsObserver,
} from './intake/intake.service.ts';
export type { DeadLetterReason } from './intake/intake.validate.ts';
export {
  DEFAULT_PARTITIONS,
  MAX_PARTITIONS,
  READINGS_SUBJECTS,
  type ReadingsMessage,
  ReadingsMessageSchema,
  readingsSubject,
} from './readings.subjects.ts';
export type { Rule } from './rules/rule.schema.ts';
export { DEFAULT_RULES_DIR, loadRuleFiles, parseRules } from './rules/rules.loader.ts';
export {
  type ApplyResult,
  type PartitionedRules,
  PartitionLostError,
  type PartitionMessage,
  partitionOf,
  type ReadingsOut,
} from './rules/rules.partitions.ts';
export { DEVICE_TYPES, type DeviceType, METRICS } from './sensing.catalogue.ts';
export { DEMO_DEVICES_CSV } from './sensing.data.ts';
export { rulesLagGauge, rulesMessageCounter, rulesOwnedGauge } from './sensing.metrics.ts';
export { sensingMigrations } from './sensing.migrations.ts';
export type { SensingOptionsInput } from './sensing.options.ts';
export { registerSensingRoutes } from './sensing.routes.ts';
export { type SensingDeps, SensingService } from './sensing.service.ts';
export type { DaySum, TypedDevice } from './store/series.repository.ts';
