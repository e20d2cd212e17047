/**
 * Offered windows of shared spaces (staggered sharing): weekly recurring local-time windows,
 * e.g. an office's spaces on weekday nights (19:00–08:00, wrapping past midnight) and whole
 * weekends, a residential compound's by day. Pure functions on epoch milliseconds.
 */
import { z } from 'zod';

const MIN = 60_000;
const DAY = 1440 * MIN;
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

/** One weekly window: ISO weekdays it starts on (1 = Monday … 7 = Sunday), local from–to; `to` ≤ `from` ends next day. */
export const OfferWindowSchema = z.object({
  days: z.array(z.int().min(1).max(7)).min(1).max(7),
  from: z.string().regex(HHMM).describe('local start, HH:MM'),
  to: z.string().regex(HHMM).describe('local end, HH:MM (24:00 = midnight; ≤ from = the next day)'),
});
/** One weekly window. */
export type OfferWindow = z.infer<typeof OfferWindowSchema>;

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** ISO weekday (1 = Monday) of a local day number (days since 1970-01-01, a Thursday). */
const weekday = (day: number) => ((((day + 3) % 7) + 7) % 7) + 1;

/** The local day number of an instant. */
export const localDay = (t: number, offsetMin: number) => Math.floor((t + offsetMin * MIN) / DAY);

/** Start (epoch ms) of a local day. */
export const dayStartMs = (day: number, offsetMin: number) => day * DAY - offsetMin * MIN;

/**
 * The occurrences of the windows that touch [from, to), merged where they overlap or meet
 * (a Friday night window running into a whole Saturday is one stretch), sorted.
 */
export function occurrences(
  windows: OfferWindow[],
  from: number,
  to: number,
  offsetMin: number,
): [number, number][] {
  const out: [number, number][] = [];
  for (let d = localDay(from, offsetMin) - 1; d <= localDay(to, offsetMin); d++) {
    const wd = weekday(d);
    const base = dayStartMs(d, offsetMin);
    for (const w of windows) {
      if (!w.days.includes(wd)) continue;
      const a = minutesOf(w.from);
      let b = minutesOf(w.to);
      if (b <= a) b += 1440;
      const s = base + a * MIN;
      const e = base + b * MIN;
      if (e > from && s < to) out.push([s, e]);
    }
  }
  out.sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const o of out) {
    const last = merged.at(-1);
    if (last && o[0] <= last[1]) last[1] = Math.max(last[1], o[1]);
    else merged.push([o[0], o[1]]);
  }
  return merged;
}

/** True when [from, to) lies inside one (merged) occurrence of the windows. */
export function covers(windows: OfferWindow[], from: number, to: number, offsetMin: number): boolean {
  return occurrences(windows, from, to, offsetMin).some(([s, e]) => s <= from && to <= e);
}

/** Milliseconds of [from, to) the windows offer. */
export function offeredMs(windows: OfferWindow[], from: number, to: number, offsetMin: number): number {
  let ms = 0;
  for (const [s, e] of occurrences(windows, from, to, offsetMin)) ms += Math.min(e, to) - Math.max(s, from);
  return ms;
}
