/**
 * The material pre-check (`services.material-precheck`), pure: deterministic, explainable checks of
 * what an applicant gave for a material. It never refuses anything — a material is `pass` or
 * `needs_review` with reasons (codes with parameters) that the desk reads; the desk decides.
 * It runs only through the algorithm gate (services.precheck-gate.ts), which logs every decision.
 */

/** One reason a material needs a person's look, as a code with parameters (web catalogue `services.precheck.*`). */
export interface PrecheckReason {
  code: string;
  params: Record<string, string | number>;
}

/** The pre-check's verdict on one material. */
export interface MaterialVerdict {
  result: 'pass' | 'needs_review';
  reasons: PrecheckReason[];
}

/** What a material is expected to be (the bundle files do not say; the pre-check's own table, filed with it). */
export interface Expectation {
  /** `image`: PNG or JPEG; `document`: PDF, or a scan as PNG or JPEG; `bank_card`: a card number as text. */
  kind: 'image' | 'document' | 'bank_card' | 'text';
  /** Smallest width and height in pixels of an image (a photo or a scan). */
  minWidth?: number;
  minHeight?: number;
  /** Smallest file size in bytes (a real scan or document is never a few bytes). */
  minBytes?: number;
}

/**
 * The expectations per material code. The newborn photo is for the social security card: 358 × 441
 * pixels is the card photo's size in the provincial guidance; a scanned document below 600 pixels a
 * side is not legible.
 */
export const EXPECTATIONS: Record<string, Expectation> = {
  'newborn-photo': { kind: 'image', minWidth: 358, minHeight: 441, minBytes: 1_000 },
  'bank-account': { kind: 'bank_card' },
};
const DOCUMENT: Expectation = { kind: 'document', minWidth: 600, minHeight: 600, minBytes: 1_000 };

/** The expectation of a material: from the table, else by its format. */
export function expectationOf(code: string, format: 'file' | 'text'): Expectation {
  return EXPECTATIONS[code] ?? (format === 'file' ? DOCUMENT : { kind: 'text' });
}

/** What the gate is given about one material: the facts of the file (never its bytes) or the text. */
export interface PrecheckMaterialInput {
  code: string;
  expects: Expectation;
  file?: {
    declaredType: string;
    contentType: string;
    size: number;
    sha256: string;
    width: number | null;
    height: number | null;
  };
  text?: string;
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** An ID number shown in a reason: region and last 4 only. */
const shown = (id: string) => `${id.slice(0, 6)}********${id.slice(14)}`;

/** Why an 18-character resident identity number is wrong (GB 11643-1999), or nothing when it is right. */
export function idNumberProblems(value: string, today: string): PrecheckReason[] {
  const id = value.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(id)) return [{ code: 'id_format', params: { length: id.length } }];
  const out: PrecheckReason[] = [];
  const [y, mo, d] = [id.slice(6, 10), id.slice(10, 12), id.slice(12, 14)].map(Number) as [
    number,
    number,
    number,
  ];
  const birth = new Date(Date.UTC(y, mo - 1, d));
  const date = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  if (y < 1900 || birth.getUTCMonth() !== mo - 1 || birth.getUTCDate() !== d)
    out.push({ code: 'id_birth_date', params: { id: shown(id), date } });
  else if (date > today) out.push({ code: 'id_birth_future', params: { id: shown(id), date } });
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * (ID_WEIGHTS[i] as number);
  const expected = ID_CHECK[sum % 11] as string;
  if (expected !== id[17]) out.push({ code: 'id_check_digit', params: { id: shown(id), expected } });
  return out;
}

/** Whether a digit string passes the Luhn check (ISO/IEC 7812, bank card numbers). */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let n = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      n *= 2;
      if (n > 9) n -= 9;
    }
    sum += n;
  }
  return sum % 10 === 0;
}

/** The pixel size of a PNG (IHDR) or JPEG (first SOFn marker); null when the header cannot be read. */
export function imageSize(b: Uint8Array): { width: number; height: number } | null {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length >= 24 && b[0] === 0x89 && b[1] === 0x50 && b[12] === 0x49 && b[13] === 0x48)
    return { width: v.getUint32(16), height: v.getUint32(20) };
  if (b[0] !== 0xff || b[1] !== 0xd8) return null;
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1] as number;
    // SOF0–SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker))
      return { height: v.getUint16(i + 5), width: v.getUint16(i + 7) };
    i += 2 + v.getUint16(i + 2);
  }
  return null;
}

const ID_IN_TEXT = /(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])/g;
const DATE_IN_TEXT = /(\d{4})(?:-|年|\/|\.)(\d{1,2})(?:-|月|\/|\.)(\d{1,2})日?/g;

function fileProblems(e: Expectation, f: NonNullable<PrecheckMaterialInput['file']>): PrecheckReason[] {
  const out: PrecheckReason[] = [];
  const image = f.contentType === 'image/png' || f.contentType === 'image/jpeg';
  const fits = e.kind === 'image' ? image : image || f.contentType === 'application/pdf';
  if (!fits) out.push({ code: 'file_type', params: { expected: e.kind, actual: f.contentType } });
  if (f.declaredType !== f.contentType)
    out.push({ code: 'file_declared_type', params: { declared: f.declaredType, actual: f.contentType } });
  if (e.minBytes && f.size < e.minBytes)
    out.push({ code: 'file_too_small', params: { size: f.size, min: e.minBytes } });
  if (image && f.width === null) out.push({ code: 'image_unreadable', params: {} });
  if (image && f.width !== null && f.height !== null && e.minWidth && e.minHeight) {
    if (f.width < e.minWidth || f.height < e.minHeight)
      out.push({
        code: 'image_too_small',
        params: { width: f.width, height: f.height, minWidth: e.minWidth, minHeight: e.minHeight },
      });
  }
  return out;
}

function textProblems(e: Expectation, text: string, today: string): PrecheckReason[] {
  const out: PrecheckReason[] = [];
  if (e.kind === 'bank_card') {
    // The number may come with words (the holder's name, the bank): the first run of digits, spaces and dashes.
    const run = /\d[\d\s-]*\d/.exec(text)?.[0] ?? '';
    const digits = run.replace(/[\s-]/g, '');
    if (!/^\d{12,19}$/.test(digits)) out.push({ code: 'card_format', params: { length: digits.length } });
    else if (!luhnValid(digits)) out.push({ code: 'card_luhn', params: { last4: digits.slice(-4) } });
    return out;
  }
  for (const m of text.matchAll(ID_IN_TEXT)) out.push(...idNumberProblems(m[0], today));
  for (const m of text.matchAll(DATE_IN_TEXT)) {
    const date = `${m[1]}-${(m[2] ?? '').padStart(2, '0')}-${(m[3] ?? '').padStart(2, '0')}`;
    if (date > today) out.push({ code: 'date_in_future', params: { date } });
  }
  return out;
}

/** The verdict on one material, from the facts given to the gate (and today's date, for future dates). */
export function checkMaterial(input: PrecheckMaterialInput, today: string): MaterialVerdict {
  const reasons = input.file
    ? fileProblems(input.expects, input.file)
    : textProblems(input.expects, input.text ?? '', today);
  return { result: reasons.length ? 'needs_review' : 'pass', reasons };
}
