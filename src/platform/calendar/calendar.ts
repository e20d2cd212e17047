import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * China's working-day calendar (Asia/Shanghai, UTC+8 all year, no daylight saving): official
 * holidays and make-up working days (调休) from the State Council's yearly notices, one data file
 * per year in data/calendar/ (see its README). A weekday is a working day unless it is a holiday;
 * a weekend day is one only when the notice makes it a make-up working day. Years without a file
 * fall back to Monday–Friday; `coverage(year)` tells which years are official, provisional or
 * not covered.
 */

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DayList = z.array(z.object({ name: z.string().min(1), dates: z.array(z.string().regex(DATE)) }));
const YearFileSchema = z.object({
  year: z.number().int().min(2000).max(2100),
  status: z.enum(['official', 'provisional']),
  source: z.string().min(10),
  url: z.string().nullable(),
  holidays: DayList,
  workdays: DayList,
});
/** One year's file as it is read. */
export type CalendarYear = z.infer<typeof YearFileSchema>;

/** Whether a year's schedule comes from the published notice, from the statutory rule only, or is missing. */
export type Coverage = 'official' | 'provisional' | 'none';

/** The city's offset from UTC: Asia/Shanghai has kept UTC+8 all year since 1991. */
const OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

/** The default data directory (data/calendar at the repository root). */
export const DEFAULT_CALENDAR_DIR = path.resolve(import.meta.dirname, '../../../data/calendar');

/** A working-day calendar over a set of yearly files. */
export class WorkingDayCalendar {
  private readonly holidays = new Map<string, string>();
  private readonly workdays = new Map<string, string>();
  private readonly years = new Map<number, CalendarYear['status']>();

  constructor(files: CalendarYear[]) {
    for (const file of files) {
      if (this.years.has(file.year)) throw new Error(`calendar year ${file.year} given twice`);
      this.years.set(file.year, file.status);
      for (const [list, into] of [
        [file.holidays, this.holidays],
        [file.workdays, this.workdays],
      ] as const)
        for (const group of list)
          for (const d of group.dates) {
            if (!d.startsWith(`${file.year}-`))
              throw new Error(`calendar ${file.year}: ${d} (${group.name}) is not in ${file.year}`);
            into.set(d, group.name);
          }
      for (const d of this.workdays.keys())
        if (this.holidays.has(d))
          throw new Error(`calendar: ${d} is both a holiday and a make-up working day`);
    }
  }

  /** Reads and validates every `cn-YYYY.v*.json` in the directory; a bad file throws naming the file and field. */
  static load(dir = DEFAULT_CALENDAR_DIR): WorkingDayCalendar {
    const files = fs
      .readdirSync(dir)
      .filter((f) => /^cn-\d{4}\.v\d+\.json$/.test(f))
      .sort();
    return new WorkingDayCalendar(
      files.map((f) => {
        const parsed = YearFileSchema.safeParse(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new Error(`calendar file ${f}: ${issue?.path.join('.')}: ${issue?.message}`);
        }
        return parsed.data;
      }),
    );
  }

  /** Official (from the notice), provisional (statutory days only) or none (weekends only). */
  coverage(year: number): Coverage {
    return this.years.get(year) ?? 'none';
  }

  /** Whether the city's calendar day of `date` (an instant, or a `YYYY-MM-DD` local date) is a working day. */
  isWorkingDay(date: Date | string): boolean {
    const day = typeof date === 'string' ? date : localDate(date);
    if (!DATE.test(day)) throw new Error(`not a date: ${day}`);
    if (this.workdays.has(day)) return true;
    if (this.holidays.has(day)) return false;
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    return weekday !== 0 && weekday !== 6;
  }

  /** The holiday or make-up day's name of a local date, if any. */
  describe(day: string): { kind: 'holiday' | 'workday'; name: string } | undefined {
    const h = this.holidays.get(day);
    if (h) return { kind: 'holiday', name: h };
    const w = this.workdays.get(day);
    return w ? { kind: 'workday', name: w } : undefined;
  }

  /**
   * The instant `n` working days after `instant`: the same local time of day on the n-th working
   * day after the instant's local date (受理之日起 n 个工作日 — the day of receipt does not count).
   * `n = 0` is the instant itself; fractions are not allowed.
   */
  addWorkingDays(instant: Date, n: number): Date {
    if (!Number.isInteger(n) || n < 0) throw new Error(`working days must be a whole number ≥ 0, not ${n}`);
    let t = instant.getTime();
    let left = n;
    while (left > 0) {
      t += DAY_MS;
      if (this.isWorkingDay(new Date(t))) left--;
    }
    return new Date(t);
  }

  /** Working days d with from's local date < d ≤ to's local date (0 when to is not after from). */
  workingDaysBetween(from: Date, to: Date): number {
    let count = 0;
    const end = localDate(to);
    let t = from.getTime();
    for (let day = localDate(new Date(t)); day < end; ) {
      t += DAY_MS;
      day = localDate(new Date(t));
      if (this.isWorkingDay(day)) count++;
    }
    return count;
  }
}

/** The Asia/Shanghai calendar date of an instant, `YYYY-MM-DD`. */
export function localDate(instant: Date): string {
  return new Date(instant.getTime() + OFFSET_MS).toISOString().slice(0, 10);
}

let shared: WorkingDayCalendar | undefined;

/** The platform's calendar over data/calendar, read once. */
export function chinaCalendar(): WorkingDayCalendar {
  shared ??= WorkingDayCalendar.load();
  return shared;
}

/** Whether the date is a working day in the city (Asia/Shanghai). */
export const isWorkingDay = (date: Date | string): boolean => chinaCalendar().isWorkingDay(date);
/** `n` working days after the instant (see WorkingDayCalendar.addWorkingDays). */
export const addWorkingDays = (instant: Date, n: number): Date => chinaCalendar().addWorkingDays(instant, n);
/** Working days between two instants (see WorkingDayCalendar.workingDaysBetween). */
export const workingDaysBetween = (from: Date, to: Date): number =>
  chinaCalendar().workingDaysBetween(from, to);
