import {
  type Connector,
  checkQuery,
  type FieldType,
  type Filter,
  matches,
  type QueryResult,
  type SourceField,
  type SourceHealth,
  type SourceResource,
} from './connector.ts';

/** A REST service that publishes an OpenAPI 3 document. */
export interface RestConnectorOptions {
  id: string;
  baseUrl: string;
  /** Where the OpenAPI document is, relative to `baseUrl` (default `/openapi.json`). */
  specPath?: string;
  /** Sent with every request (an API key); never part of an error. */
  headers?: Record<string, string>;
  timeoutMs?: number;
}

interface Endpoint {
  path: string;
  /** Query parameters the endpoint declares: equality filters on these go to the service. */
  params: Set<string>;
}

type Schema = {
  $ref?: string;
  type?: string;
  format?: string;
  items?: Schema;
  properties?: Record<string, Schema>;
};

/** An HTTP answer that is not 2xx; its code is all the breaker's log sees. */
class HttpStatusError extends Error {
  readonly code: string;
  constructor(status: number) {
    super(`HTTP ${status}`);
    this.code = `HTTP_${status}`;
  }
}

function fieldType(s: Schema): FieldType {
  if (s.type === 'integer' || s.type === 'number') return 'number';
  if (s.type === 'boolean') return 'boolean';
  if (s.type === 'string' && (s.format === 'date-time' || s.format === 'date')) return 'timestamp';
  if (s.type === 'object' || s.type === 'array') return 'json';
  return 'text';
}

/**
 * The GET endpoints of a REST service that answer a JSON array of objects, read from its OpenAPI
 * document: each is a resource (`/permits` → `permits`) whose fields are the items' properties.
 * Equality filters on a declared query parameter, bounds on a field whose `<field>_gte`,
 * `_gt`, `_lt` or `_lte` parameter is declared (json-server's convention, e.g. the gateway's
 * jurisdiction scope as `district_code_gte` and `district_code_lt`), and the limit when `limit`
 * is declared and every filter went, are sent to the service; every filter is also applied to the answer, so a service that ignores
 * a parameter cannot widen the result.
 */
export class RestConnector implements Connector {
  readonly kind = 'rest';
  readonly id: string;
  private readonly options: RestConnectorOptions;
  private cache?: SourceResource[];
  private readonly endpoints = new Map<string, Endpoint>();

  constructor(options: RestConnectorOptions) {
    this.id = options.id;
    this.options = options;
  }

  private async get(pathAndQuery: string): Promise<unknown> {
    const url = new URL(
      pathAndQuery,
      this.options.baseUrl.endsWith('/') ? this.options.baseUrl : `${this.options.baseUrl}/`,
    );
    const response = await fetch(url, {
      headers: { accept: 'application/json', ...this.options.headers },
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new HttpStatusError(response.status);
    }
    return response.json();
  }

  async describe(): Promise<SourceResource[]> {
    const spec = (await this.get((this.options.specPath ?? '/openapi.json').replace(/^\//, ''))) as {
      paths?: Record<
        string,
        { get?: { parameters?: { name: string; in: string }[]; responses?: Record<string, unknown> } }
      >;
      components?: { schemas?: Record<string, Schema> };
    };
    const resolve = (s: Schema | undefined): Schema | undefined => {
      const ref = s?.$ref?.match(/^#\/components\/schemas\/(.+)$/)?.[1];
      return ref ? spec.components?.schemas?.[ref] : s;
    };
    const out: SourceResource[] = [];
    this.endpoints.clear();
    for (const [p, item] of Object.entries(spec.paths ?? {})) {
      const get = item.get;
      if (!get || p.includes('{')) continue;
      const ok = get.responses?.['200'] as { content?: Record<string, { schema?: Schema }> } | undefined;
      const schema = resolve(ok?.content?.['application/json']?.schema);
      const items = schema?.type === 'array' ? resolve(schema.items) : undefined;
      if (!items?.properties) continue;
      const id = p.replace(/^\//, '').replaceAll('/', '.');
      const fields: SourceField[] = Object.entries(items.properties).map(([name, s]) => ({
        name,
        type: fieldType(resolve(s) ?? {}),
      }));
      const params = new Set((get.parameters ?? []).filter((x) => x.in === 'query').map((x) => x.name));
      this.endpoints.set(id, { path: p, params });
      out.push({ id, native: `GET ${p}`, fields });
    }
    this.cache = out;
    return out;
  }

  async query(resourceId: string, filters: Filter[], limit: number): Promise<QueryResult> {
    const resource = checkQuery(this.id, this.cache ?? (await this.describe()), resourceId, filters, limit);
    const endpoint = this.endpoints.get(resourceId) as Endpoint;
    const search = new URLSearchParams();
    let pushedDown = 0;
    for (const f of filters) {
      if (f.op === 'in' || f.value === null) continue;
      // Equality as the field's own parameter; a bound as `<field>_gte` (… `_gt`, `_lt`, `_lte`), when declared.
      const name = f.op === 'eq' ? f.field : `${f.field}_${f.op}`;
      if (!endpoint.params.has(name) || search.has(name)) continue;
      search.set(name, String(f.value));
      pushedDown += 1;
    }
    if (
      endpoint.params.has('limit') &&
      !resource.fields.some((f) => f.name === 'limit') &&
      pushedDown === filters.length
    )
      search.set('limit', String(limit + 1));
    const qs = search.toString();
    const body = await this.get(`${endpoint.path.replace(/^\//, '')}${qs ? `?${qs}` : ''}`);
    if (!Array.isArray(body)) throw new TypeError('the service did not answer an array');
    const rows: Record<string, unknown>[] = [];
    for (const item of body as Record<string, unknown>[]) {
      if (item === null || typeof item !== 'object') continue;
      const row: Record<string, unknown> = {};
      for (const f of resource.fields) row[f.name] = item[f.name] ?? null;
      if (matches(row, filters, resource.fields)) rows.push(row);
      if (rows.length > limit) break;
    }
    return { rows: rows.slice(0, limit), pushedDown, truncated: rows.length > limit };
  }

  async health(): Promise<SourceHealth> {
    const start = performance.now();
    await this.get((this.options.specPath ?? '/openapi.json').replace(/^\//, ''));
    return { ok: true, latencyMs: performance.now() - start };
  }

  async close(): Promise<void> {}
}
