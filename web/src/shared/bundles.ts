/// <reference types="vite/client" />
/**
 * The bundle definitions (一件事) as the server loads them: the data files under data/services/,
 * bundled at build time. The API's bundle list carries titles and counts only — not the form, the
 * items or the approval graph — so the portal and the desks read those from the same files the
 * server started from, matched by id and version (see web/README.md: a `GET /bundles/:id` on the
 * server would replace this). Only the parts the faces use are typed here.
 */

/** A form field of a bundle. */
export interface FormField {
  name: string;
  titleZh: string;
  type: 'text' | 'date' | 'boolean' | 'number';
  required?: boolean;
}

/** An eligibility rule over the form. */
export interface EligibilityRule {
  id: string;
  field: string;
  op: 'eq' | 'in' | 'gte' | 'lte' | 'present' | 'withinDays';
  value?: string | number | boolean | string[];
  reasonZh: string;
  reasonEn: string;
}

/** One item of a bundle: its desk, time limit, predecessors and the materials it needs. */
export interface BundleItem {
  code: string;
  titleZh: string;
  titleEn: string;
  department: string;
  timeLimitDays: number;
  after?: string[];
  needs: string[];
  output: { code: string; titleZh: string; titleEn: string };
}

/** Where a material can come from, tried in order. */
export type MaterialSource =
  | { kind: 'catalogue'; resourceId: string; owner: string }
  | { kind: 'applicant'; format?: 'file' | 'text' }
  | { kind: 'item'; item: string };

/** A material of a bundle. */
export interface BundleMaterial {
  code: string;
  titleZh: string;
  titleEn: string;
  sources: MaterialSource[];
}

/** A bundle definition (the parts the faces read). */
export interface BundleDefinition {
  id: string;
  version: number;
  titleZh: string;
  titleEn: string;
  form: FormField[];
  eligibility?: EligibilityRule[];
  items: BundleItem[];
  materials: BundleMaterial[];
}

const files = import.meta.glob<BundleDefinition>('../../../data/services/*.json', {
  eager: true,
  import: 'default',
});
const DEFINITIONS: BundleDefinition[] = Object.values(files);

/** The definition of a bundle's version, if this build has it. */
export function definitionOf(id: string, version: number): BundleDefinition | undefined {
  return DEFINITIONS.find((d) => d.id === id && d.version === version);
}

/** Every department that has a desk in some bundle (the administrator's choice on the desk page). */
export function deskDepartments(): string[] {
  return [...new Set(DEFINITIONS.flatMap((d) => d.items.map((i) => i.department)))].sort();
}

/** A title in the reader's language. */
export function titleOf(x: { titleZh: string; titleEn?: string }, lng: string): string {
  return lng === 'en' && x.titleEn ? x.titleEn : x.titleZh;
}

/**
 * The approval graph in waves: wave n holds the items whose longest chain of predecessors is n
 * long, so the items of one wave are approved in parallel once the waves before are through.
 */
export function waves(def: BundleDefinition): BundleItem[][] {
  const depth = new Map<string, number>();
  const of = (code: string, seen: Set<string> = new Set()): number => {
    const known = depth.get(code);
    if (known !== undefined) return known;
    const item = def.items.find((i) => i.code === code);
    if (!item || seen.has(code)) return 0;
    seen.add(code);
    const d = Math.max(-1, ...(item.after ?? []).map((a) => of(a, seen))) + 1;
    depth.set(code, d);
    return d;
  };
  const out: BundleItem[][] = [];
  for (const item of def.items) {
    const d = of(item.code);
    out[d] = [...(out[d] ?? []), item];
  }
  return out.filter(Boolean);
}

/** The values an `in` rule accepts for a field (offered as choices), if one constrains it. */
export function choicesOf(def: BundleDefinition, field: string): string[] | undefined {
  const rule = def.eligibility?.find((r) => r.field === field && r.op === 'in' && Array.isArray(r.value));
  return rule && Array.isArray(rule.value) ? rule.value : undefined;
}
