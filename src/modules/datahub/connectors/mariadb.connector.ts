import mariadb, { type Pool } from 'mariadb';
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

/** Where a MariaDB/MySQL source is and which database's tables it serves. */
export interface MariaDbConnectorOptions {
  id: string;
  host: string;
  port?: number;
  user: string;
  password?: string;
  database: string;
  tables?: string[];
  connectTimeoutMs?: number;
}

const DIALECT: SqlDialect = {
  quote: (id) => `\`${id.replaceAll('`', '``')}\``,
  param: () => '?',
};

/** A MariaDB/MySQL data type as a connector field type. */
export function mariaFieldType(dataType: string): FieldType {
  const t = dataType.toLowerCase();
  if (/^(tinyint|smallint|mediumint|int|integer|bigint|decimal|numeric|float|double|real|year)$/.test(t))
    return 'number';
  if (/^(date|datetime|timestamp)$/.test(t)) return 'timestamp';
  if (t === 'json') return 'json';
  return 'text';
}

/** Tables of a MariaDB/MySQL database as resources (npm `mariadb`); filters become `?` parameters. */
export class MariaDbConnector implements Connector {
  readonly kind = 'mariadb';
  readonly id: string;
  private readonly options: MariaDbConnectorOptions;
  private pool?: Pool;
  private cache?: SourceResource[];

  constructor(options: MariaDbConnectorOptions) {
    this.id = options.id;
    this.options = options;
  }

  private getPool(): Pool {
    if (!this.pool) {
      const o = this.options;
      this.pool = mariadb.createPool({
        host: o.host,
        port: o.port ?? 3306,
        user: o.user,
        password: o.password ?? '',
        database: o.database,
        connectionLimit: 4,
        minimumIdle: 0,
        connectTimeout: o.connectTimeoutMs ?? 2000,
        acquireTimeout: (o.connectTimeoutMs ?? 2000) + 500,
        initializationTimeout: 1000,
        bigIntAsNumber: true,
        decimalAsNumber: true,
        insertIdAsNumber: true,
        checkDuplicate: false,
      });
    }
    return this.pool;
  }

  private async run(text: string, params: unknown[]): Promise<Record<string, unknown>[]> {
    const rows = (await this.getPool().query(text, params)) as Record<string, unknown>[];
    return Array.from(rows);
  }

  async describe(): Promise<SourceResource[]> {
    const rows = await this.run(
      `select table_name as t, column_name as c, data_type as d from information_schema.columns
       where table_schema = ? order by table_name, ordinal_position`,
      [this.options.database],
    );
    const byTable = new Map<string, SourceResource>();
    for (const r of rows) {
      const table = String(r.t);
      if (this.options.tables && !this.options.tables.includes(table)) continue;
      let res = byTable.get(table);
      if (!res) {
        res = { id: table, native: `${this.options.database}.${table}`, fields: [] };
        byTable.set(table, res);
      }
      res.fields.push({ name: String(r.c), type: mariaFieldType(String(r.d)) });
    }
    this.cache = [...byTable.values()];
    return this.cache;
  }

  async query(resourceId: string, filters: Filter[], limit: number): Promise<QueryResult> {
    const resource = checkQuery(this.id, this.cache ?? (await this.describe()), resourceId, filters, limit);
    const table = `${DIALECT.quote(this.options.database)}.${DIALECT.quote(resource.id)}`;
    const { text, params } = buildSelect(DIALECT, table, resource, filters, limit);
    return cut(await this.run(text, params), limit, filters.length);
  }

  async health(): Promise<SourceHealth> {
    const start = performance.now();
    await this.run('select 1', []);
    return { ok: true, latencyMs: performance.now() - start };
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end();
  }
}
