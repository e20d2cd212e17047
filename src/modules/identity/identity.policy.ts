import {
  canSee,
  hasRole,
  type Principal,
  ROLE_GROUPS,
  ROLES,
  type Role,
  requireRole,
} from '../../platform/access.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { JurisdictionNode } from './identity.schema.ts';

/** The jurisdiction level each operator role must sit at. */
export const ROLE_LEVEL: Partial<Record<Role, string>> = {
  city_operator: 'city',
  district_operator: 'district',
  street_operator: 'street',
};

/** Lists users: operators at every level (street operators see their street only, through scoping). */
export function assertCanListUsers(actor: Principal): void {
  requireRole(actor, ...ROLE_GROUPS.operators);
}

/** Creates and changes users and API keys: admins, city and district operators. */
export function assertCanManage(actor: Principal): void {
  requireRole(actor, 'city_operator', 'district_operator');
}

/**
 * Roles an operator may hand out besides those it holds: the operator roles of its level and
 * below, and the field roles its level staffs. Never admin or auditor (only holders grant those).
 */
export const DELEGABLE: Partial<Record<Role, readonly Role[]>> = {
  city_operator: [...ROLE_GROUPS.operators, 'field_officer', 'department_liaison'],
  district_operator: ['district_operator', 'street_operator', 'field_officer'],
};

/** Roles the actor may grant: its own plus what its operator roles delegate; admins grant anything. */
export function grantableBy(actor: Principal): ReadonlySet<Role> {
  if (hasRole(actor, 'admin')) return new Set(ROLES);
  return new Set([...actor.roles, ...actor.roles.flatMap((r) => DELEGABLE[r] ?? [])]);
}

/** Refuses granting roles beyond what the actor may grant (see DELEGABLE). */
export function assertGrantable(actor: Principal, roles: readonly Role[]): void {
  const allowed = grantableBy(actor);
  const missing = roles.filter((r) => !allowed.has(r));
  if (missing.length) {
    throw new AppError('forbidden', `you cannot grant roles: ${missing.join(', ')}`, { roles: missing });
  }
}

/** Refuses changing a user who holds roles the actor could not grant (a district operator cannot touch an admin). */
export function assertOutranks(actor: Principal, subjectRoles: readonly string[]): void {
  const allowed = grantableBy(actor);
  const beyond = subjectRoles.filter((r) => !allowed.has(r as Role));
  if (beyond.length) {
    throw new AppError('forbidden', `the user holds roles you cannot manage: ${beyond.join(', ')}`, {
      roles: beyond,
    });
  }
}

/** The node must lie in the actor's jurisdiction. */
export function assertNodeInScope(actor: Principal, node: JurisdictionNode): void {
  if (!canSee(actor, node.path)) {
    // As for every record named outside the caller's jurisdiction: not_found, like a read.
    throw notFound('jurisdiction', node.code);
  }
}

/** Operator roles must match the level of the node: a street operator belongs to a street, and so on. */
export function assertRolesFitLevel(roles: readonly Role[], node: JurisdictionNode): void {
  for (const role of roles) {
    const level = ROLE_LEVEL[role];
    if (level && level !== node.level) {
      throw new AppError(
        'invalid_data',
        `role ${role} belongs to a ${level}-level node, not '${node.code}' (${node.level})`,
        {
          role,
          expectedLevel: level,
          jurisdictionCode: node.code,
          level: node.level,
        },
      );
    }
  }
}

/** True when the principal is the user with this id. */
export function isSelf(actor: Principal, userId: string): boolean {
  return actor.kind === 'user' && actor.id === userId;
}
