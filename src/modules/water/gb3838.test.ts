import { describe, expect, it } from 'vitest';
import {
  assess,
  classify,
  describeLimit,
  GB3838_CLASSES,
  GB3838_TABLE1,
  type Gb3838Parameter,
  isWorseThan,
  limitOf,
} from './gb3838.ts';

const maxima: [Gb3838Parameter, number[]][] = [
  ['COD', [15, 15, 20, 30, 40]],
  ['CODMn', [2, 4, 6, 10, 15]],
  ['BOD5', [3, 3, 4, 6, 10]],
  ['NH3-N', [0.15, 0.5, 1.0, 1.5, 2.0]],
  ['TP', [0.02, 0.1, 0.2, 0.3, 0.4]],
];

describe('GB 3838-2002 Table 1', () => {
  it('holds the published limits', () => {
    expect(GB3838_TABLE1.DO.limits).toEqual([7.5, 6, 5, 3, 2]);
    expect(GB3838_TABLE1.TP.lake.limits).toEqual([0.01, 0.025, 0.05, 0.1, 0.2]);
    for (const [p, limits] of maxima) {
      expect(GB3838_CLASSES.map((c) => limitOf(p, c))).toEqual(limits);
    }
  });

  it('classifies dissolved oxygen as a minimum at every class edge', () => {
    const expected = [
      [7.5, 'I'],
      [7.49, 'II'],
      [6, 'II'],
      [5.99, 'III'],
      [5, 'III'],
      [4.99, 'IV'],
      [3, 'IV'],
      [2.99, 'V'],
      [2, 'V'],
      [1.99, '劣V'],
    ] as const;
    for (const [value, grade] of expected) expect([value, classify('DO', value)]).toEqual([value, grade]);
  });

  it.each(maxima)('classifies %s as a maximum at every class edge', (parameter, limits) => {
    for (let i = 0; i < 5; i++) {
      const limit = limits[i]!;
      // At the limit the value still meets the best class sharing that limit.
      const best = GB3838_CLASSES[limits.indexOf(limit)];
      expect(classify(parameter, limit)).toBe(best);
      const above = limit * 1.001;
      const next = limits.findIndex((l) => l >= above);
      expect(classify(parameter, above)).toBe(next < 0 ? '劣V' : GB3838_CLASSES[next]);
    }
  });

  it('uses the lake limits for total phosphorus when asked', () => {
    expect(classify('TP', 0.05, 'lake')).toBe('III');
    expect(classify('TP', 0.05, 'river')).toBe('II');
    expect(classify('TP', 0.21, 'lake')).toBe('劣V');
  });

  it('requires pH 6–9 for every class', () => {
    expect(classify('pH', 6)).toBe('I');
    expect(classify('pH', 9)).toBe('I');
    expect(classify('pH', 5.99)).toBe('劣V');
    expect(classify('pH', 9.01)).toBe('劣V');
    expect(isWorseThan('pH', 9.5, 'V')).toBe(true);
    expect(describeLimit('pH', 'III')).toBe('6–9');
  });

  it('says a class-III section is out of standard when DO < 5 mg/L', () => {
    expect(isWorseThan('DO', 4.99, 'III')).toBe(true);
    expect(isWorseThan('DO', 5, 'III')).toBe(false);
    expect(isWorseThan('NH3-N', 1.0, 'III')).toBe(false);
    expect(isWorseThan('NH3-N', 1.01, 'III')).toBe(true);
    expect(describeLimit('DO', 'III')).toBe('≥ 5');
  });

  it('assesses a sample by its worst parameter, with FIWARE attribute names', () => {
    expect(assess({ O2: 6.5, NH4: 0.4, cod: 18, temperature: 20 })).toEqual({ grade: 'III', worst: ['cod'] });
    expect(assess({ O2: 1.5, PO4: 0.5 })).toEqual({ grade: '劣V', worst: ['O2', 'PO4'] });
    expect(assess({ temperature: 20 })).toBeUndefined();
  });
});
