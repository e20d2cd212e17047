/** Public surface of the integrated-services module (一件事一次办). */
export {
  type Bundle,
  BundleFileError,
  bundleDepartments,
  checkDepartments,
  DEFAULT_BUNDLES_DIR,
  type LoadedBundle,
  loadBundleFiles,
} from './services.bundle.ts';
export { CERTIFICATE_TYP, PDF_QR_ENTRY } from './services.certificates.ts';
export {
  type BundleDefinitionDto,
  bundleDefinition,
  CONSENT_TEXT,
  CONSENT_TEXT_EN,
} from './services.definition.ts';
export type {
  ApplicantDirectory,
  CompletedApplication,
  CompletionListener,
  EvidenceAnswer,
  EvidenceRequest,
  EvidenceSource,
  PrecheckGate,
  ServicesDeps,
} from './services.deps.ts';
export { servicesMigrations } from './services.migrations.ts';
export { createServices, type IntegratedServices } from './services.module.ts';
export { PRECHECK_ALGORITHM } from './services.precheck-gate.ts';
export { NEWBORN_BUNDLE } from './services.proposals.ts';
export { registerServicesRoutes } from './services.routes.ts';
export type {
  ApplicationDto,
  CertificateClaims,
  DeskItemDto,
  MaterialDto,
  MaterialPrecheck,
  ProposalDto,
  StepDto,
} from './services.schema.ts';
export { ESCALATION_RECIPIENT } from './services.timers.ts';
