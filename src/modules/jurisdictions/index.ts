/** Public surface of the jurisdictions module. */
export { labelPoint, polygonsOf } from './jurisdictions.geometry.ts';
export { jurisdictionMigrations } from './jurisdictions.migrations.ts';
export { registerJurisdictionRoutes } from './jurisdictions.routes.ts';
export {
  type ChainLink,
  type ImportOptions,
  type ImportResult,
  type Jurisdiction,
  type JurisdictionSummary,
  LEVELS,
  type Level,
  type Located,
  type StreetShape,
} from './jurisdictions.schema.ts';
export {
  type ImportOptionsInput,
  type JurisdictionDeps,
  JurisdictionService,
} from './jurisdictions.service.ts';
