import type { Kysely } from 'kysely';
import type { Role } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import { forTables } from '../../platform/db/database.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { AuditLog } from '../audit/index.ts';
import type { PasswordHasher } from './identity.password.ts';
import type { ApiKeyRow, IdentityRepository, UserRow } from './identity.repository.ts';
import type {
  ApiKeyDto,
  IdentityTables,
  JurisdictionNode,
  ResolveDepartment,
  ResolveJurisdiction,
  UpdateUserInput,
  UserDto,
} from './identity.schema.ts';

/** What the identity service's parts share: storage, audit, time, hashing and the resolvers of other modules. */
export interface IdentityContext {
  db: Kysely<unknown>;
  audit: AuditLog;
  clock: Clock;
  repo: IdentityRepository;
  passwords: PasswordHasher;
  resolveJurisdiction: ResolveJurisdiction;
  resolveDepartment?: ResolveDepartment;
}

/** The module's tables on a connection or transaction. */
export function tables(db: Kysely<unknown>): Kysely<IdentityTables> {
  return forTables<IdentityTables>(db);
}

/** Runs `work` in one transaction, giving it the typed tables and the raw handle for `AuditLog.append`. */
export function inTransaction<T>(
  ctx: IdentityContext,
  work: (trx: Kysely<IdentityTables>, raw: Kysely<unknown>) => Promise<T>,
): Promise<T> {
  return ctx.db.transaction().execute((raw) => work(tables(raw), raw));
}

/** The node with this code; invalid_data when the jurisdictions module does not know it. */
export async function nodeOf(ctx: IdentityContext, code: string): Promise<JurisdictionNode> {
  const node = await ctx.resolveJurisdiction(code);
  if (!node) throw new AppError('invalid_data', `unknown jurisdiction '${code}'`, { jurisdictionCode: code });
  return node;
}

/**
 * Checks a department code with the organisation module when it is wired in, and that the
 * department (`<node>:<type>`) sits at the record's node or above it: a department of another
 * district or street answers not_found, as naming any record outside one's jurisdiction does.
 */
export async function checkDepartment(
  ctx: IdentityContext,
  code: string | null | undefined,
  recordPath: string,
): Promise<void> {
  if (code == null || !ctx.resolveDepartment) return;
  if (!(await ctx.resolveDepartment(code))) {
    throw new AppError('invalid_data', `unknown department '${code}'`, { departmentCode: code });
  }
  const nodeCode = code.includes(':') ? code.slice(0, code.indexOf(':')) : undefined;
  const node = nodeCode === undefined ? undefined : await ctx.resolveJurisdiction(nodeCode);
  if (node && recordPath !== node.path && !recordPath.startsWith(`${node.path}/`)) {
    throw notFound('department', code);
  }
}

/** True for PostgreSQL's unique_violation (both engines report the same SQLSTATE). */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown })?.code === '23505';
}

/** A user row as the API shows it. */
export function toUserDto(row: UserRow): UserDto {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    roles: row.roles as Role[],
    jurisdictionCode: row.jurisdiction_code,
    jurisdictionPath: row.jurisdiction_path,
    departmentCode: row.department_code,
    active: row.active,
    hasPassword: row.password_hash !== null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** An API key row as the API shows it (no hash, no secret). */
export function toApiKeyDto(row: ApiKeyRow): ApiKeyDto {
  return {
    id: row.id,
    name: row.name,
    roles: row.roles as Role[],
    jurisdictionCode: row.jurisdiction_code,
    jurisdictionPath: row.jurisdiction_path,
    departmentCode: row.department_code,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    revokedAt: row.revoked_at ? row.revoked_at.toISOString() : null,
  };
}

const COLUMN = {
  displayName: 'display_name',
  roles: 'roles',
  active: 'active',
  departmentCode: 'department_code',
};

/** The fields the patch really changes: before/after for the audit entry, and the columns to set. */
export function userChanges(row: UserRow, patch: UpdateUserInput) {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  const set: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(COLUMN)) {
    const to = patch[key as keyof UpdateUserInput];
    const from = row[column as keyof UserRow];
    if (to === undefined || JSON.stringify(from) === JSON.stringify(to)) continue;
    changes[key] = { from, to };
    set[column] = to;
  }
  return { changes, set };
}
