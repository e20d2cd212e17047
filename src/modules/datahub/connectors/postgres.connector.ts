import { hash } from 'node:crypto';
import { CompiledQuery } from 'kysely';
import pg from 'pg';
import type { Db } from '../../../platform/db/database.ts';
import {
  buildSelect,
  type Connector,
  checkQuery,
  cut,
  type FieldType,
  type Filter,
  type QueryResult,
  type SourceHealth,
  type SourceResource,
  type SqlDialect,
} from './connector.ts';

/** Runs parameterised SQL ($1, $2, …) on some PostgreSQL. */
export interface SqlRunner {
  query(text: string, params: unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** Distinct statement texts a pool runner prepares (per runner; the rest are sent unnamed). */
const MAX_PREPARED = 200;

/** An external PostgreSQL through its own small pool (connections are opened on first use). */
export function pgPoolRunner(
  url: string,
  options: { max?: number; connectTimeoutMs?: number } = {},
): SqlRunner {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 4,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 3000,
  });
  // An idle client losing its server must not end the process; the next query reconnects.
  pool.on('error', () => {});
  // Named (prepared) statements for the first texts seen: parsed and planned once per connection
  // instead of per query. Texts depend only on the resource and the filters' fields and
  // operators (values are parameters), so a source sees few; past the bound they go unnamed.
  const names = new Map<string, string>();
  return {
    async query(text, params) {
      let name = names.get(text);
      if (name === undefined && names.size < MAX_PREPARED) {
        name = `cb_${hash('sha1', text, 'hex').slice(0, 20)}`;
        names.set(text, name);
      }
      if (!name) return (await pool.query(text, params)).rows; // past the bound, or given up (below)
      try {
        return (await pool.query({ name, text, values: params })).rows;
      } catch (error) {
        // The table changed under a prepared plan ("cached plan must not change result type"):
        // the connections keep that statement, so this text goes unnamed from now on.
        if ((error as { code?: string }).code !== '0A000') throw error;
        names.set(text, '');
        return (await pool.query(text, params)).rows;
      }
    },
    close: () => pool.end(),
  };
}

/** The platform's own database (PGlite or PostgreSQL) through the project's db layer. */
export function dbRunner(db: Db): SqlRunner {
  return {
    async query(text, params) {
      return (await db.executeQuery(CompiledQuery.raw(text, params))).rows as Record<string, unknown>[];
    },
    close: async () => {},
  };
}

const DIALECT: SqlDialect = {
  quote: (id) => `"${id.replaceAll('"', '""')}"`,
  param: (n) => `$${n}`,
};

/** A PostgreSQL data type as a connector field type. */
export function pgFieldType(dataType: string): FieldType {
  if (/^(smallint|integer|bigint|numeric|real|double precision|decimal)/.test(dataType)) return 'number';
  if (dataType === 'boolean') return 'boolean';
  if (/^(timestamp|date)/.test(dataType)) return 'timestamp';
  if (/^jsonb?$/.test(dataType)) return 'json';
  return 'text';
}

/** What a PostgreSQL connector serves: the tables (and views) of one schema, or the listed ones. */
export interface PostgresConnectorOptions {
  id: string;
  runner: SqlRunner;
  schema?: string;
  tables?: string[];
}

/** Tables of a PostgreSQL schema as resources; filters become a parameterised WHERE. */
export class PostgresConnector implements Connector {
  readonly kind = 'postgresql';
  readonly id: string;
  private readonly runner: SqlRunner;
  private readonly schema: string;
  private readonly tables?: string[];
  private cache?: SourceResource[];

  constructor(options: PostgresConnectorOptions) {
    this.id = options.id;
    this.runner = options.runner;
    this.schema = options.schema ?? 'public';
    this.tables = options.tables;
  }

  async describe(): Promise<SourceResource[]> {
    const rows = await this.runner.query(
      `select table_name, column_name, data_type from information_schema.columns
       where table_schema = $1 and ($2::text[] is null or table_name = any($2::text[]))
       order by table_name, ordinal_position`,
      [this.schema, this.tables ?? null],
    );
    const byTable = new Map<string, SourceResource>();
    for (const r of rows) {
      const table = String(r.table_name);
      let res = byTable.get(table);
      if (!res) {
        res = { id: table, native: `${this.schema}.${table}`, fields: [] };
        byTable.set(table, res);
      }
      res.fields.push({ name: String(r.column_name), type: pgFieldType(String(r.data_type)) });
    }
    this.cache = [...byTable.values()];
    return this.cache;
  }

  async query(resourceId: string, filters: Filter[], limit: number): Promise<QueryResult> {
    const resource = checkQuery(this.id, this.cache ?? (await this.describe()), resourceId, filters, limit);
    const table = `${DIALECT.quote(this.schema)}.${DIALECT.quote(resource.id)}`;
    const { text, params } = buildSelect(DIALECT, table, resource, filters, limit);
    return cut(await this.runner.query(text, params), limit, filters.length);
  }

  async health(): Promise<SourceHealth> {
    const start = performance.now();
    await this.runner.query('select 1', []);
    return { ok: true, latencyMs: performance.now() - start };
  }

  close(): Promise<void> {
    return this.runner.close();
  }
}
