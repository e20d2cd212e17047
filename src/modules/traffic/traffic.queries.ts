/**
 * The figures read from the link sums: the links layer (latest level per link), a day's index
 * for the city or a district with its 5-minute curve, the arterial speed and the peaks, and a
 * comparison with another day. Free-flow speed is each link's night-time mean speed (local
 * 00:00–05:00, last 7 days, at least 6 slots), else its class default.
 */
import type { Principal } from '../../platform/access.ts';
import type { Db } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
import { aggregateIndex, curveOf, type IndexSums, ratioOver } from './traffic.index.ts';
import { LEVELS, type Level, levelOf, type RoadClass, travelTimeIndex } from './traffic.levels.ts';
import type { LinkHead, LinkRow, TrafficRepository } from './traffic.repository.ts';
import type { Figures, IndexDto, IndexQuery, LevelsDto, LinksDto, LinksQuery } from './traffic.schema.ts';

const SLOT_MS = 5 * 60_000;
const SLOTS = 288;
const DAY_MS = 86_400_000;
/** Amap's peak hours: 07:00–09:00 and 17:00–19:00 local. */
export const MORNING_PEAK: [number, number] = [7 * 12, 9 * 12];
export const EVENING_PEAK: [number, number] = [17 * 12, 19 * 12];
const NIGHT = { fromHour: 0, toHour: 5, days: 7, minSlots: 6 };

const r3 = (x: number) => (Number.isFinite(x) ? Math.round(x * 1000) / 1000 : null);
const r1 = (x: number) => (Number.isFinite(x) ? Math.round(x * 10) / 10 : null);

/** Read side of the traffic module. */
export class TrafficQueries {
  private night: { at: number; speeds: Map<string, number> } | undefined;

  private readonly db: Db;
  private readonly repo: TrafficRepository;
  private readonly options: { dayOffsetMinutes: number };
  private readonly now: () => Date;

  constructor(db: Db, repo: TrafficRepository, options: { dayOffsetMinutes: number }, now: () => Date) {
    this.db = db;
    this.repo = repo;
    this.options = options;
    this.now = now;
  }

  /** Free-flow speed per link: night-time mean (cached 10 min) or the link's default. */
  async freeFlow(links: readonly LinkHead[]): Promise<Map<string, number>> {
    const now = this.now().getTime();
    if (!this.night || now - this.night.at > 600_000 || now < this.night.at) {
      const rows = await this.repo.nightSpeeds(
        this.db,
        new Date(now - NIGHT.days * DAY_MS),
        new Date(now),
        this.options.dayOffsetMinutes,
        NIGHT.fromHour,
        NIGHT.toHour,
      );
      this.night = {
        at: now,
        speeds: new Map(rows.filter((r) => r.n >= NIGHT.minSlots).map((r) => [r.link_id, r.speed])),
      };
    }
    const out = new Map<string, number>();
    for (const l of links) out.set(l.id, this.night.speeds.get(l.id) ?? l.free_flow_kmh);
    return out;
  }

  /** The local day containing an instant, as YYYY-MM-DD. */
  localDay(at: Date): string {
    return new Date(at.getTime() + this.options.dayOffsetMinutes * 60_000).toISOString().slice(0, 10);
  }

  /**
   * Each link's latest slot in the 15 minutes before `at`, with its level: the current slot (the
   * one holding `at`) as it fills, else the latest closed one — a reading shows on the map at once.
   */
  async links(principal: Principal, q: LinksQuery): Promise<LinksDto> {
    const at = q.at ? new Date(q.at) : this.now();
    const links = await this.repo.links(this.db, principal, q.area, q.class);
    const { counts, states, freeFlow } = await this.states(links, at);
    const detectors = new Map<string, string[]>();
    for (const d of await this.repo.detectors(this.db))
      detectors.set(d.link_id, [...(detectors.get(d.link_id) ?? []), d.device_id]);
    const items = links.map((l, i) => {
      const s = states[i]!;
      return {
        id: l.id,
        name: l.name,
        class: l.road_class as RoadClass,
        coordinates: l.coordinates,
        lengthM: l.length_m,
        freeFlowKmh: r1(freeFlow.get(l.id)!) ?? l.free_flow_kmh,
        districtCode: l.district_code,
        approximate: l.approximate,
        detectors: (detectors.get(l.id) ?? []).sort(),
        slotStart: s.slotStart,
        speedKmh: s.speedKmh,
        tti: s.tti,
        level: s.level,
      };
    });
    return { at: at.toISOString(), counts, items };
  }

  /**
   * The links layer's live part without geometry: per link (in id order, as `links`) its level,
   * speed and index, as parallel arrays — what a map that already holds the geometry refetches
   * when a detector reports (tens of KiB for a city instead of the whole layer).
   */
  async levels(principal: Principal, q: LinksQuery): Promise<LevelsDto> {
    const at = q.at ? new Date(q.at) : this.now();
    const links = await this.repo.linkHeads(this.db, principal, q.area, q.class);
    const { counts, states } = await this.states(links, at);
    return {
      at: at.toISOString(),
      counts,
      ids: links.map((l) => l.id),
      levels: states.map((s) => s.level),
      speedKmh: states.map((s) => s.speedKmh),
      tti: states.map((s) => s.tti),
    };
  }

  /** The state of each link (aligned with `links`) at `at`, the counts per level, the free-flow speeds. */
  private async states(links: readonly LinkHead[], at: Date) {
    const to = Math.floor(at.getTime() / SLOT_MS) * SLOT_MS;
    const slots = await this.repo.slots(
      this.db,
      new Date(to - 15 * 60_000),
      new Date(to + SLOT_MS),
      links.length < 5000 ? links.map((l) => l.id) : undefined,
    );
    const latest = new Map<string, (typeof slots)[number]>();
    for (const s of slots) if (s.speed_n > 0) latest.set(s.link_id, s);
    const freeFlow = await this.freeFlow(links);
    const counts = { free: 0, basic: 0, light: 0, moderate: 0, severe: 0, none: 0 };
    const states = links.map((l) => {
      const s = latest.get(l.id);
      const speed = s ? s.speed_sum / s.speed_n : null;
      const tti = speed === null ? null : travelTimeIndex(freeFlow.get(l.id)!, speed);
      const level = tti === null ? null : levelOf(tti);
      counts[level ?? 'none']++;
      return {
        slotStart: s ? s.slot_start.toISOString() : null,
        speedKmh: speed === null ? null : r1(speed),
        tti: tti === null ? null : r3(tti),
        level,
      };
    });
    return { counts, states, freeFlow };
  }

  /** A day's index for the city (in scope) or a district, with its curve, and optionally another day's. */
  async index(principal: Principal, q: IndexQuery): Promise<IndexDto> {
    const day = q.day ?? this.localDay(this.now());
    const links = await this.repo.links(this.db, principal, q.area);
    if (q.area && links.length === 0) throw new AppError('not_found', `no road links in area ${q.area}`);
    const main = await this.day(links, day);
    const districtCodes = [...new Set(links.map((l) => l.district_code))].sort();
    const districts = districtCodes.map((code, g) => {
      const num = main.sums.groupNum.subarray(g * SLOTS, (g + 1) * SLOTS);
      const w = main.sums.groupW.subarray(g * SLOTS, (g + 1) * SLOTS);
      const peak = peakOf(num, w);
      return {
        code,
        tti: r3(ratioOver(num, w)),
        peakTti: r3(peak),
        level: Number.isFinite(peak) ? levelOf(peak) : null,
      };
    });
    let compare: IndexDto['compare'] = null;
    if (q.compareDay) {
      const other = await this.day(links, q.compareDay);
      const change = (a: number | null, b: number | null) =>
        a !== null && b !== null && b !== 0 ? r3((a - b) / b) : null;
      compare = {
        figures: other.figures,
        curve: curveOf(other.sums.cityNum, other.sums.cityW),
        peakTtiChange: change(main.figures.peakTti, other.figures.peakTti),
        arterialSpeedChange: change(main.figures.arterialSpeedKmh, other.figures.arterialSpeedKmh),
      };
    }
    return {
      area: q.area ?? null,
      slotMinutes: 5,
      figures: main.figures,
      curve: curveOf(main.sums.cityNum, main.sums.cityW),
      arterialSpeedCurve: curveOf(main.sums.arterialVkt, main.sums.arterialVht).map((x) =>
        x === null ? null : r1(x),
      ),
      districts,
      compare,
    };
  }

  /** The sums and figures of one local day over the given links. */
  private async day(links: LinkRow[], day: string): Promise<{ sums: IndexSums; figures: Figures }> {
    const start = Date.parse(`${day}T00:00:00Z`) - this.options.dayOffsetMinutes * 60_000;
    if (!Number.isFinite(start)) throw new AppError('invalid_request', `bad day ${day}`);
    const index = new Map(links.map((l, i) => [l.id, i]));
    const districtCodes = [...new Set(links.map((l) => l.district_code))].sort();
    const group = new Map(districtCodes.map((c, g) => [c, g]));
    const n = links.length;
    const speed = new Float64Array(n * SLOTS).fill(Number.NaN);
    const flow = new Float64Array(n * SLOTS).fill(Number.NaN);
    const seen = new Set<string>();
    for (const r of await this.repo.daySlots(this.db, new Date(start), SLOTS)) {
      const i = index.get(r.link_id);
      if (i === undefined) continue;
      seen.add(r.link_id);
      const base = i * SLOTS;
      for (let k = 0; k < r.s.length; k++) {
        speed[base + r.s[k]!] = Number(r.v[k]) / 10;
        const q = r.q[k];
        if (q !== null && q !== undefined) flow[base + r.s[k]!] = Number(q) / 10;
      }
    }
    const vf = await this.freeFlow(links);
    const sums = aggregateIndex({
      links: n,
      slots: SLOTS,
      length: Float64Array.from(links, (l) => l.length_m),
      freeFlow: Float64Array.from(links, (l) => vf.get(l.id)!),
      group: Int32Array.from(links, (l) => group.get(l.district_code)!),
      groups: districtCodes.length,
      arterial: Uint8Array.from(links, (l) => (l.road_class === 'secondary' ? 0 : 1)),
      speed,
      flow,
    });
    const peak = peakOf(sums.cityNum, sums.cityW);
    const peakSpeed =
      (sum(sums.arterialVkt, MORNING_PEAK) + sum(sums.arterialVkt, EVENING_PEAK)) /
      (sum(sums.arterialVht, MORNING_PEAK) + sum(sums.arterialVht, EVENING_PEAK));
    const figures: Figures = {
      day,
      tti: r3(ratioOver(sums.cityNum, sums.cityW)),
      morningPeakTti: r3(ratioOver(sums.cityNum, sums.cityW, ...MORNING_PEAK)),
      eveningPeakTti: r3(ratioOver(sums.cityNum, sums.cityW, ...EVENING_PEAK)),
      peakTti: r3(peak),
      peakLevel: Number.isFinite(peak) ? levelOf(peak) : null,
      arterialSpeedKmh: r1(ratioOver(sums.arterialVkt, sums.arterialVht)),
      peakArterialSpeedKmh: r1(peakSpeed),
      links: seen.size,
    };
    return { sums, figures };
  }
}

function sum(a: Float64Array, [from, to]: [number, number]): number {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i]!;
  return s;
}

/** Index over both peaks together. */
function peakOf(num: Float64Array, w: Float64Array): number {
  const d = sum(w, MORNING_PEAK) + sum(w, EVENING_PEAK);
  return d > 0 ? (sum(num, MORNING_PEAK) + sum(num, EVENING_PEAK)) / d : Number.NaN;
}

/** Every level, for legends. */
export const LEVEL_LIST: readonly Level[] = LEVELS;
