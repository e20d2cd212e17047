import { describe, expect, it } from 'vitest';
import { canonicalJson, compareSemver, inputDigest } from './algorithms.digest.ts';
import { applyPolicy, maskValue, scrubText } from './algorithms.mask.ts';

describe('masking (Apache Ranger mask names)', () => {
  it('masks Chinese phone and ID numbers', () => {
    expect(maskValue('13812345678', 'MASK_PHONE_CN')).toBe('138****5678');
    expect(maskValue('500103199001011234', 'MASK_ID_CN')).toBe('500103********1234');
    expect(maskValue('50010319900101123X', 'MASK_ID_CN')).toBe('500103********123X');
  });

  it('implements the Ranger masks', () => {
    expect(maskValue('Ab-12', 'MASK')).toBe('Xx-nn');
    expect(maskValue('6222021234567890', 'MASK_SHOW_LAST_4')).toBe('xxxxxxxxxxxx7890');
    expect(maskValue('6222021234567890', 'MASK_SHOW_FIRST_4')).toBe('6222xxxxxxxxxxxx');
    expect(maskValue('abc', 'MASK_HASH')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(maskValue('secret', 'MASK_NULL')).toBeNull();
    expect(maskValue('1990-01-01', 'MASK_DATE_SHOW_YEAR')).toBe('1990-01-01');
    expect(maskValue('1985-07-23', 'MASK_DATE_SHOW_YEAR')).toBe('1985-01-01');
    expect(maskValue(42, 'MASK_NONE')).toBe(42);
  });

  it('scrubs phone and ID numbers out of free text even when kept', () => {
    expect(scrubText('烧烤油烟，联系13812345678，身份证500103199001011234')).toBe(
      '烧烤油烟，联系138****5678，身份证500103********1234',
    );
    expect(scrubText('order 12345678901234567890 stays')).toBe('order 12345678901234567890 stays');
  });

  it('keeps only the fields the policy names, through arrays', () => {
    const input = {
      text: '噪音扰民 13900001111',
      reporter: { name: '王芳', phone: '13900001111' },
      candidates: [
        { teamId: '0412', phone: '13711112222' },
        { teamId: '0413', phone: '13733334444' },
      ],
    };
    expect(
      applyPolicy(input, {
        text: 'MASK_NONE',
        'reporter.phone': 'MASK_PHONE_CN',
        'candidates.teamId': 'MASK_NONE',
      }),
    ).toEqual({
      text: '噪音扰民 139****1111',
      'reporter.phone': '139****1111',
      'candidates.teamId': ['0412', '0413'],
    });
  });
});

describe('digest and versions', () => {
  it('hashes the canonical form, whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: [2, { d: 1, c: 2 }] })).toBe('{"a":[2,{"c":2,"d":1}],"b":1}');
    expect(inputDigest({ a: 1, b: 2 })).toBe(inputDigest({ b: 2, a: 1 }));
  });

  it('orders semantic versions', () => {
    expect(compareSemver('1.10.0', '1.9.9')).toBeGreaterThan(0);
    expect(compareSemver('2.0.0-rc.1', '2.0.0')).toBeLessThan(0);
    expect(compareSemver('1.0.0', '1.0.0')).toBe(0);
  });
});
