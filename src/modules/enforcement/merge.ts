// "Inspect once" (进一次门、查多项事): inspections of one enterprise by several departments whose
// windows overlap become one joint visit — one lead department, the checklists combined, the window
// their intersection. A visit that would fall within the quiet period of another visit to the same
// enterprise is refused unless a reason is recorded; with one it is made and flagged.

/** A planned inspection of one department (from a draw or targeted). Dates are YYYY-MM-DD. */
export interface PlannedInspection {
  id: string;
  enterprise: string;
  department: string;
  start: string;
  end: string;
  items: string[];
  inspectors: string[];
}

/** A visit: one or more inspections carried out together. */
export interface Visit {
  id: string;
  enterprise: string;
  departments: string[];
  leadDepartment: string;
  items: string[];
  start: string;
  end: string;
  inspections: string[];
  inspectors: string[];
  /** Done visits take no more inspections. */
  done: boolean;
  /** Within the quiet period of another visit, with the recorded reason. */
  flagged: boolean;
  reason: string | null;
}

/** Where an inspection goes. */
export type Placement =
  | { action: 'join'; visit: Visit }
  | { action: 'new'; flagged: boolean; near: Visit | null }
  | { action: 'refuse'; near: Visit };

const DAY = 86_400_000;
const day = (date: string) => Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY);

/** Days between two windows (0 when they overlap). */
export function gapDays(a: { start: string; end: string }, b: { start: string; end: string }): number {
  if (a.start <= b.end && b.start <= a.end) return 0;
  return a.start > b.end ? day(a.start) - day(b.end) : day(b.start) - day(a.end);
}

/**
 * Decides where an inspection goes among the enterprise's visits: into an open visit whose window
 * overlaps; else a new visit — refused when another visit lies within `quietDays` and no reason is
 * given, flagged when one is.
 */
export function placeInspection(
  visits: Visit[],
  inspection: Pick<PlannedInspection, 'start' | 'end'>,
  quietDays: number,
  reason?: string | null,
): Placement {
  const open = visits.find((v) => !v.done && gapDays(v, inspection) === 0);
  if (open) return { action: 'join', visit: open };
  const near = visits.find((v) => gapDays(v, inspection) < quietDays) ?? null;
  if (near && !reason?.trim()) return { action: 'refuse', near };
  return { action: 'new', flagged: near !== null, near };
}

/** The visit's lead: the department with the most checklist items, ties by code. */
export function leadOf(byDepartment: Map<string, number>): string {
  return [...byDepartment].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? '';
}

/** Adds an inspection to a visit (window → intersection, checklists combined, lead recomputed). */
export function joinVisit(
  visit: Visit,
  inspection: PlannedInspection,
  itemCount: (department: string) => number,
): Visit {
  const departments = [...new Set([...visit.departments, inspection.department])].sort();
  return {
    ...visit,
    departments,
    leadDepartment: leadOf(new Map(departments.map((d) => [d, itemCount(d)]))),
    items: [...new Set([...visit.items, ...inspection.items])],
    // biome-ignore lint/complexity/useMathMinMax: ISO date strings, compared as text
    start: visit.start > inspection.start ? visit.start : inspection.start,
    // biome-ignore lint/complexity/useMathMinMax: ISO date strings, compared as text
    end: visit.end < inspection.end ? visit.end : inspection.end,
    inspections: [...visit.inspections, inspection.id],
    inspectors: [...new Set([...visit.inspectors, ...inspection.inspectors])],
  };
}

/** A new visit holding one inspection. */
export function newVisit(
  id: string,
  inspection: PlannedInspection,
  flagged: boolean,
  reason: string | null,
): Visit {
  return {
    id,
    enterprise: inspection.enterprise,
    departments: [inspection.department],
    leadDepartment: inspection.department,
    items: [...inspection.items],
    start: inspection.start,
    end: inspection.end,
    inspections: [inspection.id],
    inspectors: [...inspection.inspectors],
    done: false,
    flagged,
    reason,
  };
}

/**
 * Merges a whole plan (the benchmark and the KPI's "unmerged plan" comparison): inspections in
 * (enterprise, start, department) order; a refused one is counted, not visited.
 */
export function mergePlan(
  inspections: PlannedInspection[],
  quietDays: number,
): { visits: Visit[]; refused: PlannedInspection[] } {
  const sorted = [...inspections].sort(
    (a, b) =>
      (a.enterprise < b.enterprise ? -1 : a.enterprise > b.enterprise ? 1 : 0) ||
      (a.start < b.start ? -1 : a.start > b.start ? 1 : 0) ||
      (a.department < b.department ? -1 : a.department > b.department ? 1 : 0),
  );
  const visits: Visit[] = [];
  const refused: PlannedInspection[] = [];
  let current: Visit[] = [];
  let enterprise = '';
  const counts = new Map<string, number>();
  for (const i of sorted) {
    if (i.enterprise !== enterprise) {
      visits.push(...current);
      current = [];
      counts.clear();
      enterprise = i.enterprise;
    }
    counts.set(i.department, Math.max(counts.get(i.department) ?? 0, i.items.length));
    const placed = placeInspection(current, i, quietDays);
    if (placed.action === 'join') {
      const index = current.indexOf(placed.visit);
      current[index] = joinVisit(placed.visit, i, (d) => counts.get(d) ?? 0);
    } else if (placed.action === 'new') current.push(newVisit(`v-${i.id}`, i, placed.flagged, null));
    else refused.push(i);
  }
  visits.push(...current);
  return { visits, refused };
}
