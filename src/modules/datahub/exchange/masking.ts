/** Classes of a catalogued field, from open to closed. */
export type FieldClass = 'public' | 'internal' | 'sensitive' | 'personal' | 'restricted';

/** How a field's value is masked. `redact` hides it whole; the others keep what identifies nobody. */
export type MaskKind = 'phone' | 'id_number' | 'name' | 'address' | 'plate' | 'redact';

/** A field of a resource as masking needs it. */
export interface MaskField {
  name: string;
  class: FieldClass;
  /** How to mask it; without it the kind is guessed from the value (phone, ID number) or the value is redacted. */
  kind?: MaskKind;
}

/** Which classes are masked and which are left out of the answer. */
export interface MaskPolicy {
  mask: FieldClass[];
  drop: FieldClass[];
}

/** Personal and sensitive fields masked, restricted fields dropped. */
export const DEFAULT_MASK_POLICY: MaskPolicy = { mask: ['personal', 'sensitive'], drop: ['restricted'] };

const MOBILE = /^(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})$/;

/** A mainland mobile number (optionally +86, spaces or dashes) as `138****5678`; anything else keeps its last 4 digits only. */
export function maskPhone(value: string): string {
  const m = MOBILE.exec(value.trim());
  if (m) return `${m[1]}****${m[3]}`;
  const digits = value.replace(/\D/g, '');
  return digits.length > 4 ? `${'*'.repeat(digits.length - 4)}${digits.slice(-4)}` : '****';
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** Whether an 18-character resident identity number is well formed (GB 11643-1999: birth date and ISO 7064 MOD 11-2 check character). */
export function isValidResidentId(value: string): boolean {
  const id = value.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  const y = Number(id.slice(6, 10));
  const mo = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const birth = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1900 || birth.getUTCMonth() !== mo - 1 || birth.getUTCDate() !== d) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * (ID_WEIGHTS[i] as number);
  return ID_CHECK[sum % 11] === id[17];
}

/** A valid resident ID keeps its region code (first 6) and last 4: `500103********123X`; an invalid one is hidden whole. */
export function maskIdNumber(value: string): string {
  const id = value.trim().toUpperCase();
  if (!isValidResidentId(id)) return '*'.repeat(18);
  return `${id.slice(0, 6)}${'*'.repeat(8)}${id.slice(14)}`;
}

/** Two-character surnames (复姓) that stay whole: 欧阳娜娜 → 欧阳**. */
const COMPOUND_SURNAMES = new Set(
  '欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 司空 夏侯 轩辕 令狐 钟离 端木 独孤 南宫 西门 百里 呼延 澹台 公冶 太史 申屠 闻人 赫连 万俟 濮阳 淳于 单于 拓跋 完颜 东郭 左丘 第五 梁丘 闾丘 羊舌 微生 公羊 谷梁 乐正'.split(
    ' ',
  ),
);

/** A person's name with the surname kept: 张三 → 张*, 欧阳娜娜 → 欧阳**, 阿依古丽·买买提 → 阿***·***, John Smith → J*** S****. */
export function maskName(value: string): string {
  const name = value.trim();
  const chars = Array.from(name);
  if (chars.length === 0) return '';
  if (/^[\p{Script=Latin}\s.'-]+$/u.test(name)) {
    return name
      .split(/\s+/)
      .map((w) => {
        const c = Array.from(w);
        return `${c[0]}${'*'.repeat(c.length - 1)}`;
      })
      .join(' ');
  }
  if (chars.length === 1) return '*';
  const keep = COMPOUND_SURNAMES.has(chars.slice(0, 2).join('')) && chars.length > 2 ? 2 : 1;
  return chars.map((c, i) => (i < keep || c === '·' || c === '•' ? c : '*')).join('');
}

/** An address kept to its county level (区/县/旗, else 市, else its first 3 characters): 重庆市渝中区民族路188号 → 重庆市渝中区****. */
export function maskAddress(value: string): string {
  const a = value.trim();
  const county = /^.*?(?:区|县|旗)/u.exec(a);
  const city = /^.*?市/u.exec(a);
  const kept = county?.[0] ?? city?.[0] ?? Array.from(a).slice(0, 3).join('');
  return kept.length >= a.length ? `${kept}` : `${kept}****`;
}

const PLATE =
  /^([京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z])[·•\s-]?([A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警港澳])$/u;

/** A vehicle plate (GA 36) keeps province, issuing office and last 2: 渝A12345 → 渝A***45, 渝AD12345 → 渝A****45; others are hidden whole. */
export function maskPlate(value: string): string {
  const m = PLATE.exec(value.trim().toUpperCase());
  if (!m) return '*'.repeat(Array.from(value.trim()).length || 4);
  const tail = Array.from(m[2] as string);
  return `${m[1]}${'*'.repeat(tail.length - 2)}${tail.slice(-2).join('')}`;
}

/** The kind a value looks like when its field declares none. */
export function guessKind(value: string): MaskKind {
  if (MOBILE.test(value.trim())) return 'phone';
  if (isValidResidentId(value)) return 'id_number';
  if (PLATE.test(value.trim().toUpperCase())) return 'plate';
  return 'redact';
}

/** Masks one value by kind; null and undefined stay as they are, other non-strings are redacted. */
export function maskValue(kind: MaskKind | undefined, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value !== 'string' && typeof value !== 'number') return '***';
  const s = String(value);
  switch (kind ?? guessKind(s)) {
    case 'phone':
      return maskPhone(s);
    case 'id_number':
      return maskIdNumber(s);
    case 'name':
      return maskName(s);
    case 'address':
      return maskAddress(s);
    case 'plate':
      return maskPlate(s);
    default:
      return '***';
  }
}

/**
 * Applies a mask policy to rows: fields of a masked class are masked by kind, fields of a dropped
 * class and fields not in `fields` (nothing unclassified leaves) are left out. Returns the names
 * of the masked and dropped fields for the exchange log.
 */
export function maskRows(
  rows: Record<string, unknown>[],
  fields: MaskField[],
  policy: MaskPolicy = DEFAULT_MASK_POLICY,
): { rows: Record<string, unknown>[]; maskedFields: string[]; droppedFields: string[] } {
  const keep = fields.filter((f) => !policy.drop.includes(f.class));
  const masked = keep.filter((f) => policy.mask.includes(f.class));
  const maskedSet = new Set(masked.map((f) => f.name));
  const out = rows.map((row) => {
    const o: Record<string, unknown> = {};
    for (const f of keep) {
      if (!(f.name in row)) continue;
      o[f.name] = maskedSet.has(f.name) ? maskValue(f.kind, row[f.name]) : row[f.name];
    }
    return o;
  });
  return {
    rows: out,
    maskedFields: masked.map((f) => f.name),
    droppedFields: fields.filter((f) => policy.drop.includes(f.class)).map((f) => f.name),
  };
}
