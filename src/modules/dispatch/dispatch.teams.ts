import type { Principal } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/logger.ts';
import type { TeamDto } from '../organisation/index.ts';
import { type Candidate, type IndexedTeam, type NearestQuery, TeamIndex } from './dispatch.nearest.ts';

/** What dispatch needs from the organisation module's TeamService (adapted in the wiring). */
export interface TeamSource {
  /** Every team (the platform's view). */
  all(): Promise<TeamDto[]>;
  /** One team, fresh from its owner. */
  get(id: string): Promise<TeamDto>;
  /** Records a team's position as the acting principal (field app). */
  setPosition(principal: Principal, id: string, at: { lon: number; lat: number }): Promise<unknown>;
}

/** Positions older than this are ignored: the base counts instead (the filing's risk mitigation). */
export const POSITION_FRESH_MS = 5 * 60_000;

/**
 * The dispatcher's in-memory view of every team: a `TeamIndex` rebuilt from the organisation
 * module at start, every `refreshMs`, and lazily after a change this module knows of (a position
 * report, an assignment changing a team's load).
 */
export class TeamDirectory {
  private index = new TeamIndex([]);
  private teams: IndexedTeam[] = [];
  private readonly load = new Map<string, number>();
  private dirty = true;
  private loading: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly source: TeamSource;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly activeCounts: () => Promise<Map<string, number>>;

  constructor(
    source: TeamSource,
    clock: Clock,
    logger: Logger,
    activeCounts: () => Promise<Map<string, number>>,
  ) {
    this.source = source;
    this.clock = clock;
    this.logger = logger;
    this.activeCounts = activeCounts;
  }

  /** Reloads every team and the load counts, and rebuilds the index. */
  async reload(): Promise<void> {
    this.loading ??= (async () => {
      try {
        const [teams, counts] = await Promise.all([this.source.all(), this.activeCounts()]);
        this.load.clear();
        for (const [id, n] of counts) this.load.set(id, n);
        this.teams = teams.map((t) => this.toIndexed(t));
        this.rebuild();
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }

  /** Nearest available teams for a query; rebuilds first if something changed. */
  async nearest(q: NearestQuery, k = 2): Promise<Candidate[]> {
    // An empty index (started before the city's teams were loaded) is reloaded rather than trusted.
    if (this.teams.length === 0) await this.reload();
    if (this.dirty) this.rebuild();
    return this.index.nearest(q, k);
  }

  /** A fresh copy of one team from its owner, merged with this module's load count. */
  async fresh(id: string): Promise<IndexedTeam> {
    const team = this.toIndexed(await this.source.get(id));
    this.replace(team);
    return team;
  }

  /** Adjusts a team's load after an assignment or release (the index is rebuilt lazily). */
  adjustLoad(teamId: string, delta: number): void {
    this.load.set(teamId, Math.max(0, (this.load.get(teamId) ?? 0) + delta));
    const t = this.teams.find((x) => x.id === teamId);
    if (t) t.load = this.load.get(teamId) ?? 0;
  }

  /** Reports a team's position to its owner (audited there) and moves it on the map. */
  async report(principal: Principal, teamId: string, at: { lon: number; lat: number }): Promise<void> {
    await this.source.setPosition(principal, teamId, at);
    this.moved(teamId, at);
  }

  /** Moves a team on the map. */
  moved(teamId: string, at: { lon: number; lat: number }): void {
    const t = this.teams.find((x) => x.id === teamId);
    if (!t) return;
    t.lon = at.lon;
    t.lat = at.lat;
    this.dirty = true;
  }

  /** Reloads every `refreshMs` (teams edited through the organisation API: duty, skills, new units). */
  start(refreshMs = 30_000): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.reload().catch((err) => this.logger.warn({ err }, 'team index refresh failed'));
    }, refreshMs);
    this.timer.unref();
  }

  /** Stops the refresh timer. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private replace(team: IndexedTeam): void {
    const i = this.teams.findIndex((x) => x.id === team.id);
    if (i >= 0) this.teams[i] = team;
    else this.teams.push(team);
    this.dirty = true;
  }

  private rebuild(): void {
    this.index = new TeamIndex(this.teams);
    this.dirty = false;
  }

  private toIndexed(t: TeamDto): IndexedTeam {
    const fresh = t.position && this.clock.now().getTime() - Date.parse(t.position.at) <= POSITION_FRESH_MS;
    const at = fresh && t.position ? t.position : t.base;
    return {
      id: t.id,
      code: t.code,
      name: t.name,
      departmentCode: t.departmentCode,
      departmentType: t.departmentCode.split(':').at(-1) ?? '',
      path: t.jurisdictionPath,
      lon: at.lon,
      lat: at.lat,
      skills: t.skills,
      onDuty: t.onDuty,
      capacity: t.capacity,
      load: Math.max(t.activeTasks, this.load.get(t.id) ?? 0),
    };
  }
}
