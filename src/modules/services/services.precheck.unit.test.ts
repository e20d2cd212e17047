import { describe, expect, it } from 'vitest';
import { pngHeader } from './services.fixtures.ts';
import {
  checkMaterial,
  expectationOf,
  idNumberProblems,
  imageSize,
  luhnValid,
  type PrecheckMaterialInput,
} from './services.precheck.ts';

const TODAY = '2026-12-08';
const file = (
  code: string,
  f: Partial<NonNullable<PrecheckMaterialInput['file']>>,
): PrecheckMaterialInput => ({
  code,
  expects: expectationOf(code, 'file'),
  file: {
    declaredType: 'image/png',
    contentType: 'image/png',
    size: 50_000,
    sha256: 'x',
    width: 400,
    height: 500,
    ...f,
  },
});
const text = (code: string, value: string): PrecheckMaterialInput => ({
  code,
  expects: expectationOf(code, 'text'),
  text: value,
});
const codes = (i: PrecheckMaterialInput) => checkMaterial(i, TODAY).reasons.map((r) => r.code);

describe('material pre-check', () => {
  it('checks resident ID numbers by GB 11643-1999: check digit, birth date, format', () => {
    expect(idNumberProblems('50010319920315002X', TODAY)).toEqual([]);
    expect(idNumberProblems('11010519491231002x', TODAY)).toEqual([]);
    expect(idNumberProblems('500103199203150028', TODAY)).toEqual([
      { code: 'id_check_digit', params: { id: '500103********0028', expected: 'X' } },
    ]);
    expect(idNumberProblems('500103199202300021', TODAY).map((r) => r.code)).toContain('id_birth_date');
    // A valid check digit, but born after today.
    expect(idNumberProblems('500103202701010024', TODAY).map((r) => r.code)).toContain('id_birth_future');
    expect(idNumberProblems('500103202601010027', TODAY)).toEqual([]);
    expect(idNumberProblems('5001031992', TODAY)).toEqual([{ code: 'id_format', params: { length: 10 } }]);
  });

  it('checks bank card numbers by Luhn', () => {
    expect(luhnValid('6217000010001234569')).toBe(true);
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('6217000010001234568')).toBe(false);
    expect(codes(text('bank-account', '6217 0000 1000 1234 569'))).toEqual([]);
    expect(checkMaterial(text('bank-account', '6217000010001234568'), TODAY)).toEqual({
      result: 'needs_review',
      reasons: [{ code: 'card_luhn', params: { last4: '4568' } }],
    });
    expect(codes(text('bank-account', '工商银行尾号 4568'))).toEqual(['card_format']);
    expect(codes(text('bank-account', '6217 0000 1000 1234 569（刘晓雯）'))).toEqual([]);
  });

  it('reads PNG and JPEG pixel sizes from their headers', () => {
    expect(imageSize(pngHeader(358, 441))).toEqual({ width: 358, height: 441 });
    const jpeg = Buffer.from([
      0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x01, 0xb9, 0x01, 0x66,
      0x03,
    ]);
    expect(imageSize(jpeg)).toEqual({ width: 358, height: 441 });
    expect(imageSize(Buffer.from('%PDF-1.7'))).toBeNull();
  });

  it('flags a tiny photo, a file of the wrong type, a type the upload lied about, a file too small', () => {
    expect(codes(file('newborn-photo', {}))).toEqual([]);
    expect(checkMaterial(file('newborn-photo', { width: 1, height: 1 }), TODAY).reasons).toEqual([
      { code: 'image_too_small', params: { width: 1, height: 1, minWidth: 358, minHeight: 441 } },
    ]);
    expect(
      codes(
        file('newborn-photo', {
          declaredType: 'application/pdf',
          contentType: 'application/pdf',
          width: null,
          height: null,
        }),
      ),
    ).toEqual(['file_type']);
    expect(codes(file('newborn-photo', { declaredType: 'image/jpeg' }))).toEqual(['file_declared_type']);
    expect(codes(file('newborn-photo', { size: 67 }))).toEqual(['file_too_small']);
    // A document may be a PDF (no pixels) or a scan at least 600 pixels a side.
    expect(
      codes(
        file('residence-proof', {
          declaredType: 'application/pdf',
          contentType: 'application/pdf',
          width: null,
          height: null,
        }),
      ),
    ).toEqual([]);
    expect(codes(file('residence-proof', {}))).toEqual(['image_too_small']);
    expect(codes(file('residence-proof', { contentType: 'application/octet-stream' }))).toEqual([
      'file_type',
      'file_declared_type',
    ]);
  });

  it('flags dates after today and wrong ID numbers in text materials', () => {
    expect(codes(text('credit-commitment', '本企业承诺于 2026年11月30日 前完成整改'))).toEqual([]);
    expect(checkMaterial(text('credit-commitment', '将于2027-01-05前整改'), TODAY).reasons).toEqual([
      { code: 'date_in_future', params: { date: '2027-01-05' } },
    ]);
    expect(codes(text('credit-commitment', '法定代表人 500103199203150028 承诺'))).toEqual([
      'id_check_digit',
    ]);
  });
});
