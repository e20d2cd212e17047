import { access, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import ExcelJS from 'exceljs';
import {
  type Connector,
  checkQuery,
  type FieldType,
  type Filter,
  matches,
  type QueryResult,
  type SourceHealth,
  type SourceResource,
} from './connector.ts';

/** Excel workbooks (.xlsx) as resources: each sheet of each listed file, or of every `*.xlsx` of a directory. */
export interface ExcelConnectorOptions {
  id: string;
  dir?: string;
  /** Workbook name → file; its sheets become resources `<name>.<sheet>` (or just `<name>` with `sheet`). */
  files?: Record<string, string>;
  /**
   * How a resource is named: `sheet` — by the sheet's name alone (default when there is one
   * workbook), `file.sheet` — `<workbook>.<sheet>` (default with several).
   */
  naming?: 'sheet' | 'file.sheet';
  /** Rows read to infer the field types (default 200). */
  sample?: number;
  /**
   * Columns (by name, in every resource) kept as text whatever their values look like: codes such
   * as administrative division codes (500103), which look like numbers but are identifiers and
   * are compared as text (the gateway's jurisdiction scope is a range of codes).
   */
  text?: string[];
  /** The largest workbook read (default 64 MiB): a workbook is read whole, so this bounds the memory a query takes. */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

const TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** A cell's value as plain data: rich text and hyperlinks as their text, formulas as their cached result, errors as null. */
function plain(v: unknown): unknown {
  if (v === undefined || v === null || v === '') return null;
  if (v instanceof Date) return v.toISOString();
  if (typeof v !== 'object') return typeof v === 'string' ? v.trim() : v;
  const o = v as Record<string, unknown>;
  if (Array.isArray(o.richText)) return (o.richText as { text: string }[]).map((t) => t.text).join('');
  if ('result' in o) return plain(o.result);
  if ('text' in o) return plain(o.text);
  return null;
}

function inferType(values: unknown[], dates: boolean): FieldType {
  const present = values.filter((v) => v !== null);
  if (present.length === 0) return 'text';
  if (dates) return 'timestamp';
  if (present.every((v) => typeof v === 'number')) return 'number';
  if (present.every((v) => typeof v === 'boolean')) return 'boolean';
  if (present.every((v) => typeof v === 'string' && TIME.test(v) && !Number.isNaN(Date.parse(v))))
    return 'timestamp';
  return 'text';
}

/** A value in its field's type; a value that does not fit (a stray text in a number column) becomes null. */
function cast(type: FieldType, v: unknown): unknown {
  if (v === null) return null;
  if (type === 'number') return typeof v === 'number' ? v : null;
  if (type === 'boolean') return typeof v === 'boolean' ? v : null;
  if (type === 'timestamp') return typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? v : null;
  return typeof v === 'string' ? v : String(v);
}

interface Sheet {
  id: string;
  file: string;
  sheet: string;
}

/**
 * Excel workbooks read with exceljs, each whole but no larger than `maxBytes` (exceljs 4.4.0's
 * streaming reader failed intermittently on the same file here: "reading 'sheets' of undefined").
 * The first row of a sheet names its fields; the types are inferred from a sample (cells
 * formatted as dates are timestamps, given as ISO strings). A query walks the sheet, evaluates the filters
 * row by row and stops at the limit.
 */
export class ExcelConnector implements Connector {
  readonly kind = 'excel';
  readonly id: string;
  private readonly options: ExcelConnectorOptions;
  private cache?: { resources: SourceResource[]; sheets: Sheet[] };

  constructor(options: ExcelConnectorOptions) {
    this.id = options.id;
    this.options = options;
  }

  private async files(): Promise<[string, string][]> {
    const files = Object.entries(this.options.files ?? {});
    if (this.options.dir) {
      const dir = this.options.dir;
      for (const name of (await readdir(dir)).sort()) {
        if (name.endsWith('.xlsx') && !name.startsWith('~$'))
          files.push([name.slice(0, -5), path.join(dir, name)]);
      }
    }
    return files;
  }

  /**
   * Reads a workbook (refusing one larger than `maxBytes`, so memory stays bounded) and hands
   * `each` every sheet's name and its non-empty rows (cell values by column, header row
   * included); `each` says whether to read on.
   */
  private async read(
    file: string,
    each: (sheet: string, rows: AsyncIterable<{ values: unknown[]; dates: boolean[] }>) => Promise<boolean>,
  ): Promise<void> {
    const { size } = await stat(file);
    if (size > (this.options.maxBytes ?? DEFAULT_MAX_BYTES)) throw new Error('workbook too large');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(file);
    for (const ws of workbook.worksheets) {
      const rows = (async function* () {
        for (let n = 1; n <= ws.rowCount; n++) {
          const row = ws.getRow(n);
          if (row.actualCellCount === 0) continue;
          const values: unknown[] = [];
          const dates: boolean[] = [];
          row.eachCell({ includeEmpty: false }, (cell, col) => {
            values[col - 1] = plain(cell.value);
            dates[col - 1] = cell.value instanceof Date;
          });
          yield { values, dates };
        }
      })();
      if (!(await each(ws.name, rows))) break;
    }
  }

  private resourceId(workbook: string, sheet: string, workbooks: number): string {
    const naming = this.options.naming ?? (workbooks > 1 ? 'file.sheet' : 'sheet');
    return naming === 'sheet' ? sheet : `${workbook}.${sheet}`;
  }

  async describe(): Promise<SourceResource[]> {
    const resources: SourceResource[] = [];
    const sheets: Sheet[] = [];
    const files = await this.files();
    const max = this.options.sample ?? 200;
    for (const [workbook, file] of files) {
      await this.read(file, async (sheet, rows) => {
        let names: string[] | undefined;
        const sample: unknown[][] = [];
        const dates: boolean[][] = [];
        for await (const row of rows) {
          if (!names) {
            names = Array.from(row.values, (v) => (v === null || v === undefined ? '' : String(v)));
            continue;
          }
          sample.push(row.values);
          dates.push(row.dates);
          if (sample.length >= max) break;
        }
        const fields = (names ?? [])
          .map((name, i) => ({ name, i }))
          .filter((c) => c.name !== '')
          .map(({ name, i }) => {
            const values = sample.map((r) => r[i] ?? null);
            const dated =
              values.some((v) => v !== null) && sample.every((_, k) => values[k] === null || dates[k]?.[i]);
            if (this.options.text?.includes(name)) return { name, type: 'text' as const };
            return { name, type: inferType(values, dated) };
          });
        const id = this.resourceId(workbook, sheet, files.length);
        resources.push({ id, native: `${path.basename(file)}#${sheet}`, fields });
        sheets.push({ id, file, sheet });
        return true;
      });
    }
    this.cache = { resources, sheets };
    return resources;
  }

  async query(resourceId: string, filters: Filter[], limit: number): Promise<QueryResult> {
    if (!this.cache) await this.describe();
    const { resources, sheets } = this.cache as NonNullable<typeof this.cache>;
    const resource = checkQuery(this.id, resources, resourceId, filters, limit);
    const target = sheets.find((s) => s.id === resourceId) as Sheet;
    const rows: Record<string, unknown>[] = [];
    await this.read(target.file, async (sheet, stream) => {
      if (sheet !== target.sheet) return true;
      let columns: Map<string, number> | undefined;
      for await (const { values } of stream) {
        if (!columns) {
          columns = new Map(values.map((v, i) => [String(v ?? ''), i]));
          continue;
        }
        const row: Record<string, unknown> = {};
        for (const f of resource.fields)
          row[f.name] = cast(f.type, values[columns.get(f.name) ?? -1] ?? null);
        if (!matches(row, filters, resource.fields)) continue;
        rows.push(row);
        if (rows.length > limit) break;
      }
      return false;
    });
    return { rows: rows.slice(0, limit), pushedDown: filters.length, truncated: rows.length > limit };
  }

  async health(): Promise<SourceHealth> {
    const start = performance.now();
    await Promise.all((await this.files()).map(([, file]) => access(file)));
    return { ok: true, latencyMs: performance.now() - start };
  }

  async close(): Promise<void> {}
}
