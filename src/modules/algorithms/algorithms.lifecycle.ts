import type { Principal } from '../../platform/access.ts';
import { AppError } from '../../platform/errors.ts';
import type { AlgorithmStatus, RegisterFields } from './algorithms.schema.ts';

/** Who may make a transition, given the principal and the version's owner department. */
type Gatekeeper = 'owner' | 'owner_or_auditor' | 'auditor' | 'auditor_or_admin';

/**
 * The lifecycle graph. `filed → draft` returns a filing for changes (auditor) or withdraws it
 * (owner). Putting a version in use retires the one in use before it (see the service).
 */
export const TRANSITIONS: Record<AlgorithmStatus, Partial<Record<AlgorithmStatus, Gatekeeper>>> = {
  draft: { filed: 'owner' },
  filed: { approved: 'auditor', draft: 'owner_or_auditor' },
  approved: { in_use: 'auditor', retired: 'auditor' },
  in_use: { suspended: 'auditor_or_admin', retired: 'auditor' },
  suspended: { in_use: 'auditor', retired: 'auditor' },
  retired: {},
};

/** How a principal is written into the register, history and decision log: `kind:id`. */
export function actorOf(principal: Pick<Principal, 'kind' | 'id'>): string {
  return `${principal.kind}:${principal.id}`;
}

/** True for an admin, or a department liaison of the owner department. */
export function isOwner(principal: Principal, departmentCode: string): boolean {
  return (
    principal.roles.includes('admin') ||
    (principal.roles.includes('department_liaison') && principal.departmentCode === departmentCode)
  );
}

/**
 * Throws unless `from → to` is an edge of the lifecycle and the principal may take it.
 * Approval is four-eyes: whoever filed a version cannot approve it. Approving, putting in use,
 * reinstating and retiring need the auditor role itself (admin does not stand in for it:
 * separation of duties); an admin may only suspend, as an emergency brake.
 */
export function checkTransition(
  principal: Principal,
  version: { status: AlgorithmStatus; ownerDepartmentCode: string; filedBy: string | null },
  to: AlgorithmStatus,
): void {
  const gate = TRANSITIONS[version.status][to];
  if (!gate) {
    const allowed = Object.keys(TRANSITIONS[version.status]);
    throw new AppError('invalid_transition', `cannot go from ${version.status} to ${to}`, {
      reason: 'illegal_transition',
      from: version.status,
      to,
      allowed,
    });
  }
  const auditor = principal.roles.includes('auditor');
  const owner = isOwner(principal, version.ownerDepartmentCode);
  const ok =
    gate === 'owner'
      ? owner
      : gate === 'owner_or_auditor'
        ? owner || auditor
        : gate === 'auditor'
          ? auditor
          : auditor || principal.roles.includes('admin');
  if (!ok) {
    throw new AppError('forbidden', `${version.status} → ${to} needs: ${gate.replaceAll('_', ' ')}`, {
      reason: 'role',
      required: gate,
    });
  }
  if (to === 'approved' && version.filedBy === actorOf(principal)) {
    throw new AppError('forbidden', 'four-eyes: whoever filed a version cannot approve it', {
      reason: 'four_eyes',
    });
  }
}

/** Throws invalid_data when a draft lacks what a filing must carry. */
export function checkFileable(register: RegisterFields): void {
  const missing = (['impactAssessment', 'selfAssessment'] as const).filter((f) => !register[f]);
  if (missing.length > 0) {
    throw new AppError('invalid_data', `a filing needs: ${missing.join(', ')}`, {
      reason: 'incomplete',
      missing,
    });
  }
}

/** Throws unless the principal owns the version and it is still a draft (the only editable state). */
export function checkEditable(
  principal: Principal,
  row: { key: string; version: string; status: string; owner_department_code: string },
) {
  const dept = row.owner_department_code;
  if (!isOwner(principal, dept)) {
    throw new AppError('forbidden', `only a liaison of ${dept} or an admin may edit`, { reason: 'role' });
  }
  if (row.status !== 'draft') {
    throw new AppError(
      'invalid_transition',
      `only drafts can be edited; ${row.key}@${row.version} is ${row.status}`,
      {
        reason: 'not_draft',
        status: row.status,
      },
    );
  }
}
