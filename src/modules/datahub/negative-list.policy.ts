import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { Decision, FieldClass, ListEntry } from './datahub.schema.ts';
import { CEDAR, type ContextKey, contextUsed, sliceToCedar } from './negative-list.cedar.ts';

/** What the policy needs to know about the resource asked for. */
export interface PolicyResource {
  id: string;
  ownerDepartment: string;
  fields: readonly { name: string; class: FieldClass }[];
}

/** One question to the list: may this department read (these fields of) this resource for this purpose? */
export interface PolicyRequest {
  resource: PolicyResource;
  requesterDepartment: string;
  roles: readonly string[];
  purpose: string;
  /** Field names asked for; all fields when absent. */
  fields?: readonly string[];
  ownerApproval: boolean;
  at: Date;
}

/** Field classes masked whenever data crosses a department boundary, whatever the list says. */
export const DEFAULT_MASKED: readonly FieldClass[] = ['personal', 'restricted'];

let nextInstance = 0;

interface Slice {
  id: string;
  entries: ListEntry[];
  /** Context attributes its policies read (the Wasm boundary costs per attribute passed). */
  uses: ReadonlySet<ContextKey>;
}

/**
 * The negative list evaluated by Cedar. Every version is compiled once and kept pre-parsed in
 * the Wasm module (`preparsePolicySet`), sliced by scope: Cedar checks every policy of a set on
 * every call (about 3 µs each here), so a request is evaluated against the slice of the entries
 * that can apply to it — those of its resource, of its owner department, and those scoped to no
 * owner. A request no entry's scope covers meets the default `permit` alone: answered without a
 * Wasm call.
 */
export class NegativeListPolicy {
  private currentVersion = -1;
  private byId = new Map<string, ListEntry>();
  private slices = new Map<string, Slice>();
  private shared: Slice = { id: '', entries: [], uses: new Set() };
  private generation = 1;
  /** Distinguishes this policy's sets from another instance's in the same process's Wasm cache. */
  private readonly instance = nextInstance++;
  /** Cedar evaluations made (a decision makes 0, 1, or 2 when it checks whether only approval is missing). */
  wasmCalls = 0;

  /** The version in force; -1 before the first load. */
  get version(): number {
    return this.currentVersion;
  }

  /** Compiles and pre-parses a version; the previous one answers until this returns (it is synchronous). */
  load(version: number, entries: readonly ListEntry[]): void {
    const global: ListEntry[] = [];
    const byOwner = new Map<string, ListEntry[]>();
    const byResource = new Map<string, ListEntry[]>();
    for (const entry of entries) {
      const { ownerDepartment: owner, resourceId } = entry.scope;
      if (!owner) global.push(entry);
      else if (resourceId) push(byResource, `${owner}|${resourceId}`, entry);
      else push(byOwner, owner, entry);
    }
    // Two generations of set ids take turns: the Wasm cache keeps at most two versions' slices, and
    // a load that fails half-way only touched the generation not in use.
    const generation = 1 - this.generation;
    const prefix = `nl:${this.instance}:${generation}:`;
    const slices = new Map<string, Slice>();
    const shared = preparse(`${prefix}*`, global);
    for (const [owner, own] of byOwner) slices.set(owner, preparse(`${prefix}${owner}`, [...global, ...own]));
    for (const [key, own] of byResource) {
      const owner = key.slice(0, key.indexOf('|'));
      slices.set(key, preparse(`${prefix}${key}`, [...global, ...(byOwner.get(owner) ?? []), ...own]));
    }
    this.generation = generation;
    this.byId = new Map(entries.map((e) => [e.id, e]));
    this.slices = slices;
    this.shared = shared;
    this.currentVersion = version;
  }

  /** allow | deny | needs_approval, the entries that determined it with their bases, and the fields to mask. */
  decide(request: PolicyRequest): Decision {
    const { resource } = request;
    const asked = request.fields
      ? resource.fields.filter((f) => request.fields?.includes(f.name))
      : resource.fields;
    // A department reading its own data is no exchange: the list does not apply.
    if (request.requesterDepartment === resource.ownerDepartment) {
      return { decision: 'allow', listVersion: this.currentVersion, entries: [], maskedFields: [] };
    }
    const slice =
      this.slices.get(`${resource.ownerDepartment}|${resource.id}`) ??
      this.slices.get(resource.ownerDepartment) ??
      this.shared;
    const classes = [...new Set(asked.map((f) => f.class))];
    const candidates = slice.entries.filter((e) => applies(e, resource, classes));
    // No entry's scope covers the request: the default permit answers, without a Wasm round-trip.
    const reasons = candidates.length ? this.evaluate(slice, request, classes, request.ownerApproval) : [];
    let decision: Decision['decision'] = 'allow';
    const determining = reasons.map((id) => this.byId.get(id)).filter((e): e is ListEntry => !!e);
    if (determining.length) {
      decision = 'deny';
      const onlyApprovalMissing =
        !request.ownerApproval &&
        determining.every((e) => e.kind === 'conditional' && e.conditions?.ownerApproval) &&
        this.evaluate(slice, request, classes, true).length === 0;
      if (onlyApprovalMissing) decision = 'needs_approval';
    }
    const maskClasses = new Set<FieldClass>(DEFAULT_MASKED);
    if (decision !== 'deny')
      for (const entry of candidates) for (const c of entry.maskClasses) maskClasses.add(c);
    return {
      decision,
      listVersion: this.currentVersion,
      entries: determining.map((e) => ({ id: e.id, kind: e.kind, basis: e.basis })),
      maskedFields:
        decision === 'deny'
          ? []
          : asked.filter((f) => maskClasses.has(f.class)).map((f) => ({ name: f.name, class: f.class })),
    };
  }

  /** Ids of the `forbid` entries that hold for the request (empty: allowed). */
  private evaluate(slice: Slice, r: PolicyRequest, classes: string[], approved: boolean): string[] {
    this.wasmCalls++;
    const all: Record<ContextKey, CedarValue> = {
      owner: r.resource.ownerDepartment,
      requester: r.requesterDepartment,
      roles: [...r.roles],
      purpose: r.purpose,
      classes,
      approved,
      now: Math.floor(r.at.getTime() / 1000),
    };
    const context: Record<string, CedarValue> = {};
    for (const key of slice.uses) context[key] = all[key];
    const answer = cedar.statefulIsAuthorized({
      principal: { type: CEDAR.principal, id: r.requesterDepartment },
      action: ACTION,
      resource: { type: CEDAR.resource, id: r.resource.id },
      context,
      preparsedPolicySetId: slice.id,
      entities: [],
    });
    if (answer.type === 'failure')
      throw new Error(`cedar: ${answer.errors.map((e) => e.message).join('; ')}`);
    const { decision, diagnostics } = answer.response;
    // An entry whose evaluation errs is treated as holding: a broken entry must not open data up.
    const errored = diagnostics.errors.map((e) => e.policyId);
    const held = decision === 'allow' ? [] : diagnostics.reason;
    return [...new Set([...held, ...errored])];
  }
}

/**
 * True when the entry's scope covers the request: a superset of what its Cedar `when` and scope
 * test (the conditions are left to Cedar). It picks the masks, which Cedar does not decide, and
 * spares the Wasm call when nothing applies; the tests check Cedar and a plain reading agree.
 */
function applies(entry: ListEntry, resource: PolicyResource, classes: string[]): boolean {
  const s = entry.scope;
  if (s.resourceId && s.resourceId !== resource.id) return false;
  if (s.ownerDepartment && s.ownerDepartment !== resource.ownerDepartment) return false;
  if (s.fieldClass && !classes.includes(s.fieldClass)) return false;
  return true;
}

function push(map: Map<string, ListEntry[]>, key: string, entry: ListEntry): void {
  const list = map.get(key);
  if (list) list.push(entry);
  else map.set(key, [entry]);
}

function preparse(id: string, entries: ListEntry[]): Slice {
  const answer = cedar.preparsePolicySet(id, { staticPolicies: sliceToCedar(entries) });
  if (answer.type === 'failure') throw new Error(`cedar: ${answer.errors.map((e) => e.message).join('; ')}`);
  return { id, entries, uses: new Set(entries.flatMap(contextUsed)) };
}

type CedarValue = string | number | boolean | string[];
const ACTION = { type: CEDAR.action, id: CEDAR.read };
