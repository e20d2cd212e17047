import type { VersionRow } from './algorithms.repository.ts';
import type { AlgorithmStatus, AlgorithmVersion, RegisterFields } from './algorithms.schema.ts';

/** The register fields the version table indexes as columns. */
export function indexed(register: RegisterFields) {
  return {
    decision_type: register.decisionType,
    risk_category: register.riskCategory,
    owner_department_code: register.owner.departmentCode,
  };
}

/** A version row as the API returns it. */
export function toDto(r: VersionRow): AlgorithmVersion {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    key: r.key,
    version: r.version,
    status: r.status as AlgorithmStatus,
    register: r.register as RegisterFields,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    filedBy: r.filed_by,
    filedAt: iso(r.filed_at),
    approvedBy: r.approved_by,
    approvedAt: iso(r.approved_at),
    inUseSince: iso(r.in_use_since),
    retiredAt: iso(r.retired_at),
  };
}
