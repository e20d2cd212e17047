import { randomUUID } from 'node:crypto';
import { type Principal, requireRole, SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import type { AuditLog } from '../audit/index.ts';
import type { ObservedReading, ReadingsObserver } from '../sensing/index.ts';
import { findRuns, type SlotTti } from './traffic.congestion.ts';
import { LEVEL_FLOORS, type Level, travelTimeIndex } from './traffic.levels.ts';
import { haversineM, midpoint, nearestLinks, parseNetwork } from './traffic.network.ts';
import { TrafficQueries } from './traffic.queries.ts';
import { type AlertRow, type LinkRow, type SlotRow, TrafficRepository } from './traffic.repository.ts';
import type { CongestionAlert } from './traffic.subjects.ts';

/** How links, detectors and alerts behave (all optional). */
export interface TrafficOptions {
  /** Level at or above which a link counts as congested for alerts (default severe). */
  alertLevel: Exclude<Level, 'free'>;
  /** Minutes at or above the level before an alert (default 15). */
  raiseMinutes: number;
  /** Minutes below the level before the alert clears (default 10). */
  clearMinutes: number;
  /** How far back each evaluation looks (observation time, default 120 min). */
  lookbackMinutes: number;
  /** A detector further than this from every link is on no link (default 1,000 m). */
  maxDetectorDistanceM: number;
  /** Local day offset from UTC (default 480, Chongqing). */
  dayOffsetMinutes: number;
}

export const DEFAULT_TRAFFIC_OPTIONS: TrafficOptions = {
  alertLevel: 'severe',
  raiseMinutes: 15,
  clearMinutes: 10,
  lookbackMinutes: 120,
  maxDetectorDistanceM: 1000,
  dayOffsetMinutes: 480,
};

/** Slot length: 5 minutes. */
export const SLOT_MS = 5 * 60_000;

/** What the traffic service is built from. */
export interface TrafficDeps {
  db: Db;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  /** Where a point lies (jurisdictions' index): path and chain, or undefined outside the city. */
  locate(
    lon: number,
    lat: number,
  ): Promise<{ path: string; chain: { code: string; level: string }[] } | undefined>;
  /** The TrafficFlowObserved devices (sensing's registry). */
  detectors(): Promise<{ id: string; lon: number; lat: number }[]>;
  /** Writes a congestion message in the transaction that raises or clears (an outbox). */
  publish(
    trx: Db,
    subject: 'traffic.congestion.raised' | 'traffic.congestion.cleared',
    alert: CongestionAlert,
  ): Promise<void>;
  options?: Partial<TrafficOptions>;
}

/**
 * The traffic module: the road network and its detectors, 5-minute link sums fed by sensing's
 * intake (`observer()`), congestion alerts (`evaluate`) and the index figures (`queries`).
 */
export class TrafficService {
  readonly options: TrafficOptions;
  readonly queries: TrafficQueries;
  private readonly deps: TrafficDeps;
  private readonly repo = new TrafficRepository();
  private linkIds = new Set<string>();
  private linkOf = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(deps: TrafficDeps) {
    this.deps = deps;
    this.options = { ...DEFAULT_TRAFFIC_OPTIONS, ...deps.options };
    this.queries = new TrafficQueries(deps.db, this.repo, this.options, () => deps.clock.now());
  }

  /** Loads the network's ids and detector mapping for the intake check. */
  async reload(): Promise<void> {
    this.linkIds = new Set(await this.repo.linkIds(this.deps.db));
    this.linkOf = new Map((await this.repo.detectors(this.deps.db)).map((d) => [d.device_id, d.link_id]));
  }

  /** Loads the caches and evaluates congestion every `everyMs` (0: no timer); caches reload each minute. */
  async start(everyMs = 30_000): Promise<void> {
    await this.reload();
    if (everyMs <= 0) return;
    let ticks = 0;
    this.timer = setInterval(() => {
      if (this.running) return;
      const reload = ++ticks % Math.max(1, Math.round(60_000 / everyMs)) === 0;
      this.running = (reload ? this.reload() : Promise.resolve())
        .then(() => this.evaluate())
        .catch((err) => this.deps.logger.warn({ err }, 'traffic evaluation failed'))
        .finally(() => {
          this.running = undefined;
        });
    }, everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /**
   * Imports a road network (GeoJSON LineStrings) in one transaction, replacing the current one,
   * and maps the detectors to it: a broken feature imports nothing and the error names it.
   */
  async importNetwork(
    principal: Principal,
    geojson: unknown,
  ): Promise<{ links: number; byClass: Record<string, number>; detectors: number; unmapped: number }> {
    requireRole(principal, 'admin');
    const parsed = parseNetwork(geojson);
    const now = this.deps.clock.now();
    const rows: LinkRow[] = [];
    for (const [n, l] of parsed.entries()) {
      const mid = midpoint(l.coordinates);
      const at = await this.deps.locate(mid[0], mid[1]);
      if (!at)
        throw new AppError('invalid_data', `feature ${n} (id ${l.id}): its midpoint is outside the city`, {
          feature: n,
          id: l.id,
        });
      rows.push({
        id: l.id,
        name: l.name,
        road_class: l.roadClass,
        coordinates: l.coordinates,
        length_m: l.lengthM,
        free_flow_kmh: l.freeFlowKmh,
        approximate: l.approximate,
        mid_lon: mid[0],
        mid_lat: mid[1],
        jurisdiction_path: at.path,
        district_code: at.chain.find((c) => c.level === 'district')?.code ?? at.chain.at(-1)!.code,
        imported_at: now,
      });
    }
    const devices = await this.deps.detectors();
    const mapping = nearestLinks(parsed, devices, this.options.maxDetectorDistanceM);
    await this.deps.db.transaction().execute(async (trx) => {
      await this.repo.replaceLinks(trx, rows);
      await this.repo.replaceDetectors(
        trx,
        [...mapping].map(([device_id, m]) => ({ device_id, link_id: m.linkId, distance_m: m.distanceM })),
      );
      await this.deps.audit.append(trx, {
        actor: { kind: principal.kind, id: principal.id },
        action: 'traffic.network.imported',
        subjectType: 'road_network',
        subjectId: 'network',
        details: { links: rows.length, detectors: mapping.size, unmapped: devices.length - mapping.size },
      });
    });
    await this.reload();
    const byClass: Record<string, number> = {};
    for (const l of parsed) byClass[l.roadClass] = (byClass[l.roadClass] ?? 0) + 1;
    return { links: rows.length, byClass, detectors: mapping.size, unmapped: devices.length - mapping.size };
  }

  /** Maps the detectors to the stored network again (after devices were imported or moved). */
  async mapDetectors(principal: Principal): Promise<{ detectors: number; unmapped: number }> {
    requireRole(principal, 'admin');
    const links = await this.repo.links(this.deps.db, SYSTEM_PRINCIPAL);
    const devices = await this.deps.detectors();
    const mapping = nearestLinks(links, devices, this.options.maxDetectorDistanceM);
    await this.deps.db.transaction().execute(async (trx) => {
      await this.repo.replaceDetectors(
        trx,
        [...mapping].map(([device_id, m]) => ({ device_id, link_id: m.linkId, distance_m: m.distanceM })),
      );
      await this.deps.audit.append(trx, {
        actor: { kind: principal.kind, id: principal.id },
        action: 'traffic.detectors.mapped',
        subjectType: 'road_network',
        subjectId: 'network',
        details: { detectors: mapping.size, unmapped: devices.length - mapping.size },
      });
    });
    await this.reload();
    return { detectors: mapping.size, unmapped: devices.length - mapping.size };
  }

  /** How many links the network has. */
  linkCount(): Promise<number> {
    return this.repo.countLinks(this.deps.db);
  }

  /** The link a detector measures (from the stored mapping), if any. */
  linkOfDetector(deviceId: string): string | undefined {
    return this.linkOf.get(deviceId);
  }

  /**
   * Sensing's intake hook: a TrafficFlowObserved payload naming an unknown `refRoadSegment`, or
   * from a detector on no link, is dead-lettered (`unknown_link`) — once a network is imported
   * (a city without one keeps its traffic readings as before); new speed and flow readings are
   * added to their link's 5-minute sums in the batch transaction.
   */
  observer(): ReadingsObserver {
    return {
      types: new Set(['TrafficFlowObserved']),
      metrics: ['averageVehicleSpeed', 'intensity'],
      check: (deviceId, payload) => {
        if (this.linkIds.size === 0) return undefined;
        const ref = payload.refRoadSegment;
        if (ref !== undefined && !this.linkIds.has(String(ref)))
          return {
            reason: 'unknown_link',
            detail: `refRoadSegment '${String(ref).slice(0, 100)}' is not a link of the road network`,
          };
        if (!this.linkOf.has(deviceId))
          return {
            reason: 'unknown_link',
            detail: `detector '${deviceId}' is on no link of the road network (none within ${this.options.maxDetectorDistanceM} m)`,
          };
        return undefined;
      },
      stored: (trx, readings) => this.addReadings(trx, readings),
    };
  }

  private async addReadings(trx: Db, readings: ObservedReading[]): Promise<void> {
    const sums = new Map<string, SlotRow>();
    for (const r of readings) {
      const link = this.linkOf.get(r.deviceId);
      if (!link) continue;
      const slot = Math.floor(r.t / SLOT_MS) * SLOT_MS;
      const key = `${link}|${slot}`;
      let s = sums.get(key);
      if (!s) {
        s = { link_id: link, slot_start: new Date(slot), speed_sum: 0, speed_n: 0, flow_sum: 0, flow_n: 0 };
        sums.set(key, s);
      }
      if (r.metric === 'averageVehicleSpeed') {
        s.speed_sum += r.value;
        s.speed_n++;
      } else {
        s.flow_sum += r.value;
        s.flow_n++;
      }
    }
    await this.repo.addSlots(trx, [...sums.values()]);
  }

  /**
   * Walks every link with slots in the look-back window (closed slots only) from where its last
   * alert left it: a new congested run raises an alert (`traffic.congestion.raised`), an open
   * alert whose link recovered clears (`traffic.congestion.cleared`); each in its own transaction.
   */
  async evaluate(): Promise<{ raised: CongestionAlert[]; cleared: CongestionAlert[] }> {
    const now = this.deps.clock.now().getTime();
    const to = Math.floor(now / SLOT_MS) * SLOT_MS;
    const from = to - this.options.lookbackMinutes * 60_000;
    const slots = await this.repo.slots(this.deps.db, new Date(from), new Date(to));
    const byLink = new Map<string, SlotRow[]>();
    for (const s of slots) if (s.speed_n > 0) byLink.set(s.link_id, [...(byLink.get(s.link_id) ?? []), s]);
    if (byLink.size === 0) return { raised: [], cleared: [] };
    const links = new Map((await this.repo.links(this.deps.db, SYSTEM_PRINCIPAL)).map((l) => [l.id, l]));
    const freeFlow = await this.queries.freeFlow([...links.values()]);
    const latest = await this.repo.latestAlerts(this.deps.db, [...byLink.keys()]);
    const rules = {
      slotMs: SLOT_MS,
      threshold: LEVEL_FLOORS[this.options.alertLevel],
      raiseMinutes: this.options.raiseMinutes,
      clearMinutes: this.options.clearMinutes,
    };
    const raised: CongestionAlert[] = [];
    const cleared: CongestionAlert[] = [];
    for (const [linkId, rows] of byLink) {
      const link = links.get(linkId);
      if (!link) continue;
      const last = latest.get(linkId);
      const open = last && !last.cleared_at ? last : undefined;
      // Walk from where the last alert left the link: its start if open, else the end of its run.
      const after = open ? open.started_at.getTime() + SLOT_MS : (last?.cleared_at?.getTime() ?? 0);
      const vf = freeFlow.get(linkId) ?? link.free_flow_kmh;
      const series: SlotTti[] = rows
        .filter((r) => r.slot_start.getTime() >= after)
        .map((r) => ({ t: r.slot_start.getTime(), tti: travelTimeIndex(vf, r.speed_sum / r.speed_n) }));
      const found = findRuns(
        series,
        rules,
        open ? { startedAt: open.started_at.getTime(), peakTti: open.peak_tti } : undefined,
      );
      if (open && found.continued?.clearedAt) {
        const c = found.continued;
        const dto = this.toDto({ ...open, peak_tti: c.peakTti, cleared_at: new Date(c.clearedAt!) }, link);
        await this.deps.db.transaction().execute(async (trx) => {
          await this.repo.clearAlert(trx, open.id, new Date(c.clearedAt!), c.peakTti);
          await this.deps.publish(trx, 'traffic.congestion.cleared', dto);
        });
        cleared.push(dto);
      }
      for (const run of found.runs) {
        const row: AlertRow = {
          id: randomUUID(),
          link_id: linkId,
          level: this.options.alertLevel,
          started_at: new Date(run.startedAt),
          raised_at: new Date(run.raisedAt),
          peak_tti: run.peakTti,
          cleared_at: run.clearedAt === null ? null : new Date(run.clearedAt),
          jurisdiction_path: link.jurisdiction_path,
        };
        const dto = this.toDto(row, link);
        await this.deps.db.transaction().execute(async (trx) => {
          await this.repo.insertAlert(trx, row);
          await this.deps.audit.append(trx, {
            actor: { kind: 'system', id: 'traffic' },
            action: 'traffic.congestion.raised',
            subjectType: 'road_link',
            subjectId: linkId,
            jurisdictionPath: link.jurisdiction_path,
            details: { alertId: row.id, peakTti: run.peakTti, startedAt: dto.startedAt },
          });
          await this.deps.publish(trx, 'traffic.congestion.raised', dto);
          if (dto.clearedAt) await this.deps.publish(trx, 'traffic.congestion.cleared', dto);
        });
        raised.push(dto);
        if (dto.clearedAt) cleared.push(dto);
      }
    }
    return { raised, cleared };
  }

  /**
   * The congestion an alert belongs to, so that the links of one jam make one event: the alerts
   * congested at the same time (their runs overlap this one's, cleared or not) linked to it
   * through links whose midpoints lie within `radiusM` of each other (single linkage, so a jam
   * along a corridor stays one), represented by the oldest; itself when alone. The same answer
   * whenever it is asked, once the alerts of a jam are stored.
   */
  async clusterOf(alert: CongestionAlert, radiusM = 1000): Promise<string> {
    const open = await this.repo.alertsOverlapping(
      this.deps.db,
      new Date(alert.startedAt),
      new Date(alert.clearedAt ?? alert.raisedAt),
    );
    const at = (a: { lon: number; lat: number }): [number, number] => [a.lon, a.lat];
    const start = open.find((a) => a.id === alert.id) ?? { id: alert.id, ...alert.location };
    const seen = new Set([start.id]);
    const queue = [start];
    while (queue.length) {
      const a = queue.pop()!;
      for (const b of open)
        if (!seen.has(b.id) && haversineM(at(a), at(b)) <= radiusM) {
          seen.add(b.id);
          queue.push(b);
        }
    }
    // `open` is oldest first: the first member of the component stands for it.
    return open.find((a) => seen.has(a.id))?.id ?? alert.id;
  }

  /** Congestion alerts in the caller's jurisdiction, newest first. */
  async alerts(principal: Principal, q: { open?: boolean; limit: number }): Promise<CongestionAlert[]> {
    const rows = await this.repo.alerts(this.deps.db, principal, q.open, q.limit);
    const links = new Map((await this.repo.links(this.deps.db, SYSTEM_PRINCIPAL)).map((l) => [l.id, l]));
    return rows.flatMap((r) => {
      const l = links.get(r.link_id);
      return l ? [this.toDto(r, l)] : [];
    });
  }

  private toDto(a: AlertRow, link: LinkRow): CongestionAlert {
    const started = new Date(a.started_at);
    const raisedAt = new Date(a.raised_at);
    return {
      id: a.id,
      linkId: link.id,
      linkName: link.name,
      roadClass: link.road_class,
      level: a.level,
      peakTti: Math.round(Number(a.peak_tti) * 1000) / 1000,
      startedAt: started.toISOString(),
      raisedAt: raisedAt.toISOString(),
      clearedAt: a.cleared_at ? new Date(a.cleared_at).toISOString() : null,
      minutes: Math.round((raisedAt.getTime() - started.getTime()) / 60_000),
      location: { lon: link.mid_lon, lat: link.mid_lat },
      jurisdictionPath: link.jurisdiction_path,
    };
  }
}
