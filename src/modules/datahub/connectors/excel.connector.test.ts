import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../platform/clock.ts';
import { guard } from './breaker.ts';
import { connectorContract, PERMITS } from './connector.contract.testing.ts';
import { ExcelConnector } from './excel.connector.ts';

describe('Excel connector', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dh-xlsx-'));
  let connector: ExcelConnector;

  beforeAll(async () => {
    const workbook = new ExcelJS.Workbook();
    // A cover sheet first, as departments' workbooks often have.
    const cover = workbook.addWorksheet('说明');
    cover.addRow(['note']);
    cover.addRow(['合成测试数据']);
    const sheet = workbook.addWorksheet('permits');
    sheet.addRow(Object.keys(PERMITS[0] as object));
    for (const p of PERMITS) {
      // Issue dates as Excel dates (a number cell with a date format), numbers as numbers.
      sheet.addRow([p.permit_no, p.company, p.district, p.discharge_t, new Date(p.issued_at)]);
    }
    sheet.getColumn(5).numFmt = 'yyyy-mm-dd';
    // A formula with its cached result and rich text are read as their values.
    const extra = workbook.addWorksheet('extra');
    extra.addRow(['name', 'total']);
    extra.addRow([{ richText: [{ text: '綦江' }, { text: '化工' }] }, { formula: '1+2', result: 3 }]);
    await workbook.xlsx.writeFile(path.join(dir, 'ecology.xlsx'));
    writeFileSync(path.join(dir, 'notes.txt'), 'not a workbook');
    connector = new ExcelConnector({ id: 'ecology-files', dir });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  connectorContract(() => ({ connector, resource: 'permits' }));

  it('lists each sheet of the workbooks and casts the cells', async () => {
    const resources = await connector.describe();
    expect(resources.map((r) => r.id)).toEqual(['说明', 'permits', 'extra']);
    expect(resources.find((r) => r.id === 'extra')?.fields).toEqual([
      { name: 'name', type: 'text' },
      { name: 'total', type: 'number' },
    ]);
    const r = await connector.query('permits', [{ field: 'permit_no', op: 'eq', value: 'P-003' }], 1);
    expect(r.rows).toEqual([{ ...PERMITS[2], issued_at: '2023-11-20T00:00:00.000Z' }]);
    expect(r.pushedDown).toBe(1);
    expect((await connector.query('extra', [], 10)).rows).toEqual([{ name: '綦江化工', total: 3 }]);
  });

  it('names sheets by workbook when there are several', async () => {
    const two = new ExcelConnector({
      id: 'two',
      files: { a: path.join(dir, 'ecology.xlsx'), b: path.join(dir, 'ecology.xlsx') },
    });
    expect((await two.describe()).map((r) => r.id)).toContain('b.permits');
    expect(
      (await two.query('a.permits', [{ field: 'district', op: 'eq', value: '江北区' }], 5)).rows,
    ).toHaveLength(1);
  });

  it('refuses a workbook over maxBytes as source_unavailable', async () => {
    const small = guard(new ExcelConnector({ id: 'small', dir, maxBytes: 100 }), new ManualClock());
    await expect(small.describe()).rejects.toMatchObject({ code: 'source_unavailable' });
  });

  it('a missing or broken file is source_unavailable without its path', async () => {
    writeFileSync(path.join(dir, 'broken.bin'), 'PK not really a zip');
    for (const file of [path.join(dir, 'gone', 'visitors.xlsx'), path.join(dir, 'broken.bin')]) {
      const missing = guard(
        new ExcelConnector({ id: 'culture-files', files: { visitors: file } }),
        new ManualClock(),
      );
      const error = await missing.describe().catch((e) => e);
      expect(error).toMatchObject({
        code: 'source_unavailable',
        details: { source: 'culture-files', kind: 'excel' },
      });
      expect(JSON.stringify({ m: error.message, d: error.details })).not.toContain(dir);
    }
  });
});
