import { AppError } from '../../../platform/errors.ts';

/** The value types a connector reports for a field. */
export type FieldType = 'text' | 'number' | 'boolean' | 'timestamp' | 'json';

/** A field of a source's resource. */
export interface SourceField {
  name: string;
  type: FieldType;
}

/** A resource a source offers (a table, a file, an endpoint, a queue) and its fields. */
export interface SourceResource {
  id: string;
  fields: SourceField[];
  /** The source's own name for it, when it differs (a schema-qualified table, a file path, a queue). */
  native?: string;
}

/** A value a filter compares with. */
export type Scalar = string | number | boolean | null;

/** A filter on one field: equality, a bound of a range (two bounds make a closed range), or membership. */
export type Filter =
  | { field: string; op: 'eq' | 'gt' | 'gte' | 'lt' | 'lte'; value: Scalar }
  | { field: string; op: 'in'; values: Scalar[] };

/** Rows of a query, how many of the filters the source itself evaluated, and whether more rows matched. */
export interface QueryResult {
  rows: Record<string, unknown>[];
  pushedDown: number;
  truncated: boolean;
}

/** A source's health as its connector sees it. */
export interface SourceHealth {
  ok: boolean;
  latencyMs?: number;
  /** The breaker's state when the connector is guarded. */
  breaker?: 'closed' | 'open' | 'half_open';
}

/**
 * A plug-in to a heterogeneous source system: it lists its resources with their fields and
 * answers queries, pushing the filters down to the source where the source can evaluate them.
 * Errors of the source itself are raw here; `guard` turns them into `source_unavailable`.
 */
export interface Connector {
  readonly id: string;
  readonly kind: string;
  describe(): Promise<SourceResource[]>;
  query(resource: string, filters: Filter[], limit: number): Promise<QueryResult>;
  health(): Promise<SourceHealth>;
  close(): Promise<void>;
}

/** The most rows one query returns. */
export const MAX_LIMIT = 10_000;
const OPS = new Set(['eq', 'gt', 'gte', 'lt', 'lte', 'in']);

/**
 * Checks a query against the source's description: the resource exists (`not_found`), every
 * filter names one of its fields with a known operator and values of the field's type, and the
 * limit is 1…MAX_LIMIT (`invalid_request` naming the field). Identifiers reach SQL only after this.
 */
export function checkQuery(
  sourceId: string,
  resources: SourceResource[],
  resourceId: string,
  filters: Filter[],
  limit: number,
): SourceResource {
  const resource = resources.find((r) => r.id === resourceId);
  if (!resource)
    throw new AppError('not_found', `resource '${resourceId}' not found in source '${sourceId}'`, {
      kind: 'resource',
      key: resourceId,
      source: sourceId,
    });
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw new AppError('invalid_request', `limit must be an integer from 1 to ${MAX_LIMIT}`, {
      field: 'limit',
    });
  for (const f of filters) {
    const field = resource.fields.find((x) => x.name === f.field);
    if (!field)
      throw new AppError('invalid_request', `resource '${resourceId}' has no field '${f.field}'`, {
        field: f.field,
      });
    if (!OPS.has(f.op))
      throw new AppError('invalid_request', `unknown filter operator '${String(f.op)}' on '${f.field}'`, {
        field: f.field,
      });
    const values = f.op === 'in' ? f.values : [f.value];
    if (!Array.isArray(values) || values.length === 0 || values.length > 1000)
      throw new AppError('invalid_request', `'in' on '${f.field}' needs 1 to 1000 values`, {
        field: f.field,
      });
    for (const v of values) {
      if (!fits(field.type, v, f.op))
        throw new AppError('invalid_request', `a value for '${f.field}' is not a ${field.type}`, {
          field: f.field,
        });
    }
  }
  return resource;
}

function fits(type: FieldType, v: Scalar, op: Filter['op']): boolean {
  if (v === null) return op === 'eq' || op === 'in';
  switch (type) {
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'timestamp':
      return (
        (typeof v === 'string' && !Number.isNaN(Date.parse(v))) ||
        (typeof v === 'number' && Number.isFinite(v))
      );
    case 'text':
      return typeof v === 'string';
    default:
      return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
  }
}

function comparable(v: unknown): unknown {
  if (v instanceof Date) return v.getTime();
  return v;
}

function compare(a: unknown, b: Scalar, type: FieldType | undefined): number {
  let x = comparable(a);
  let y: unknown = b;
  if (type === 'timestamp') {
    x = typeof x === 'string' ? Date.parse(x) : x;
    y = typeof y === 'string' ? Date.parse(y) : y;
  }
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  const sx = String(x);
  const sy = String(y);
  return sx < sy ? -1 : sx > sy ? 1 : 0;
}

/** Whether a row passes the filters, for sources that cannot evaluate them (files, queues, endpoints). */
export function matches(row: Record<string, unknown>, filters: Filter[], fields: SourceField[]): boolean {
  for (const f of filters) {
    const v = row[f.field];
    const type = fields.find((x) => x.name === f.field)?.type;
    const eq = (w: Scalar) =>
      w === null ? v === null || v === undefined : v !== null && v !== undefined && compare(v, w, type) === 0;
    if (f.op === 'in') {
      if (!f.values.some(eq)) return false;
      continue;
    }
    if (f.op === 'eq') {
      if (!eq(f.value)) return false;
      continue;
    }
    if (v === null || v === undefined) return false;
    const c = compare(v, f.value, type);
    if (f.op === 'gt' ? !(c > 0) : f.op === 'gte' ? !(c >= 0) : f.op === 'lt' ? !(c < 0) : !(c <= 0))
      return false;
  }
  return true;
}

/**
 * The code just after every code that starts with `code`, or undefined when there is none of its
 * length: `code ≤ c < nextCode(code)` holds exactly for the codes that start with `code` when
 * codes are digits that nest by prefix, as administrative division codes do (`50` → `500103` →
 * `500103003`; `500109` → `500110`). Strings of digits compare digit by digit, the shorter first
 * on a tie, in C, glibc and ICU's default collations alike (not under ICU's numeric ordering).
 */
export function nextCode(code: string): string | undefined {
  if (!/^\d{1,18}$/.test(code) || /^9+$/.test(code)) return undefined;
  return (BigInt(code) + 1n).toString().padStart(code.length, '0');
}

/**
 * The code `c` when the filters hold `field ≥ c` and `field < nextCode(c)` (the gateway's
 * jurisdiction scope): the field's value must be `c` or a code below it.
 */
export function codePrefix(filters: Filter[], field: string): string | undefined {
  for (const f of filters) {
    if (f.field !== field || f.op !== 'gte' || typeof f.value !== 'string') continue;
    const next = nextCode(f.value);
    if (next && filters.some((g) => g.field === field && g.op === 'lt' && g.value === next)) return f.value;
  }
  return undefined;
}

/** Dialect of a SQL source: how it quotes an identifier and spells the n-th parameter (1-based). */
export interface SqlDialect {
  quote(identifier: string): string;
  param(n: number): string;
}

/**
 * A parameterised `select` of a checked resource: identifiers come from the source's description
 * (quoted anyway), every value is a parameter. Fetches one row more than asked, to tell truncation.
 */
export function buildSelect(
  d: SqlDialect,
  table: string,
  resource: SourceResource,
  filters: Filter[],
  limit: number,
): { text: string; params: unknown[] } {
  const params: unknown[] = [];
  const param = (v: unknown) => {
    params.push(v);
    return d.param(params.length);
  };
  const where = filters.map((f) => {
    const col = d.quote(f.field);
    const timestamp = resource.fields.find((x) => x.name === f.field)?.type === 'timestamp';
    const p = (v: Scalar) => param(timestamp && v !== null ? new Date(v as string | number) : v);
    if (f.op === 'in') {
      const nonNull = f.values.filter((v) => v !== null);
      const parts: string[] = [];
      if (nonNull.length > 0) parts.push(`${col} in (${nonNull.map(p).join(', ')})`);
      if (nonNull.length < f.values.length) parts.push(`${col} is null`);
      return `(${parts.join(' or ')})`;
    }
    if (f.value === null) return `${col} is null`;
    const op = { eq: '=', gt: '>', gte: '>=', lt: '<', lte: '<=' }[f.op];
    return `${col} ${op} ${p(f.value)}`;
  });
  const columns = resource.fields.map((f) => d.quote(f.name)).join(', ');
  const text = `select ${columns} from ${table}${where.length ? ` where ${where.join(' and ')}` : ''} limit ${param(limit + 1)}`;
  return { text, params };
}

/** Cuts a result fetched with one extra row down to the limit. */
export function cut(rows: Record<string, unknown>[], limit: number, pushedDown: number): QueryResult {
  return { rows: rows.slice(0, limit), pushedDown, truncated: rows.length > limit };
}
