/**
 * Weekly opening hours and time slots, in China Standard Time (UTC+8 all year, no daylight saving).
 */

/** Opening hours: ISO weekdays (1 = Monday … 7 = Sunday) and a daily interval `HH:MM`–`HH:MM`. */
export interface OpeningInterval {
  days: number[];
  open: string;
  close: string;
}

const OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;

/** Minutes after midnight of `HH:MM`, or undefined when malformed. */
export function minutesOf(hhmm: unknown): number | undefined {
  if (typeof hhmm !== 'string' || !HHMM.test(hhmm)) return undefined;
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

/** The local (UTC+8) date `YYYY-MM-DD` of an instant. */
export function localDay(ms: number): string {
  return new Date(ms + OFFSET_MS).toISOString().slice(0, 10);
}

/** A resource's compiled hours: per ISO weekday 1..7 (index 0 unused), intervals in minutes. */
export type CompiledHours = [number, number][][];

/** Compiles opening intervals (assumed valid) into per-weekday minute intervals. */
export function compileHours(hours: OpeningInterval[]): CompiledHours {
  const out: CompiledHours = Array.from({ length: 8 }, () => []);
  for (const h of hours) for (const d of h.days) out[d]!.push([minutesOf(h.open)!, minutesOf(h.close)!]);
  for (const day of out) day.sort((a, b) => a[0] - b[0]);
  return out;
}

/** A slot found for a need at a resource: its start and end (ms) and the local day whose capacity it uses. */
export interface Slot {
  start: number;
  end: number;
  day: string;
}

/**
 * The earliest slot of `durationMs` inside the window [from, to] and the resource's opening hours
 * on a day where `fits(day)` holds (capacity left); undefined when none. Looks at most 31 days ahead.
 * `sawOpen` is set when some opening overlapped the window long enough (so a miss was capacity).
 */
export function earliestSlot(
  hours: CompiledHours,
  from: number,
  to: number,
  durationMs: number,
  fits: (day: string) => boolean,
  seen: { open: boolean },
): Slot | undefined {
  const firstDay = Math.floor((from + OFFSET_MS) / DAY_MS);
  const lastDay = Math.min(Math.floor((to + OFFSET_MS) / DAY_MS), firstDay + 31);
  for (let d = firstDay; d <= lastDay; d++) {
    const midnight = d * DAY_MS - OFFSET_MS;
    const weekday = ((d + 3) % 7) + 1; // 1970-01-01 was a Thursday (ISO 4)
    for (const [open, close] of hours[weekday]!) {
      const start = Math.max(from, midnight + open * 60_000);
      const end = Math.min(to, midnight + close * 60_000);
      if (end - start < durationMs) continue;
      seen.open = true;
      const day = localDay(start);
      if (fits(day)) return { start, end: start + durationMs, day };
    }
  }
  return undefined;
}
