import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse';
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

/** CSV files as resources: each listed file, or every `*.csv` of a directory (named by its base name). */
export interface CsvConnectorOptions {
  id: string;
  dir?: string;
  files?: Record<string, string>;
  /** Rows read to infer the field types (default 200). */
  sample?: number;
  /**
   * Columns (by name, in every resource) kept as text whatever their values look like: codes such
   * as administrative division codes (500103), which look like numbers but are identifiers and
   * are compared as text (the gateway's jurisdiction scope is a range of codes).
   */
  text?: string[];
}

const NUMBER = /^-?(?:\d+|\d*\.\d+)(?:[eE][-+]?\d+)?$/;
const TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function inferType(values: string[]): FieldType {
  const present = values.filter((v) => v !== '');
  if (present.length === 0) return 'text';
  // Digit strings too long for a double (ID numbers, account numbers) stay text: as numbers they would lose digits.
  if (present.every((v) => NUMBER.test(v) && !/^-?\d{16,}$/.test(v))) return 'number';
  if (present.every((v) => v === 'true' || v === 'false')) return 'boolean';
  if (present.every((v) => TIME.test(v) && !Number.isNaN(Date.parse(v)))) return 'timestamp';
  return 'text';
}

function cast(type: FieldType, v: string | undefined): unknown {
  if (v === undefined || v === '') return null;
  if (type === 'number') return Number(v);
  if (type === 'boolean') return v === 'true';
  return v;
}

/**
 * CSV files (RFC 4180, UTF-8, a header row) read with csv-parse. Field types are inferred from a
 * sample; a query streams the file, evaluates the filters row by row and stops at the limit.
 */
export class CsvConnector implements Connector {
  readonly kind = 'csv';
  readonly id: string;
  private readonly options: CsvConnectorOptions;
  private cache?: SourceResource[];

  constructor(options: CsvConnectorOptions) {
    this.id = options.id;
    this.options = options;
  }

  private async files(): Promise<[string, string][]> {
    const files = Object.entries(this.options.files ?? {});
    if (this.options.dir) {
      const dir = this.options.dir;
      for (const name of (await readdir(dir)).sort()) {
        if (name.endsWith('.csv')) files.push([name.slice(0, -4), path.join(dir, name)]);
      }
    }
    return files;
  }

  private records(file: string) {
    const input = createReadStream(file);
    const parser = input.pipe(
      parse({ columns: true, bom: true, skip_empty_lines: true, trim: true, relax_column_count: true }),
    );
    // pipe() does not forward a read error (a missing file): end the parser with it.
    input.on('error', (error) => parser.destroy(error));
    parser.on('close', () => input.destroy());
    return parser;
  }

  async describe(): Promise<SourceResource[]> {
    const out: SourceResource[] = [];
    for (const [id, file] of await this.files()) {
      const sample: Record<string, string>[] = [];
      const parser = this.records(file);
      let names: string[] | undefined;
      for await (const row of parser as AsyncIterable<Record<string, string>>) {
        names ??= Object.keys(row);
        sample.push(row);
        if (sample.length >= (this.options.sample ?? 200)) break;
      }
      parser.destroy();
      const fields = (names ?? []).map((name) => ({
        name,
        type: this.options.text?.includes(name) ? 'text' : inferType(sample.map((r) => r[name] ?? '')),
      }));
      out.push({ id, native: path.basename(file), fields });
    }
    this.cache = out;
    return out;
  }

  async query(resourceId: string, filters: Filter[], limit: number): Promise<QueryResult> {
    const resources = this.cache ?? (await this.describe());
    const resource = checkQuery(this.id, resources, resourceId, filters, limit);
    const file = (await this.files()).find(([id]) => id === resourceId)?.[1] as string;
    const rows: Record<string, unknown>[] = [];
    const parser = this.records(file);
    for await (const raw of parser as AsyncIterable<Record<string, string>>) {
      const row: Record<string, unknown> = {};
      for (const f of resource.fields) row[f.name] = cast(f.type, raw[f.name]);
      if (!matches(row, filters, resource.fields)) continue;
      rows.push(row);
      if (rows.length > limit) break;
    }
    parser.destroy();
    return { rows: rows.slice(0, limit), pushedDown: filters.length, truncated: rows.length > limit };
  }

  async health(): Promise<SourceHealth> {
    const start = performance.now();
    const files = await this.files();
    // Opening each file proves it is there and readable.
    await Promise.all(
      files.map(
        ([, file]) =>
          new Promise<void>((resolve, reject) => {
            const s = createReadStream(file, { start: 0, end: 0 });
            s.on('error', reject);
            s.on('open', () => {
              s.destroy();
              resolve();
            });
          }),
      ),
    );
    return { ok: true, latencyMs: performance.now() - start };
  }

  async close(): Promise<void> {}
}
