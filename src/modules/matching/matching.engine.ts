import { WALK_BUDGET_M } from '../lifecircle/index.ts';
import {
  NEED_CATEGORIES,
  type NeedCategory,
  type NeedSource,
  type ResourceKind,
} from './matching.categories.ts';
import { type CompiledHours, compileHours, earliestSlot, type OpeningInterval } from './matching.hours.ts';

/** A need to be met: where, what, when (a window), how much, how urgent. */
export interface Need {
  id: string;
  source: NeedSource;
  category: NeedCategory;
  lon: number;
  lat: number;
  /** The window the service must fall in, ms since the epoch. */
  windowStart: number;
  windowEnd: number;
  /** Units asked for (meals, visits, places); one resource serves all of them. */
  quantity: number;
  /** How long the service takes, minutes. */
  durationMinutes: number;
  /** 1 (can wait) … 5 (urgent). */
  urgency: number;
  createdAt: number;
  synthetic: boolean;
}

/** A resource: what it serves, how much per day, when, where and how far. */
export interface Resource {
  id: string;
  kind: ResourceKind;
  name: string;
  categories: NeedCategory[];
  /** Units per local day. */
  capacity: number;
  hours: OpeningInterval[];
  lon: number;
  lat: number;
  /** How far it goes to people (visit needs), m; onsite needs are bounded by the 15-minute walk. */
  radiusM: number;
  synthetic: boolean;
}

/** A resource within reach of a need, by the distance measured. */
export interface Candidate {
  r: number;
  m: number;
  method: 'walk' | 'straight_line';
}

/** Why a match was made. */
export interface MatchExplanation {
  rule: 'urgency_then_distance';
  /** Position of the need in the priority order of its run (0 first). */
  order: number;
  distance: { m: number; limitM: number; method: 'walk' | 'straight_line'; mode: 'onsite' | 'visit' };
  slot: { start: string; end: string; day: string };
  capacity: { day: string; capacity: number; usedBefore: number; usedAfter: number };
  hours: OpeningInterval[];
  candidates: number;
  /** Nearer candidates passed over, and why. */
  nearerRejected: { closed: number; full: number };
  /** The next feasible resource, had this one not been there. */
  alternative: { resourceId: string; distanceM: number; slotStart: string } | null;
}

/** Why a need was not met. */
export interface UnmetExplanation {
  rule: 'urgency_then_distance';
  order: number;
  reason: 'no_resource_in_reach' | 'closed_in_window' | 'capacity_exhausted';
  candidates: number;
  rejected: { closed: number; full: number };
}

/** The outcome for one need. */
export type Outcome =
  | { need: number; resource: number; distanceM: number; slotStart: number; explanation: MatchExplanation }
  | { need: number; resource: -1; explanation: UnmetExplanation };

/** Priority: more urgent first, then first come first served, then id. */
export function priorityOrder(needs: Need[]): number[] {
  return needs
    .map((_, k) => k)
    .sort(
      (a, b) =>
        needs[b]!.urgency - needs[a]!.urgency ||
        needs[a]!.createdAt - needs[b]!.createdAt ||
        (needs[a]!.id < needs[b]!.id ? -1 : 1),
    );
}

/**
 * Greedy matching by urgency, then distance: needs in priority order, each to the nearest resource
 * within reach that serves its category, is open for the service's duration inside the need's
 * window, and has capacity left on that day. `used` holds units already taken per resource and
 * local day (earlier runs) and is updated.
 */
export function matchNeeds(
  needs: Need[],
  resources: Resource[],
  candidates: Candidate[][],
  used: Map<string, number> = new Map(),
): Outcome[] {
  const hours: CompiledHours[] = resources.map((r) => compileHours(r.hours));
  const left = (r: number, day: string) => resources[r]!.capacity - (used.get(`${r}|${day}`) ?? 0);
  const out: Outcome[] = [];
  priorityOrder(needs).forEach((n, order) => {
    const need = needs[n]!;
    const dur = need.durationMinutes * 60_000;
    const fits = (r: number) => (day: string) => left(r, day) >= need.quantity;
    const list = candidates[n] ?? [];
    let closed = 0;
    let full = 0;
    let chosen: { c: Candidate; slot: NonNullable<ReturnType<typeof earliestSlot>> } | undefined;
    let alternative: MatchExplanation['alternative'] = null;
    for (const c of list) {
      const seen = { open: false };
      const slot = earliestSlot(hours[c.r]!, need.windowStart, need.windowEnd, dur, fits(c.r), seen);
      if (!slot) {
        if (chosen) continue;
        if (seen.open) full++;
        else closed++;
        continue;
      }
      if (!chosen) {
        chosen = { c, slot };
        continue;
      }
      alternative = {
        resourceId: resources[c.r]!.id,
        distanceM: Math.round(c.m),
        slotStart: new Date(slot.start).toISOString(),
      };
      break;
    }
    if (!chosen) {
      out.push({
        need: n,
        resource: -1,
        explanation: {
          rule: 'urgency_then_distance',
          order,
          reason: !list.length ? 'no_resource_in_reach' : full ? 'capacity_exhausted' : 'closed_in_window',
          candidates: list.length,
          rejected: { closed, full },
        },
      });
      return;
    }
    const { c, slot } = chosen;
    const key = `${c.r}|${slot.day}`;
    const before = used.get(key) ?? 0;
    used.set(key, before + need.quantity);
    const res = resources[c.r]!;
    const mode = NEED_CATEGORIES[need.category].mode;
    out.push({
      need: n,
      resource: c.r,
      distanceM: Math.round(c.m),
      slotStart: slot.start,
      explanation: {
        rule: 'urgency_then_distance',
        order,
        distance: { m: Math.round(c.m), limitM: reachOf(res, mode), method: c.method, mode },
        slot: {
          start: new Date(slot.start).toISOString(),
          end: new Date(slot.end).toISOString(),
          day: slot.day,
        },
        capacity: {
          day: slot.day,
          capacity: res.capacity,
          usedBefore: before,
          usedAfter: before + need.quantity,
        },
        hours: res.hours,
        candidates: list.length,
        nearerRejected: { closed, full },
        alternative,
      },
    });
  });
  return out;
}

/** The walk (onsite: the 15-minute life circle) or service radius (visit) a pair must stay within, m. */
export function reachOf(resource: Resource, mode: 'onsite' | 'visit'): number {
  return mode === 'onsite' ? WALK_BUDGET_M : resource.radiusM;
}

/** Baseline: every need to its nearest resource serving its category, capacity and hours ignored. */
export function nearestOnly(needs: Need[], candidates: Candidate[][]): Int32Array {
  const out = new Int32Array(needs.length).fill(-1);
  for (let n = 0; n < needs.length; n++) out[n] = candidates[n]?.[0]?.r ?? -1;
  return out;
}
