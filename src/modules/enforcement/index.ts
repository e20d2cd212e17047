/** Public surface of the enforcement module: register, draws, inspect-once visits, codes, records, complaints, KPIs. */
export { base45Decode, base45Encode } from './base45.ts';
export { Catalogue } from './catalogue.ts';
export { CODE_PREFIX, type CodeClaims, parseCode, verifyCode } from './codes.cose.ts';
export { registerCodeRoutes } from './codes.routes.ts';
export { registerComplaintRoutes } from './complaints.routes.ts';
export type { ComplaintDto } from './complaints.schema.ts';
export type { CreditRepairResult, CreditRepairService } from './credit.repair.ts';
export { CREDIT_REPAIR_BUNDLE } from './credit.ts';
export { commitmentOf, type DrawInputs, drawJoint, inputsDigest } from './draw.ts';
export type { EnforcementDeps, StreetDirectory } from './enforcement.deps.ts';
export { enforcementMigrations } from './enforcement.migrations.ts';
export { createEnforcement, type Enforcement } from './enforcement.module.ts';
export { registerEnforcementRoutes } from './enforcement.routes.ts';
export type { DrawDto, EnterpriseDto, RecordBody, RecordDto, VisitDto } from './enforcement.schema.ts';
export { mergePlan, type PlannedInspection } from './merge.ts';
export { recordDigest, signDigest } from './record.digest.ts';
export { type GeneratedEnterprise, generateRegister, type StreetRef } from './register.generate.ts';
export { isValidUscc, makeUscc } from './uscc.ts';
