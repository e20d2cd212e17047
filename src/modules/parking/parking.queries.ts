import { type Principal, ROLE_GROUPS, requireRole } from '../../platform/access.ts';
import type { Db } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
import { distanceM, matchRequests } from './parking.match.ts';
import type { ParkingOptions } from './parking.options.ts';
import type { ParkingRepository } from './parking.repository.ts';
import type { ParkingSpotDto, SearchQuery, SiteResult, SitesDto, UtilisationDto } from './parking.schema.ts';
import { covers, dayStartMs, localDay, offeredMs } from './parking.windows.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const round = (v: number, digits = 4) => Math.round(v * 10 ** digits) / 10 ** digits;

/** A window [from, to) of ISO instants: 400 `invalid_request` when it ends before it starts or is too long. */
export function checkWindow(fromIso: string, toIso: string, maxHours: number): { from: Date; to: Date } {
  const from = new Date(fromIso);
  const to = new Date(toIso);
  if (!(to.getTime() > from.getTime()))
    throw new AppError('invalid_request', 'the window must end after it starts', {
      from: fromIso,
      to: toIso,
    });
  if (to.getTime() - from.getTime() > maxHours * HOUR)
    throw new AppError('invalid_request', `a window is at most ${maxHours} h`, { from: fromIso, to: toIso });
  return { from, to };
}

/** The parking module's reads: search near a destination, utilisation, matching a day of requests. */
export class ParkingQueries {
  private readonly db: Db;
  private readonly repo: ParkingRepository;
  private readonly options: ParkingOptions;
  private readonly now: () => Date;

  constructor(db: Db, repo: ParkingRepository, options: ParkingOptions, now: () => Date) {
    this.db = db;
    this.repo = repo;
    this.options = options;
    this.now = now;
  }

  /** One space as a ParkingSpot. */
  async spot(id: string): Promise<ParkingSpotDto> {
    const s = await this.repo.spot(this.db, id);
    if (!s) throw new AppError('not_found', `parking spot '${id}' not found`, { id });
    return {
      id: s.id,
      type: 'ParkingSpot',
      status: s.status as ParkingSpotDto['status'],
      category: [s.category as 'offStreet'],
      refParkingSite: s.site_id,
      refParkingGroup: s.group_id,
      refDevice: s.sensor_id,
      location: { type: 'Point', coordinates: [s.lon, s.lat] },
      dateModified: s.status_at ? new Date(s.status_at).toISOString() : null,
    };
  }

  private window(fromIso: string, toIso: string) {
    return checkWindow(fromIso, toIso, this.options.maxBookingHours);
  }

  /**
   * Every site in scope (an area's when given) with its availability now — the map layer: a space
   * is free when its group is offered now, its sensor does not report it occupied or closed and no
   * running booking holds it.
   */
  async sites(principal: Principal, q: { area?: string }): Promise<SitesDto> {
    const at = this.now();
    const sites = await this.repo.sitesInScope(this.db, principal, q.area);
    const wanted = new Set(sites.map((s) => s.id));
    const groups = (await this.repo.groups(this.db)).filter((g) => wanted.has(g.site_id));
    const offset = this.options.dayOffsetMinutes;
    const offered = new Set(
      groups.filter((g) => covers(g.windows, at.getTime(), at.getTime() + MIN, offset)).map((g) => g.id),
    );
    const perSite = new Map<string, { total: number; free: number; occupied: number }>();
    for (const r of await this.repo.statusPerGroup(this.db)) {
      if (!wanted.has(r.site_id)) continue;
      const c = perSite.get(r.site_id) ?? { total: 0, free: 0, occupied: 0 };
      c.total += r.n;
      if (r.status === 'occupied') c.occupied += r.n;
      else if (r.status !== 'closed' && offered.has(r.group_id)) c.free += r.n;
      perSite.set(r.site_id, c);
    }
    const siteOfGroup = new Map(groups.map((g) => [g.id, g.site_id]));
    for (const b of await this.repo.holdingAt(this.db, at)) {
      const c = perSite.get(siteOfGroup.get(b.group_id) ?? '');
      if (c && b.status !== 'occupied' && b.status !== 'closed' && offered.has(b.group_id)) c.free--;
    }
    const totals = { sites: sites.length, total: 0, free: 0, occupied: 0 };
    const items = sites.map((s) => {
      const c = perSite.get(s.id) ?? { total: 0, free: 0, occupied: 0 };
      totals.total += c.total;
      totals.free += c.free;
      totals.occupied += c.occupied;
      const mine = groups.filter((g) => g.site_id === s.id);
      return {
        id: s.id,
        name: s.name,
        ownerKind: s.owner_kind as SitesDto['items'][number]['ownerKind'],
        lon: s.lon,
        lat: s.lat,
        ...c,
        sharedNow: mine.some((g) => offered.has(g.id)),
        windows: mine.flatMap((g) => g.windows),
      };
    });
    return { at: at.toISOString(), totals, items };
  }

  /** Sites within `radius` m of a destination, nearest first, with their spaces free for the whole window. */
  async search(q: SearchQuery): Promise<{ from: string; to: string; items: SiteResult[] }> {
    const { from, to } = this.window(q.from, q.to);
    const dLat = q.radius / 111_000;
    const dLon = q.radius / (111_000 * Math.max(0.01, Math.cos((q.lat * Math.PI) / 180)));
    const near = (
      await this.repo.sitesIn(this.db, {
        w: q.lon - dLon,
        e: q.lon + dLon,
        s: q.lat - dLat,
        n: q.lat + dLat,
      })
    )
      .map((s) => ({ s, d: distanceM(q.lon, q.lat, s.lon, s.lat) }))
      .filter((x) => x.d <= q.radius)
      .sort((a, b) => a.d - b.d || a.s.id.localeCompare(b.s.id))
      .slice(0, q.limit);
    const ids = near.map((x) => x.s.id);
    const groups = await this.repo.groups(this.db, ids);
    const spots = await this.repo.spotsOfSites(this.db, ids);
    const taken = new Set(
      (
        await this.repo.holdingOverlapping(
          this.db,
          spots.map((s) => s.id),
          from,
          to,
        )
      ).map((b) => b.spot_id),
    );
    const offset = this.options.dayOffsetMinutes;
    const items = near.map(({ s, d }) => {
      const mine = spots.filter((sp) => sp.site_id === s.id);
      const free = (g: string) =>
        mine
          .filter((sp) => sp.group_id === g && sp.status !== 'closed' && !taken.has(sp.id))
          .map((sp) => sp.id);
      const gs = groups
        .filter((g) => g.site_id === s.id)
        .map((g) => {
          const fits = covers(g.windows, from.getTime(), to.getTime(), offset);
          return {
            id: g.id,
            type: 'ParkingGroup' as const,
            name: g.name,
            refParkingSite: s.id,
            totalSpotNumber: mine.filter((sp) => sp.group_id === g.id).length,
            availableSpotNumber: fits ? free(g.id).length : 0,
            offeredWindows: g.windows,
            freeIds: fits ? free(g.id) : [],
          };
        });
      const occupied = mine.filter((sp) => sp.status === 'occupied').length;
      return {
        id: s.id,
        type: 'OffStreetParking' as const,
        name: s.name,
        ownerKind: s.owner_kind as SiteResult['ownerKind'],
        synthetic: s.synthetic,
        location: { type: 'Point' as const, coordinates: [s.lon, s.lat] as [number, number] },
        distanceM: Math.round(d),
        totalSpotNumber: mine.length,
        availableSpotNumber: gs.reduce((n, g) => n + g.availableSpotNumber, 0),
        occupiedSpotNumber: occupied,
        occupancy: mine.length ? round(occupied / mine.length) : 0,
        groups: gs.map(({ freeIds: _, ...g }) => g),
        freeSpots: gs.flatMap((g) => g.freeIds).slice(0, 10),
      };
    });
    return { from: from.toISOString(), to: to.toISOString(), items };
  }

  /**
   * Utilisation of a local day: space-hours used over space-hours of the day — before sharing
   * (the owners' own users in the owners' hours) and after (plus the confirmed bookings).
   */
  async utilisation(q: { day?: string; site?: string }): Promise<UtilisationDto> {
    const offset = this.options.dayOffsetMinutes;
    const dayNo = q.day
      ? localDay(Date.parse(`${q.day}T00:00:00Z`) - offset * MIN, offset)
      : localDay(this.now().getTime(), offset);
    const from = dayStartMs(dayNo, offset);
    const to = from + DAY;
    const sites = q.site ? [q.site] : undefined;
    if (q.site && !(await this.repo.site(this.db, q.site)))
      throw new AppError('not_found', `parking site '${q.site}' not found`, { site: q.site });
    const groups = await this.repo.groups(this.db, sites);
    const counts = new Map((await this.repo.spotsPerGroup(this.db, sites)).map((c) => [c.group_id, c.n]));
    let spaces = 0;
    let offered = 0;
    let owner = 0;
    for (const g of groups) {
      const n = counts.get(g.id) ?? 0;
      const o = offeredMs(g.windows, from, to, offset);
      spaces += n;
      offered += n * o;
      owner += n * (DAY - o) * g.owner_use;
    }
    let shared = 0;
    for (const b of await this.repo.confirmedOverlapping(this.db, new Date(from), new Date(to), sites))
      shared += Math.min(to, b.ends_at.getTime()) - Math.max(from, b.starts_at.getTime());
    const total = spaces * DAY;
    return {
      day: new Date(from + offset * MIN).toISOString().slice(0, 10),
      spaces,
      offeredHours: round(offered / HOUR, 1),
      ownerHours: round(owner / HOUR, 1),
      sharedHours: round(shared / HOUR, 2),
      utilisationBefore: total ? round(owner / total, 5) : 0,
      utilisationAfter: total ? round((owner + shared) / total, 5) : 0,
    };
  }

  /** Matches a day's requests to every shared space (greedy by start, nearest feasible; see README). */
  async match(
    principal: Principal,
    requests: { id: string; lon: number; lat: number; from: string; to: string; maxWalkM: number }[],
  ) {
    requireRole(principal, ...ROLE_GROUPS.operators);
    const reqs = requests.map((r) => {
      const w = this.window(r.from, r.to);
      return {
        id: r.id,
        lon: r.lon,
        lat: r.lat,
        from: w.from.getTime(),
        to: w.to.getTime(),
        maxWalkM: r.maxWalkM,
      };
    });
    const started = performance.now();
    const spaces = await this.spaces();
    const span = {
      from: reqs.reduce((m, r) => Math.min(m, r.from), this.now().getTime()) - DAY,
      to: reqs.reduce((m, r) => Math.max(m, r.to), this.now().getTime()) + DAY,
      offsetMin: this.options.dayOffsetMinutes,
    };
    const result = matchRequests(spaces, reqs, span);
    const walks = [...result.walkM].filter((w) => !Number.isNaN(w));
    return {
      requests: reqs.length,
      matched: result.matched,
      meanWalkM: walks.length ? Math.round(walks.reduce((s, w) => s + w, 0) / walks.length) : null,
      assignments: reqs.map((r, i) => ({
        request: r.id,
        spotId: result.assigned[i]! >= 0 ? spaces[result.assigned[i]!]!.id : null,
      })),
      ms: Math.round(performance.now() - started),
    };
  }

  /** Every shared space with its site's position and its group's windows (the matcher's input). */
  private async spaces() {
    const groups = new Map((await this.repo.groups(this.db)).map((g) => [g.id, g]));
    const all = await this.repo.allSpots(this.db);
    return all
      .filter((s) => s.status !== 'closed')
      .map((s) => ({ id: s.id, lon: s.lon, lat: s.lat, windows: groups.get(s.group_id)?.windows ?? [] }));
  }
}
