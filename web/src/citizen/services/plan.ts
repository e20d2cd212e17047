import type { BundleDefinition, BundleMaterial, FormField } from '../../shared/bundles.ts';

/** A bundle's materials by where they come from, before anything is read. */
export interface MaterialPlan {
  /** Read from a department's records (with consent); the owner of the first source. */
  shared: { material: BundleMaterial; owner: string; fallback: boolean }[];
  /** Produced by an item of the bundle. */
  produced: { material: BundleMaterial; item: string }[];
  /** Only the applicant can give them. */
  yours: BundleMaterial[];
}

/** Where each material of a bundle comes from (the first source that can give it). */
export function materialPlan(def: BundleDefinition): MaterialPlan {
  const plan: MaterialPlan = { shared: [], produced: [], yours: [] };
  for (const m of def.materials) {
    const first = m.sources[0];
    if (first?.kind === 'item') plan.produced.push({ material: m, item: first.item });
    else if (first?.kind === 'catalogue')
      plan.shared.push({
        material: m,
        owner: first.owner,
        fallback: m.sources.some((s) => s.kind === 'applicant'),
      });
    else plan.yours.push(m);
  }
  return plan;
}

/** The form as typed in the page: text, a date, 'yes' / 'no', or a number as text. */
export type Draft = Record<string, string>;

/** The form as the API takes it (empty fields left out), from what was typed. */
export function formValues(fields: FormField[], draft: Draft): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const f of fields) {
    const v = (draft[f.name] ?? '').trim();
    if (!v) continue;
    if (f.type === 'boolean') out[f.name] = v === 'yes';
    else if (f.type === 'number') out[f.name] = Number(v);
    else out[f.name] = v;
  }
  return out;
}

/** The required fields left empty. */
export function missingFields(fields: FormField[], draft: Draft): FormField[] {
  return fields.filter((f) => f.required !== false && !(draft[f.name] ?? '').trim());
}

/** Largest file a material may be (the server's rule: 2 MB of content). */
export const MAX_FILE_BYTES = 2_000_000;
/** File types a material may be. */
export const FILE_TYPES = ['image/png', 'image/jpeg', 'application/pdf'];

/** A chosen file as a data: URL, or why it is refused (a code of `services.fileErrors`). */
export async function fileAsDataUrl(file: File): Promise<{ url: string } | { error: 'type' | 'size' }> {
  if (!FILE_TYPES.includes(file.type)) return { error: 'type' };
  if (file.size > MAX_FILE_BYTES) return { error: 'size' };
  const url = await new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsDataURL(file);
  });
  return { url };
}

/** The server's refusal rules for a material, as keys of `services.rules` (others are shown as sent). */
export const RULES: Record<string, string> = {
  'required: give it': 'required',
  'confirm the record shown, or give your own': 'confirm',
  'only PNG, JPEG or PDF files are accepted': 'type',
  'a file may be at most 2 MB': 'size',
  'text may be at most 500 characters': 'long',
  'a file must be sent as a data: URL with base64 content': 'type',
};
