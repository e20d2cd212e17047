/**
 * Bundle definitions (一件事) as the server gives them (`GET /api/v1/services/bundles/{id}`, typed
 * from its OpenAPI): helpers the portal and the desks share.
 */
import type { BundleDefinition } from '../api/services.ts';

export type { BundleDefinition };
/** A form field of a bundle. */
export type FormField = BundleDefinition['form'][number];
/** One item of a bundle: its desk, time limit, predecessors and the materials it needs. */
export type BundleItem = BundleDefinition['items'][number];
/** A material of a bundle, with its sources tried in order. */
export type BundleMaterial = BundleDefinition['materials'][number];

/** A title in the reader's language. */
export function titleOf(x: { titleZh: string; titleEn?: string }, lng: string): string {
  return lng === 'en' && x.titleEn ? x.titleEn : x.titleZh;
}

/**
 * The approval graph in waves, as the server lays it out (`steps`): the items of one wave are
 * approved in parallel once the waves before are through.
 */
export function waves(def: BundleDefinition): BundleItem[][] {
  return def.steps.map((codes) => codes.flatMap((code) => def.items.filter((i) => i.code === code)));
}

/** The departments with a desk in some bundle (the administrator's choice on the desk page). */
export function deskDepartments(defs: readonly BundleDefinition[]): string[] {
  return [...new Set(defs.flatMap((d) => d.items.map((i) => i.department)))].sort();
}

/** The values an `in` rule accepts for a field (offered as choices), if one constrains it. */
export function choicesOf(def: BundleDefinition, field: string): string[] | undefined {
  const rule = def.eligibility.find((r) => r.field === field && r.op === 'in' && Array.isArray(r.value));
  return rule && Array.isArray(rule.value) ? rule.value : undefined;
}

/** The consent words in the reader's language (the Chinese ones are what the server stores). */
export function consentText(def: BundleDefinition, lng: string): string {
  return lng === 'en' ? def.consent.textEn : def.consent.textZh;
}
