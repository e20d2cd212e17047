import {
  type Bundle,
  type BundleMaterial,
  bundleDepartments,
  type EligibilityRule,
} from './services.bundle.ts';
import type { EligibilityDto, MaterialDto, StepDto } from './services.schema.ts';

/**
 * The process rules of an application, pure (no storage, no clock of its own): eligibility, the
 * materials an application starts with, which steps the approval graph opens next, the
 * applicant's materials' validation, and the figures of the summary.
 */

const DAY_MS = 86_400_000;

/** Every eligibility rule the form fails, with its reason (empty when eligible). */
export function checkEligibility(bundle: Bundle, form: Record<string, unknown>, now: Date): EligibilityDto {
  const reasons = bundle.eligibility
    .filter((rule) => !holds(rule, form[rule.field], now))
    .map((r) => ({ rule: r.id, field: r.field, reasonZh: r.reasonZh, reasonEn: r.reasonEn }));
  return { eligible: reasons.length === 0, reasons };
}

function holds(rule: EligibilityRule, value: unknown, now: Date): boolean {
  const present = value !== undefined && value !== null && value !== '';
  switch (rule.op) {
    case 'present':
      return present;
    case 'eq':
      return value === rule.value;
    case 'in':
      return Array.isArray(rule.value) && rule.value.includes(String(value));
    case 'gte':
      return typeof value === 'number' && value >= Number(rule.value);
    case 'lte':
      return typeof value === 'number' && value <= Number(rule.value);
    case 'withinDays': {
      const t = typeof value === 'string' ? Date.parse(value) : Number.NaN;
      if (Number.isNaN(t)) return false;
      const days = (now.getTime() - t) / DAY_MS;
      return days >= -1 && days <= Number(rule.value);
    }
  }
}

/** The form fields the bundle requires that are missing or of the wrong type (named). */
export function formProblems(bundle: Bundle, form: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const f of bundle.form) {
    const v = form[f.name];
    if (v === undefined || v === '') {
      if (f.required) problems.push(`${f.name}: required`);
      continue;
    }
    const ok =
      f.type === 'boolean'
        ? typeof v === 'boolean'
        : f.type === 'number'
          ? typeof v === 'number'
          : f.type === 'date'
            ? typeof v === 'string' && !Number.isNaN(Date.parse(v))
            : typeof v === 'string';
    if (!ok) problems.push(`${f.name}: must be a ${f.type}`);
  }
  return problems;
}

/** A material before any source was asked: an item's output waits for it; anything else is needed. */
export function blankMaterial(m: BundleMaterial): MaterialDto {
  const base = { code: m.code, titleZh: m.titleZh, titleEn: m.titleEn };
  const fromItem = m.sources.find((s) => s.kind === 'item');
  if (fromItem?.kind === 'item')
    return { ...base, origin: 'item', status: 'awaiting_item', item: fromItem.item };
  const applicant = m.sources.find((s) => s.kind === 'applicant');
  return {
    ...base,
    origin: 'applicant',
    status: 'needed',
    format: applicant?.kind === 'applicant' ? applicant.format : 'file',
  };
}

/** Why a value the applicant gives for a material is refused (undefined when it is fine). */
export function materialProblem(m: MaterialDto, value: string): string | undefined {
  if ((m.format ?? 'file') === 'file') {
    const match = /^data:([\w.+-]+\/[\w.+-]+);base64,([A-Za-z0-9+/]+=*)$/.exec(value);
    if (!match) return 'a file must be sent as a data: URL with base64 content';
    if (!/^(image\/(png|jpeg)|application\/pdf)$/.test(match[1] ?? ''))
      return 'only PNG, JPEG or PDF files are accepted';
    if ((match[2]?.length ?? 0) * 0.75 > 2_000_000) return 'a file may be at most 2 MB';
    return undefined;
  }
  return value.length > 500 ? 'text may be at most 500 characters' : undefined;
}

/** Steps whose predecessors are all approved and that still wait: the graph's next parallel wave. */
export function readySteps(bundle: Bundle, steps: Pick<StepDto, 'item' | 'status'>[]): string[] {
  const status = new Map(steps.map((s) => [s.item, s.status]));
  return bundle.items
    .filter((i) => status.get(i.code) === 'waiting' && i.after.every((a) => status.get(a) === 'approved'))
    .map((i) => i.code);
}

/** The summary figures of an application. */
export function summarise(
  bundle: Bundle,
  materials: MaterialDto[],
  submittedAt: Date | null,
  completedAt: Date | null,
): {
  items: number;
  departments: number;
  materialsRequired: number;
  materialsFromCitizen: number;
  materialsFromSharedData: number;
  materialsFromItems: number;
  leadTimeMinutes: number | null;
} {
  const count = (origin: MaterialDto['origin']) => materials.filter((m) => m.origin === origin).length;
  return {
    items: bundle.items.length,
    departments: bundleDepartments(bundle).length,
    materialsRequired: materials.length,
    materialsFromCitizen: count('applicant'),
    materialsFromSharedData: count('shared_data'),
    materialsFromItems: count('item'),
    leadTimeMinutes:
      submittedAt && completedAt
        ? Math.round((completedAt.getTime() - submittedAt.getTime()) / 6_000) / 10
        : null,
  };
}
