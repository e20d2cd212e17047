import { around, distance } from 'geokdbush';
import KDBush from 'kdbush';

/** A team as the index sees it: where it is, what it can do, how loaded it is. */
export interface IndexedTeam {
  id: string;
  code: string;
  name: string;
  departmentCode: string;
  departmentType: string;
  path: string;
  lon: number;
  lat: number;
  skills: readonly string[];
  onDuty: boolean;
  capacity: number;
  /** Tasks it holds now. */
  load: number;
}

/** What a nearest query asks for. */
export interface NearestQuery {
  lon: number;
  lat: number;
  departmentType: string;
  skill: string;
  /** Only teams whose jurisdiction path is this or below it ('' = anywhere). */
  withinPath: string;
  exclude?: ReadonlySet<string>;
}

/** A candidate with its great-circle distance in metres. */
export interface Candidate {
  team: IndexedTeam;
  distanceM: number;
}

/** True when the team can take a task of this kind now. */
export function available(team: IndexedTeam, q: NearestQuery): boolean {
  return (
    team.onDuty &&
    team.load < team.capacity &&
    team.skills.includes(q.skill) &&
    (q.withinPath === '' || team.path === q.withinPath || team.path.startsWith(`${q.withinPath}/`)) &&
    !q.exclude?.has(team.id)
  );
}

/**
 * Nearest available teams: one kd-tree (kdbush) per department type, searched in distance
 * order (geokdbush) with availability as the filter, so only the few teams nearer than the
 * answer are looked at. Static trees: `TeamDirectory` rebuilds the index when teams change.
 */
export class TeamIndex {
  private readonly groups = new Map<string, { tree: KDBush; teams: IndexedTeam[] }>();
  readonly size: number;

  constructor(teams: readonly IndexedTeam[]) {
    const byType = new Map<string, IndexedTeam[]>();
    for (const t of teams) {
      const list = byType.get(t.departmentType) ?? [];
      list.push(t);
      byType.set(t.departmentType, list);
    }
    for (const [type, list] of byType) {
      const tree = new KDBush(list.length);
      for (const t of list) tree.add(t.lon, t.lat);
      tree.finish();
      this.groups.set(type, { tree, teams: list });
    }
    this.size = teams.length;
  }

  /** Up to `k` nearest available teams, nearest first. */
  nearest(q: NearestQuery, k = 2): Candidate[] {
    const group = this.groups.get(q.departmentType);
    if (!group) return [];
    const ids = around(group.tree, q.lon, q.lat, k, Infinity, (i) => available(group.teams[i]!, q));
    return ids.map((i) => {
      const team = group.teams[i]!;
      return { team, distanceM: Math.round(distance(q.lon, q.lat, team.lon, team.lat) * 1000) };
    });
  }

  /** Looks a team up by id (linear; for tests and refresh bookkeeping). */
  find(id: string): IndexedTeam | undefined {
    for (const g of this.groups.values()) {
      const t = g.teams.find((x) => x.id === id);
      if (t) return t;
    }
    return undefined;
  }
}

/** The same answer by scanning every team: the baseline the benchmark compares with. */
export function nearestByScan(teams: readonly IndexedTeam[], q: NearestQuery, k = 2): Candidate[] {
  const found: Candidate[] = [];
  for (const team of teams) {
    if (team.departmentType !== q.departmentType || !available(team, q)) continue;
    found.push({ team, distanceM: distance(q.lon, q.lat, team.lon, team.lat) * 1000 });
  }
  found.sort((a, b) => a.distanceM - b.distanceM);
  return found.slice(0, k).map((c) => ({ ...c, distanceM: Math.round(c.distanceM) }));
}
