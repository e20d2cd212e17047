import { describe, expect, it } from 'vitest';
import { base45Decode, base45Encode } from './base45.ts';
import { isValidUscc, makeUscc, orgCheckChar, usccCheckChar, usccProblem } from './uscc.ts';

describe('Base45 (RFC 9285 test vectors)', () => {
  it.each([
    ['AB', 'BB8'],
    ['Hello!!', '%69 VD92EX0'],
    ['base-45', 'UJCLQE7W581'],
    ['ietf!', 'QED8WEX0'],
  ])('%s ↔ %s', (plain, encoded) => {
    expect(base45Encode(new TextEncoder().encode(plain))).toBe(encoded);
    expect(new TextDecoder().decode(base45Decode(encoded))).toBe(plain);
  });
  it('round-trips every byte value', () => {
    const bytes = Uint8Array.from({ length: 257 }, (_, i) => (i * 7) % 256);
    expect(base45Decode(base45Encode(bytes))).toEqual(bytes);
  });
  it.each([['GGW'], ['ab'], ['A']])('refuses %s (out of range, outside the set, bad length)', (text) => {
    expect(() => base45Decode(text)).toThrow(/base45/);
  });
});

describe('unified social credit codes (GB 32100-2015)', () => {
  // Codes in the published format of well-known companies and the standard's own example.
  it.each([['91350100M000100Y43'], ['914403001922038216'], ['9144030071526726XG'], ['91330100716105852F']])(
    '%s: both check characters hold',
    (code) => {
      expect(isValidUscc(code)).toBe(true);
      expect(usccCheckChar(code.slice(0, 17))).toBe(code[17]);
      expect(orgCheckChar(code.slice(8, 16))).toBe(code[16]);
    },
  );
  it.each([
    ['91350100M000100Y44', 'check_char'],
    ['91350100M000100Y4', 'length'],
    ['91350100M000100YI3', 'charset'],
    ['91350100m000100Y43', 'charset'],
  ])('%s is refused: %s', (code, problem) => {
    expect(usccProblem(code)).toBe(problem);
  });
  it('makes valid codes from a prefix, a division and an organisation body', () => {
    const code = makeUscc('91', '500155', '12345678');
    expect(code).toHaveLength(18);
    expect(isValidUscc(code)).toBe(true);
  });
});
