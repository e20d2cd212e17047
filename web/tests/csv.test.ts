import { describe, expect, it } from 'vitest';
import { toCsv } from '../src/shared/csv.ts';

describe('CSV export', () => {
  it('quotes what needs quoting, doubles quotes, ends lines with CRLF and starts with a BOM', () => {
    const csv = toCsv([
      ['编号', '描述'],
      ['a1', '路灯不亮, 已两天'],
      ['a2', '他说"马上修"\n但没来'],
      ['a3', null],
    ]);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv.slice(1).split('\r\n')).toEqual([
      '编号,描述',
      'a1,"路灯不亮, 已两天"',
      'a2,"他说""马上修""\n但没来"',
      'a3,',
      '',
    ]);
  });

  it('keeps a citizen’s text from running as a spreadsheet formula', () => {
    const csv = toCsv([['=HYPERLINK("http://x","点我")', '+1', '-2', '@SUM(A1)', 42, -3]]);
    expect(csv.slice(1).trim()).toBe(`"'=HYPERLINK(""http://x"",""点我"")",'+1,'-2,'@SUM(A1),42,-3`);
  });
});
