import {
  type Connector,
  checkQuery,
  codePrefix,
  type Filter,
  MAX_LIMIT,
  matches,
  nextCode,
  type QueryResult,
  type SourceField,
  type SourceHealth,
  type SourceResource,
} from './connector.ts';

/**
 * What a read model of the platform is asked: equality on the attributes it can filter by, a
 * time window (inclusive bounds, ISO) and how many rows at most. A read model may answer more
 * than asked (an area and below for a jurisdiction code, a wider window); the connector applies
 * every filter again.
 */
export interface PlatformQuery {
  eq: { kind?: string; category?: string; jurisdictionCode?: string; status?: string; rule?: string };
  from?: string;
  to?: string;
  limit: number;
}

/** A read model answering rows named by the resource's fields (Dates are sent as ISO strings). */
export type PlatformReader = (q: PlatformQuery) => Promise<Record<string, unknown>[]>;

/**
 * Port: the read models the platform's modules export (sensing's devices, latest readings and
 * alerts, the event centre's events and KPIs), passed in by the composition root so that the
 * datahub imports no other module and reads no other module's tables.
 */
export interface PlatformReadModels {
  devices: PlatformReader;
  readings: PlatformReader;
  events: PlatformReader;
  alerts: PlatformReader;
  kpis: PlatformReader;
}

type EqKey = keyof PlatformQuery['eq'];

interface PlatformResource {
  id: string;
  reader: keyof PlatformReadModels;
  fields: SourceField[];
  /** Fields whose equality the read model evaluates, and the query attribute each becomes. */
  eq: Record<string, EqKey>;
  /** The field whose lower bounds become `from` and the one whose upper bounds become `to`. */
  window?: { from: string; to: string };
}

const text = (name: string): SourceField => ({ name, type: 'text' });
const time = (name: string): SourceField => ({ name, type: 'timestamp' });

/** The platform's resources: ids and fields as the catalogue registers them (`platformResources`). */
export const PLATFORM_RESOURCES: PlatformResource[] = [
  {
    id: 'cb-devices',
    reader: 'devices',
    fields: [
      text('device_id'),
      text('kind'),
      text('name'),
      text('jurisdiction_code'),
      text('department_code'),
      text('status'),
      { name: 'location', type: 'json' },
      time('created_at'),
      time('last_seen_at'),
    ],
    eq: { kind: 'kind', jurisdiction_code: 'jurisdictionCode', status: 'status' },
  },
  {
    id: 'cb-readings',
    reader: 'readings',
    fields: [
      text('device_id'),
      text('kind'),
      text('jurisdiction_code'),
      text('metric'),
      { name: 'value', type: 'json' },
      time('at'),
    ],
    eq: { kind: 'kind', jurisdiction_code: 'jurisdictionCode' },
  },
  {
    id: 'cb-events',
    reader: 'events',
    fields: [
      text('event_id'),
      text('category'),
      text('status'),
      text('priority'),
      text('jurisdiction_code'),
      text('address'),
      text('description'),
      time('created_at'),
      time('closed_at'),
    ],
    eq: { category: 'category', status: 'status', jurisdiction_code: 'jurisdictionCode' },
    window: { from: 'created_at', to: 'created_at' },
  },
  {
    id: 'cb-alerts',
    reader: 'alerts',
    fields: [
      text('alert_id'),
      text('rule'),
      text('category'),
      text('severity'),
      text('status'),
      text('device_id'),
      text('jurisdiction_code'),
      time('issued_at'),
    ],
    eq: { rule: 'rule', status: 'status', jurisdiction_code: 'jurisdictionCode' },
  },
  {
    id: 'cb-kpis',
    reader: 'kpis',
    fields: [
      text('kpi'),
      { name: 'value', type: 'number' },
      text('period'),
      time('period_start'),
      time('period_end'),
    ],
    eq: {},
    window: { from: 'period_start', to: 'period_end' },
  },
];

const iso = (v: string | number) => new Date(v).toISOString();

/** The part of the filters a read model evaluates, and how many filters that is. */
function pushDown(
  resource: PlatformResource,
  filters: Filter[],
): { q: Omit<PlatformQuery, 'limit'>; pushed: number } {
  const q: Omit<PlatformQuery, 'limit'> = { eq: {} };
  let pushed = 0;
  // The gateway's jurisdiction scope (`code ≤ jurisdiction_code < next`): a read model's area is
  // that code and the areas below, which is the same set of rows; it goes before any equality.
  const area = resource.eq.jurisdiction_code ? codePrefix(filters, 'jurisdiction_code') : undefined;
  const next = area === undefined ? undefined : nextCode(area);
  if (area !== undefined) {
    q.eq.jurisdictionCode = area;
    pushed += 2;
  }
  for (const f of filters) {
    const bound = f.field === 'jurisdiction_code' && f.op !== 'in' ? f.value : undefined;
    if (area !== undefined && ((f.op === 'gte' && bound === area) || (f.op === 'lt' && bound === next)))
      continue; // the scope's two bounds, pushed as the area (every filter is applied again below)
    const key = resource.eq[f.field];
    const value = f.op === 'eq' ? f.value : f.op === 'in' && f.values.length === 1 ? f.values[0] : undefined;
    if (key && typeof value === 'string' && q.eq[key] === undefined) {
      q.eq[key] = value;
      pushed++;
      continue;
    }
    const w = resource.window;
    if (!w || f.op === 'eq' || f.op === 'in' || f.value === null || typeof f.value === 'boolean') continue;
    if (f.field === w.from && (f.op === 'gt' || f.op === 'gte')) {
      const at = iso(f.value);
      if (!q.from || at > q.from) q.from = at;
      pushed++;
    } else if (f.field === w.to && (f.op === 'lt' || f.op === 'lte')) {
      const at = iso(f.value);
      if (!q.to || at < q.to) q.to = at;
      pushed++;
    }
  }
  return { q, pushed };
}

/**
 * The platform's own data (devices, latest readings, events, alerts, KPIs) as a source: each
 * resource is served by a read model of the owning module (`PlatformReadModels`). Equality on
 * device type, category, status, rule and jurisdiction code and the time window go to the read
 * model; every filter is applied again here (a read model's area includes the areas below, its
 * window bounds are inclusive), then the limit.
 */
export class PlatformConnector implements Connector {
  readonly kind = 'citybrain';
  readonly id: string;
  private readonly read: PlatformReadModels;

  constructor(options: { id: string; read: PlatformReadModels }) {
    this.id = options.id;
    this.read = options.read;
  }

  async describe(): Promise<SourceResource[]> {
    return PLATFORM_RESOURCES.map((r) => ({ id: r.id, fields: r.fields.map((f) => ({ ...f })) }));
  }

  async query(resourceId: string, filters: Filter[], limit: number): Promise<QueryResult> {
    checkQuery(this.id, PLATFORM_RESOURCES, resourceId, filters, limit);
    const resource = PLATFORM_RESOURCES.find((r) => r.id === resourceId) as PlatformResource;
    const { q, pushed } = pushDown(resource, filters);
    // When filters remain for this side, ask for as much as a query may see, not just the limit.
    const asked = pushed === filters.length ? limit + 1 : MAX_LIMIT + 1;
    const raw = await this.read[resource.reader]({ ...q, limit: asked });
    const rows: Record<string, unknown>[] = [];
    for (const r of raw) {
      const row: Record<string, unknown> = {};
      for (const f of resource.fields) {
        const v = r[f.name];
        row[f.name] = v instanceof Date ? v.toISOString() : (v ?? null);
      }
      if (!matches(row, filters, resource.fields)) continue;
      rows.push(row);
      if (rows.length > limit) break;
    }
    return { rows: rows.slice(0, limit), pushedDown: pushed, truncated: rows.length > limit };
  }

  async health(): Promise<SourceHealth> {
    const start = performance.now();
    await this.read.devices({ eq: {}, limit: 1 });
    return { ok: true, latencyMs: performance.now() - start };
  }

  async close(): Promise<void> {}
}
