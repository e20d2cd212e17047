import type { PlatformQuery, PlatformReadModels } from '../modules/datahub/index.ts';
import type { DispatchService } from '../modules/dispatch/index.ts';
import { computeKpis, type EventDto, type EventService } from '../modules/events/index.ts';
import { DEVICE_TYPES, type DeviceType, type SensingService } from '../modules/sensing/index.ts';
import { type Principal, SYSTEM_PRINCIPAL } from '../platform/access.ts';
import type { Clock } from '../platform/clock.ts';
import type { Db } from '../platform/db/database.ts';
import { AppError } from '../platform/errors.ts';

/** The code of the jurisdiction a path ends in (`50/500110` → `500110`). */
const codeOf = (path: string) => path.split('/').at(-1) ?? path;
const DEVICE_STATUSES = new Set(['online', 'offline', 'fault']);
const KPI_WINDOW_MS = 30 * 86_400_000;

/**
 * The platform's own data for the datahub's `citybrain` source, read through the read models
 * the owning modules export (sensing's device registry, latest readings and alerts; the event
 * centre's event list and KPIs) as the system principal: the gateway has already decided what
 * the consumer may see, and masks the answer by the catalogue's field classes.
 */
export function platformReadModels(deps: {
  db: Db;
  clock: Clock;
  sensing: SensingService;
  events: EventService;
  dispatch: DispatchService;
  /** The jurisdictions' paths: an area asked of the events is listed as a principal of that area. */
  jurisdictions: { pathOf(code: string): Promise<string> };
}): PlatformReadModels {
  const { sensing, events, dispatch, db, clock, jurisdictions } = deps;
  /** The system principal narrowed to an area and below (undefined: an unknown area, no events). */
  const areaPrincipal = async (code: string | undefined): Promise<Principal | undefined> => {
    if (code === undefined) return SYSTEM_PRINCIPAL;
    const path = await jurisdictions.pathOf(code).catch((error: unknown) => {
      if (error instanceof AppError && error.code === 'not_found') return undefined;
      throw error;
    });
    return path === undefined
      ? undefined
      : { ...SYSTEM_PRINCIPAL, jurisdictionCode: code, jurisdictionPath: path };
  };
  const type = (q: PlatformQuery): DeviceType | undefined | null => {
    const kind = q.eq.kind;
    if (kind === undefined) return undefined;
    return (DEVICE_TYPES as readonly string[]).includes(kind) ? (kind as DeviceType) : null;
  };
  const devices = async (q: PlatformQuery, limit: number) => {
    const t = type(q);
    const status = q.eq.status;
    if (t === null || (status !== undefined && !DEVICE_STATUSES.has(status))) return [];
    return sensing.devices.list(SYSTEM_PRINCIPAL, {
      ...(t ? { type: t } : {}),
      ...(status ? { status: status as 'online' } : {}),
      ...(q.eq.jurisdictionCode ? { area: q.eq.jurisdictionCode } : {}),
      limit: Math.min(limit, 5000),
    });
  };
  return {
    devices: async (q) =>
      (await devices(q, q.limit)).map((d) => ({
        device_id: d.id,
        kind: d.type,
        name: d.name,
        jurisdiction_code: d.jurisdictionCode,
        department_code: d.departmentCode,
        status: d.status,
        location: { lon: d.lon, lat: d.lat },
        created_at: d.createdAt,
        last_seen_at: d.lastSeenAt,
      })),
    readings: async (q) => {
      const found = new Map(
        (await devices({ ...q, eq: { ...q.eq, status: undefined } }, 5000)).map((d) => [d.id, d]),
      );
      if (found.size === 0) return [];
      const latest = await sensing.queries.latest(
        SYSTEM_PRINCIPAL,
        { ...(q.eq.jurisdictionCode ? { area: q.eq.jurisdictionCode } : {}), limit: 5000 },
        clock.now(),
      );
      const rows: Record<string, unknown>[] = [];
      for (const r of latest) {
        const d = found.get(r.deviceId);
        if (!d) continue;
        rows.push({
          device_id: r.deviceId,
          kind: d.type,
          jurisdiction_code: d.jurisdictionCode,
          metric: r.metric,
          value: r.value,
          at: r.at,
        });
        if (rows.length >= q.limit) break;
      }
      return rows;
    },
    events: async (q) => {
      // An area (the gateway's jurisdiction scope, or a caller's equality) is the events' own scope filter.
      const principal = await areaPrincipal(q.eq.jurisdictionCode);
      if (!principal) return [];
      const list = await events.list(principal, {
        ...(q.eq.category ? { category: q.eq.category } : {}),
        ...(q.eq.status ? { status: q.eq.status as EventDto['status'] } : {}),
        ...(q.from ? { from: q.from } : {}),
        ...(q.to ? { to: q.to } : {}),
        limit: Math.min(q.limit, 1000),
      });
      return list.map((e) => ({
        event_id: e.id,
        category: e.category,
        status: e.status,
        priority: e.priority,
        jurisdiction_code: e.jurisdictionCode,
        address: e.address,
        description: e.description,
        created_at: e.createdAt,
        closed_at: e.closedAt,
      }));
    },
    alerts: async (q) => {
      const status = q.eq.status;
      if (status !== undefined && !['open', 'acknowledged', 'cleared'].includes(status)) return [];
      const list = await sensing.alerts.list(SYSTEM_PRINCIPAL, {
        ...(status ? { status: status as 'open' } : {}),
        ...(q.eq.rule ? { ruleId: q.eq.rule } : {}),
        ...(q.eq.jurisdictionCode ? { area: q.eq.jurisdictionCode } : {}),
        limit: Math.min(q.limit, 1000),
      });
      return list.map((a) => ({
        alert_id: a.id,
        rule: a.ruleId,
        category: a.category,
        severity: a.severity,
        status: a.status,
        device_id: a.alertSource,
        jurisdiction_code: codeOf(a.jurisdictionPath),
        issued_at: a.dateIssued,
      }));
    },
    kpis: async (q) => {
      const to = q.to ?? clock.now().toISOString();
      const from = q.from ?? new Date(Date.parse(to) - KPI_WINDOW_MS).toISOString();
      const k = await computeKpis(db, dispatch, SYSTEM_PRINCIPAL, clock.now(), { from, to });
      const figures: [string, number | null][] = [
        ['events', k.events],
        ['closed', k.closed],
        ['compliance_accept_rate', k.compliance.accept.rate],
        ['compliance_arrive_rate', k.compliance.arrive.rate],
        ['compliance_resolve_rate', k.compliance.resolve.rate],
        ['collaboration_rate', k.collaboration.rate],
        ['satisfaction_average', k.satisfaction.average],
        ['satisfied_share', k.satisfaction.satisfiedShare],
        ['reopen_rate', k.reopen.rate],
      ];
      return figures.map(([kpi, value]) => ({
        kpi,
        value,
        period: `${from}/${to}`,
        period_start: from,
        period_end: to,
      }));
    },
  };
}
