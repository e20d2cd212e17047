/** Public surface of the algorithms module: the registry, its routes, migrations and the types callers need. */
export {
  type AlgorithmImpl,
  type AlgorithmResult,
  type CallContext,
  type Decided,
  type GatedAlgorithm,
  isNotInUse,
  type NotDecided,
} from './algorithms.gate.ts';
export { type FieldPolicy, MASK_TYPES, type MaskType } from './algorithms.mask.ts';
export { algorithmMigrations } from './algorithms.migrations.ts';
export { type AlgorithmRouteDeps, registerAlgorithmRoutes } from './algorithms.routes.ts';
export type { AlgorithmStatus, AlgorithmVersion, RegisterFields } from './algorithms.schema.ts';
export {
  type AlgorithmNotifier,
  AlgorithmRegistry,
  type AlgorithmRegistryOptions,
} from './algorithms.service.ts';
export type { Refusal } from './algorithms.snapshot.ts';
export type { DecisionDto, Explanation, Subject } from './decisions.schema.ts';
export { DEFAULT_REVIEW, MIN_RETENTION_DAYS, type ReviewPolicy } from './decisions.service.ts';
