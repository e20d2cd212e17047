// Unified social credit codes (统一社会信用代码), GB 32100-2015: 18 characters — registration
// authority (1), organisation type (1), administrative division (6), the organisation code of
// GB 11714 (9, its own check character last) and the check character of the whole code, computed
// over the standard's 31-character set with weights 3^(i-1) mod 31.

/** The standard's character set: digits and the capital letters without I, O, Z, S, V. */
export const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

/** The 18th character of a code from its first 17 (GB 32100-2015 §5). */
export function usccCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_CHARSET.indexOf(first17[i] ?? '');
    if (v < 0) throw new Error(`character ${first17[i]} is not in the GB 32100 set`);
    sum += v * (WEIGHTS[i] as number);
  }
  const r = 31 - (sum % 31);
  return USCC_CHARSET[r === 31 ? 0 : r] as string;
}

/** The 9th character of a GB 11714 organisation code from its first 8 (weights 3 7 9 10 5 8 4 2, mod 11). */
export function orgCheckChar(first8: string): string {
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const c = first8[i] ?? '';
    const v = /[0-9]/.test(c) ? Number(c) : c.charCodeAt(0) - 55;
    sum += v * (ORG_WEIGHTS[i] as number);
  }
  const r = 11 - (sum % 11);
  return r === 10 ? 'X' : r === 11 ? '0' : String(r);
}

/** Why a code is not a valid unified social credit code, or null when it is. */
export function usccProblem(code: string): 'length' | 'charset' | 'check_char' | null {
  if (code.length !== 18) return 'length';
  for (const c of code) if (!USCC_CHARSET.includes(c)) return 'charset';
  return usccCheckChar(code.slice(0, 17)) === code[17] ? null : 'check_char';
}

/** True when the code has 18 characters of the set and a correct check character. */
export function isValidUscc(code: string): boolean {
  return usccProblem(code) === null;
}

/** Builds a valid code: authority+type (e.g. '91' a company), 6-digit division, an 8-digit organisation body. */
export function makeUscc(prefix: string, division: string, orgBody: string): string {
  const first17 = `${prefix}${division}${orgBody}${orgCheckChar(orgBody)}`;
  return `${first17}${usccCheckChar(first17)}`;
}
