import type { Conditions, ListEntry } from './datahub.schema.ts';

/** The Cedar entity types and the one action a read is. */
export const CEDAR = {
  principal: 'Datahub::Department',
  action: 'Datahub::Action',
  resource: 'Datahub::Resource',
  read: 'read',
} as const;

/** The default of a negative list: everything is shared unless a `forbid` says otherwise. */
export const BASE_POLICY_ID = 'default-share';
const BASE_POLICY = `@id("${BASE_POLICY_ID}")\npermit (principal, action, resource);`;

/** Cedar text of one entry: a `forbid`, lifted by `unless` when a conditional entry's conditions hold. */
export function entryToCedar(entry: ListEntry): string {
  const scope: string[] = [];
  // A resource scope implies its owner: testing the owner too would only cost a context attribute.
  if (entry.scope.ownerDepartment && !entry.scope.resourceId)
    scope.push(`context.owner == ${str(entry.scope.ownerDepartment)}`);
  if (entry.scope.fieldClass) scope.push(`context.classes.contains(${str(entry.scope.fieldClass)})`);
  const resource = entry.scope.resourceId
    ? `resource == ${CEDAR.resource}::${str(entry.scope.resourceId)}`
    : 'resource';
  const lines = [
    `@id(${str(entry.id)})`,
    `@kind(${str(entry.kind)})`,
    `@basis(${str(entry.basis)})`,
    `forbid (principal, action == ${CEDAR.action}::${str(CEDAR.read)}, ${resource})`,
  ];
  if (scope.length) lines.push(`when { ${scope.join(' && ')} }`);
  if (entry.kind === 'conditional') lines.push(`unless { ${conditionsToCedar(entry.conditions ?? {})} }`);
  return `${lines.join('\n')};`;
}

function conditionsToCedar(c: Conditions): string {
  const parts: string[] = [];
  if (c.purposes) parts.push(`${set(c.purposes)}.contains(context.purpose)`);
  if (c.departments) parts.push(`${set(c.departments)}.contains(context.requester)`);
  if (c.roles) parts.push(`context.roles.containsAny(${set(c.roles)})`);
  if (c.ownerApproval) parts.push('context.approved');
  if (c.validUntil) parts.push(`context.now <= ${Math.floor(Date.parse(c.validUntil) / 1000)}`);
  return parts.length ? parts.join(' && ') : 'true';
}

/** The context attributes an entry's policy reads: a call passes only those its slice needs. */
export function contextUsed(entry: ListEntry): ContextKey[] {
  const keys: ContextKey[] = [];
  if (entry.scope.ownerDepartment && !entry.scope.resourceId) keys.push('owner');
  if (entry.scope.fieldClass) keys.push('classes');
  const c = entry.kind === 'conditional' ? (entry.conditions ?? {}) : {};
  if (c.purposes) keys.push('purpose');
  if (c.departments) keys.push('requester');
  if (c.roles) keys.push('roles');
  if (c.ownerApproval) keys.push('approved');
  if (c.validUntil) keys.push('now');
  return keys;
}

/** Every attribute of the request context the policies may read. */
export type ContextKey = 'owner' | 'classes' | 'purpose' | 'requester' | 'roles' | 'approved' | 'now';

/** The policy set of a slice, keyed by entry id so Cedar's `diagnostics.reason` names the entries. */
export function sliceToCedar(entries: readonly ListEntry[]): Record<string, string> {
  const policies: Record<string, string> = { [BASE_POLICY_ID]: BASE_POLICY };
  for (const entry of entries) policies[entry.id] = entryToCedar(entry);
  return policies;
}

/** A Cedar string literal: quotes, backslashes and control characters escaped. */
function str(value: string): string {
  return `"${value
    .replace(/[\\"]/g, (c) => `\\${c}`)
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')}"`;
}

function set(values: readonly string[]): string {
  return `[${values.map(str).join(', ')}]`;
}
