import type { ListEntry } from './datahub.schema.ts';
import type { PolicyRequest } from './negative-list.policy.ts';

/**
 * The same list semantics in plain JavaScript: a map from owner department to entries, each
 * checked by hand. Not used to decide anything: the tests compare Cedar's answers with it and
 * bench/policy-decision.ts uses it as the baseline.
 */
export class ReferenceList {
  private readonly byOwner = new Map<string, ListEntry[]>();
  private readonly global: ListEntry[] = [];

  constructor(entries: readonly ListEntry[]) {
    for (const e of entries) {
      const owner = e.scope.ownerDepartment;
      if (!owner) this.global.push(e);
      else this.byOwner.set(owner, [...(this.byOwner.get(owner) ?? []), e]);
    }
  }

  /** Ids of the entries that forbid the request (empty: allowed). */
  forbidding(r: PolicyRequest): string[] {
    if (r.requesterDepartment === r.resource.ownerDepartment) return [];
    const asked = r.fields ? r.resource.fields.filter((f) => r.fields?.includes(f.name)) : r.resource.fields;
    const classes = new Set(asked.map((f) => f.class));
    const out: string[] = [];
    for (const e of [...this.global, ...(this.byOwner.get(r.resource.ownerDepartment) ?? [])]) {
      const s = e.scope;
      if (s.resourceId && s.resourceId !== r.resource.id) continue;
      if (s.ownerDepartment && s.ownerDepartment !== r.resource.ownerDepartment) continue;
      if (s.fieldClass && !classes.has(s.fieldClass)) continue;
      if (e.kind === 'conditional' && conditionsHold(e, r)) continue;
      out.push(e.id);
    }
    return out;
  }
}

function conditionsHold(e: ListEntry, r: PolicyRequest): boolean {
  const c = e.conditions ?? {};
  if (c.purposes && !c.purposes.includes(r.purpose)) return false;
  if (c.departments && !c.departments.includes(r.requesterDepartment)) return false;
  if (c.roles && !c.roles.some((role) => r.roles.includes(role))) return false;
  if (c.ownerApproval && !r.ownerApproval) return false;
  if (c.validUntil && Math.floor(r.at.getTime() / 1000) > Math.floor(Date.parse(c.validUntil) / 1000))
    return false;
  return true;
}
