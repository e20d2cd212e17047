import { createHash } from 'node:crypto';

/**
 * Masks, named as in Apache Ranger's data-masking policies, plus two for Chinese identifiers:
 * MASK_PHONE_CN keeps the first 3 and last 4 digits (138****5678), MASK_ID_CN the first 6
 * (region) and last 4 of a resident ID number. MASK_NONE keeps the value, but free text is
 * still scrubbed of phone and ID numbers.
 */
export const MASK_TYPES = [
  'MASK_NONE',
  'MASK',
  'MASK_SHOW_LAST_4',
  'MASK_SHOW_FIRST_4',
  'MASK_HASH',
  'MASK_NULL',
  'MASK_DATE_SHOW_YEAR',
  'MASK_PHONE_CN',
  'MASK_ID_CN',
] as const;

/** One mask. */
export type MaskType = (typeof MASK_TYPES)[number];

/** Which input fields (dotted paths) a decision log keeps, and how each is masked. */
export type FieldPolicy = Record<string, MaskType>;

const PHONE_CN = /(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)/g;
const LONG_DIGITS = /\d{11}/;
const ID_CN = /(?<![\dXx])(\d{6})(\d{8})(\d{3}[\dXx])(?![\dXx])/g;

/** Replaces mobile and resident-ID numbers inside free text with their masked forms. */
export function scrubText(text: string): string {
  if (!LONG_DIGITS.test(text)) return text; // cheap pre-check: most strings hold no 11-digit run
  return text
    .replace(ID_CN, (_m, a: string, _b, c: string) => `${a}********${c.slice(-4)}`)
    .replace(PHONE_CN, '$1****$3');
}

/** Applies one mask to one value; arrays are masked element by element, objects are scrubbed. */
export function maskValue(value: unknown, mask: MaskType): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((v) => maskValue(v, mask));
  if (mask === 'MASK_NULL') return null;
  if (typeof value === 'object')
    return mask === 'MASK_NONE' ? scrubDeep(value) : mask === 'MASK_HASH' ? hash(value) : null;
  const s = String(value);
  switch (mask) {
    case 'MASK_NONE':
      return typeof value === 'string' ? scrubText(value) : value;
    case 'MASK':
      return s
        .replace(/[A-Z]/g, 'X')
        .replace(/[a-z]/g, 'x')
        .replace(/\d/g, 'n')
        .replace(/[^\sXxn.,:;/-]/gu, 'x');
    case 'MASK_SHOW_LAST_4':
      return 'x'.repeat(Math.max(0, s.length - 4)) + s.slice(-4);
    case 'MASK_SHOW_FIRST_4':
      return s.slice(0, 4) + 'x'.repeat(Math.max(0, s.length - 4));
    case 'MASK_HASH':
      return hash(s);
    case 'MASK_DATE_SHOW_YEAR':
      return /^\d{4}/.test(s) ? `${s.slice(0, 4)}-01-01` : null;
    case 'MASK_PHONE_CN':
      return s.length >= 7
        ? `${s.slice(0, 3)}${'*'.repeat(s.length - 7)}${s.slice(-4)}`
        : '*'.repeat(s.length);
    case 'MASK_ID_CN':
      return s.length >= 10
        ? `${s.slice(0, 6)}${'*'.repeat(s.length - 10)}${s.slice(-4)}`
        : '*'.repeat(s.length);
  }
}

/**
 * Keeps only the fields the policy names (data minimisation: everything else is dropped,
 * the digest still covers it), each masked. A path segment that meets an array applies to
 * every element: `candidates.phone` masks the phone of each candidate.
 */
export function applyPolicy(input: unknown, policy: FieldPolicy): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, mask] of Object.entries(policy)) {
    const value = pick(input, path.split('.'));
    if (value !== undefined) out[path] = maskValue(value, mask);
  }
  return out;
}

function pick(value: unknown, segments: string[]): unknown {
  if (segments.length === 0) return value;
  if (Array.isArray(value)) return value.map((v) => pick(v, segments));
  if (value === null || typeof value !== 'object') return undefined;
  const [head, ...rest] = segments;
  return pick((value as Record<string, unknown>)[head as string], rest);
}

function scrubDeep(value: object): unknown {
  if (Array.isArray(value))
    return value.map((v) => (v && typeof v === 'object' ? scrubDeep(v) : maskValue(v, 'MASK_NONE')));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskValue(v, 'MASK_NONE')]));
}

function hash(value: unknown): string {
  return createHash('sha256')
    .update(typeof value === 'string' ? value : JSON.stringify(value))
    .digest('hex');
}
