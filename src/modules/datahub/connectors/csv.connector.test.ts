import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../platform/clock.ts';
import { guard } from './breaker.ts';
import { connectorContract, PERMITS } from './connector.contract.testing.ts';
import { CsvConnector } from './csv.connector.ts';

describe('CSV connector', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dh-csv-'));
  const quote = (v: unknown) =>
    typeof v === 'string' && /[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : String(v);
  let connector: CsvConnector;

  beforeAll(() => {
    const header = Object.keys(PERMITS[0] as object).join(',');
    const lines = PERMITS.map((p) => Object.values(p).map(quote).join(','));
    // A BOM and CRLF line ends, as spreadsheets export.
    writeFileSync(path.join(dir, 'permits.csv'), `\ufeff${[header, ...lines].join('\r\n')}\r\n`);
    writeFileSync(path.join(dir, 'notes.txt'), 'not a csv');
    connector = new CsvConnector({ id: 'ecology-files', dir });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  connectorContract(() => ({ connector, resource: 'permits' }));

  it('lists only the CSV files and casts numbers', async () => {
    expect((await connector.describe()).map((r) => r.id)).toEqual(['permits']);
    const r = await connector.query('permits', [{ field: 'permit_no', op: 'eq', value: 'P-003' }], 1);
    expect(r.rows).toEqual([PERMITS[2]]);
  });

  it('keeps digit strings too long for a number (ID numbers) as text', async () => {
    writeFileSync(
      path.join(dir, 'people.csv'),
      'id_number,age\n500103199203150028,34\n500103199203150036,35\n',
    );
    const fresh = new CsvConnector({ id: 'people-files', files: { people: path.join(dir, 'people.csv') } });
    const r = await fresh.query('people', [{ field: 'id_number', op: 'eq', value: '500103199203150028' }], 5);
    expect(r.rows).toEqual([{ id_number: '500103199203150028', age: 34 }]);
    rmSync(path.join(dir, 'people.csv'));
  });

  it('a missing file is source_unavailable without its path', async () => {
    const missing = guard(
      new CsvConnector({ id: 'culture-files', files: { visitors: path.join(dir, 'gone', 'visitors.csv') } }),
      new ManualClock(),
    );
    const error = await missing.describe().catch((e) => e);
    expect(error).toMatchObject({
      code: 'source_unavailable',
      details: { source: 'culture-files', kind: 'csv' },
    });
    expect(JSON.stringify({ m: error.message, d: error.details })).not.toContain(dir);
    expect(await missing.health()).toMatchObject({ ok: false });
  });
});
