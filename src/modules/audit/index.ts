/** Public surface of the audit module. */
export { auditMigrations } from './audit.migrations.ts';
export { type Refusals, type RefusedActor, refusals } from './audit.refusals.ts';
export { registerAuditRoutes } from './audit.routes.ts';
export type { AuditEntryDto, VerifyResult } from './audit.schema.ts';
export { type AuditEvent, AuditLog } from './audit.service.ts';
