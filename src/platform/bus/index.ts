// The bus's public surface; other code imports from here only.
export { type BusOptions, createBus } from './bus.ts';
export type {
  BatchHandler,
  BatchMessage,
  BatchSubscribeOptions,
  Bus,
  BusStats,
  DeadLetter,
  DeadLetterReason,
  DeliveryContext,
  Envelope,
  EnvelopeFor,
  Handler,
  PublishOptions,
  RawPublisher,
  SubscribeOptions,
  Subscription,
} from './bus.types.ts';
export type { StreamSettings } from './jetstream.setup.ts';
export { busOutboxMigrations } from './outbox.migrations.ts';
export { Outbox, type OutboxPublisher, OutboxRelay, type OutboxTables, type RelayOptions } from './outbox.ts';
export { defineSubjects, mergeSubjects, type SubjectMap } from './subjects.ts';
