import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import { AppError } from './errors.ts';
import type { Role } from './roles.ts';

export { ROLE_GROUPS, ROLES, type Role } from './roles.ts';

/**
 * Who is asking: a user, an API key of a system, or the platform itself.
 * `jurisdictionPath` is the slash-joined chain of codes from the city down to the node the
 * principal belongs to (e.g. `50/500103/500103001`); it bounds everything the principal sees.
 */
export interface Principal {
  kind: 'user' | 'api_key' | 'system';
  id: string;
  name: string;
  roles: Role[];
  jurisdictionCode: string;
  jurisdictionPath: string;
  departmentCode: string | null;
}

/** The platform acting on its own behalf (start-up, seeding, schedulers): sees the whole city. */
export const SYSTEM_PRINCIPAL: Principal = {
  kind: 'system',
  id: 'system',
  name: 'system',
  roles: ['admin'],
  jurisdictionCode: '',
  jurisdictionPath: '',
  departmentCode: null,
};

/** True when a record at `path` lies inside the principal's jurisdiction (its node or below). */
export function canSee(principal: Principal, path: string): boolean {
  const scope = principal.jurisdictionPath;
  return scope === '' || path === scope || path.startsWith(`${scope}/`);
}

/** Throws not_found (never revealing that the record exists) when the record is outside the principal's scope. */
export function assertVisible(principal: Principal, path: string, kind: string, key: string): void {
  if (!canSee(principal, path)) throw new AppError('not_found', `${kind} '${key}' not found`, { kind, key });
}

/** True when the principal holds any of the roles (admin holds all). */
export function hasRole(principal: Principal, ...roles: Role[]): boolean {
  return principal.roles.includes('admin') || roles.some((r) => principal.roles.includes(r));
}

/** Throws forbidden unless the principal holds one of the roles. */
export function requireRole(principal: Principal, ...roles: Role[]): void {
  if (!hasRole(principal, ...roles)) {
    throw new AppError('forbidden', `requires one of the roles: ${roles.join(', ')}`, { roles });
  }
}

/**
 * A WHERE condition keeping rows whose path column lies in the principal's scope.
 * Repositories add it to every read, so scoping holds whatever route asks.
 */
export function inScope(
  principal: Principal,
  column: string,
  // biome-ignore lint/suspicious/noExplicitAny: usable in any module's query; the column name is checked at run time.
): (eb: ExpressionBuilder<any, any>) => Expression<SqlBool> {
  return withinPath(principal.jurisdictionPath, column);
}

/**
 * A WHERE condition keeping rows whose path column is `path` or lies below it ('' keeps all):
 * a view narrowed to one area inside the principal's scope (the scope check is still inScope's).
 */
export function withinPath(
  path: string,
  column: string,
  // biome-ignore lint/suspicious/noExplicitAny: usable in any module's query; the column name is checked at run time.
): (eb: ExpressionBuilder<any, any>) => Expression<SqlBool> {
  return (eb) => {
    if (path === '') return sql<boolean>`true`;
    const ref = eb.ref(column);
    return eb.or([eb(ref, '=', path as never), eb(ref, 'like', `${escapeLike(path)}/%` as never)]);
  };
}

/** A jurisdiction path as the API takes it: codes joined by '/' (e.g. 500000/500103). */
export const JURISDICTION_PATH = /^[0-9A-Za-z_-]{1,32}(\/[0-9A-Za-z_-]{1,32}){0,6}$/;

/** Escapes LIKE wildcards in a literal prefix. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
