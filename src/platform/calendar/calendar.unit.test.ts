import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  addWorkingDays,
  chinaCalendar,
  isWorkingDay,
  WorkingDayCalendar,
  workingDaysBetween,
} from './calendar.ts';

const at = (s: string) => new Date(s);

describe('China working-day calendar', () => {
  it.each([
    ['2025-01-01', false, 'New Year (Wednesday)'],
    ['2025-01-26', true, 'Sunday made a working day for Spring Festival'],
    ['2025-01-27', true, 'Monday before the festival'],
    ['2025-01-28', false, 'New Year’s Eve, now a statutory holiday'],
    ['2025-02-04', false, 'last day of Spring Festival'],
    ['2025-02-08', true, 'Saturday made a working day'],
    ['2025-02-09', false, 'ordinary Sunday'],
    ['2025-04-27', true, 'Sunday before Labour Day'],
    ['2025-05-05', false, 'Labour Day bridge (Monday)'],
    ['2025-06-02', false, 'Dragon Boat (Monday)'],
    ['2025-09-28', true, 'Sunday before National Day'],
    ['2025-10-08', false, 'National Day and Mid-Autumn (Wednesday)'],
    ['2025-10-11', true, 'Saturday made a working day'],
    ['2026-01-02', false, 'New Year bridge (Friday)'],
    ['2026-01-04', true, 'Sunday made a working day'],
    ['2026-02-14', true, 'Saturday before Spring Festival'],
    ['2026-02-23', false, 'last day of Spring Festival (Monday)'],
    ['2026-02-28', true, 'Saturday after Spring Festival'],
    ['2026-05-09', true, 'Saturday after Labour Day'],
    ['2026-09-20', true, 'Sunday before National Day'],
    ['2026-09-25', false, 'Mid-Autumn (Friday)'],
    ['2026-10-07', false, 'National Day (Wednesday)'],
    ['2026-10-10', true, 'Saturday after National Day'],
    ['2026-12-07', true, 'ordinary Monday'],
    ['2027-02-08', false, 'provisional: third day of Spring Festival (Monday)'],
    ['2028-03-04', false, 'not covered: Saturday by the weekday rule'],
  ])('%s is a working day: %s (%s)', (day, working) => {
    expect(isWorkingDay(day)).toBe(working);
  });

  it('takes the local date of an instant in Asia/Shanghai', () => {
    // 2025-01-25T16:30Z is 2025-01-26 00:30 in Chongqing: the make-up Sunday.
    expect(isWorkingDay(at('2025-01-25T16:30:00Z'))).toBe(true);
    expect(isWorkingDay(at('2025-01-25T15:30:00Z'))).toBe(false);
  });

  it('adds working days over Spring Festival 2025, the make-up days counting', () => {
    // Friday 24 Jan 10:00 + 1 → Sunday 26 Jan (make-up day) 10:00; + 2 → Mon 27; + 3 → Wed 5 Feb.
    const friday = at('2025-01-24T10:00:00+08:00');
    expect(addWorkingDays(friday, 1).toISOString()).toBe(at('2025-01-26T10:00:00+08:00').toISOString());
    expect(addWorkingDays(friday, 2).toISOString()).toBe(at('2025-01-27T10:00:00+08:00').toISOString());
    expect(addWorkingDays(friday, 3).toISOString()).toBe(at('2025-02-05T10:00:00+08:00').toISOString());
    expect(addWorkingDays(friday, 0).toISOString()).toBe(friday.toISOString());
  });

  it('adds working days over National Day 2026', () => {
    // Tue 29 Sep + 3 → Wed 30 Sep, Thu 8 Oct, Fri 9 Oct.
    expect(addWorkingDays(at('2026-09-29T09:00:00+08:00'), 3).toISOString()).toBe(
      at('2026-10-09T09:00:00+08:00').toISOString(),
    );
  });

  it('counts working days between two instants, inverse of addWorkingDays', () => {
    const from = at('2025-01-24T10:00:00+08:00');
    for (const n of [0, 1, 2, 3, 7, 20]) expect(workingDaysBetween(from, addWorkingDays(from, n))).toBe(n);
    expect(workingDaysBetween(at('2026-10-09T00:00:00+08:00'), at('2026-09-29T00:00:00+08:00'))).toBe(0);
    expect(workingDaysBetween(at('2026-09-30T12:00:00+08:00'), at('2026-10-08T08:00:00+08:00'))).toBe(1);
  });

  it('rejects fractional or negative days', () => {
    expect(() => addWorkingDays(at('2025-01-24T10:00:00+08:00'), 1.5)).toThrow(/whole number/);
    expect(() => addWorkingDays(at('2025-01-24T10:00:00+08:00'), -1)).toThrow(/whole number/);
  });

  it('says which years are official, provisional or not covered', () => {
    const c = chinaCalendar();
    expect([c.coverage(2025), c.coverage(2026), c.coverage(2027), c.coverage(2028)]).toEqual([
      'official',
      'official',
      'provisional',
      'none',
    ]);
    expect(c.describe('2025-01-26')).toEqual({ kind: 'workday', name: '春节调休' });
  });

  it('refuses a bad file naming the file and field', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-cal-'));
    fs.writeFileSync(
      path.join(dir, 'cn-2030.v1.json'),
      JSON.stringify({
        year: 2030,
        status: 'guess',
        source: 'x'.repeat(12),
        url: null,
        holidays: [],
        workdays: [],
      }),
    );
    expect(() => WorkingDayCalendar.load(dir)).toThrow(/cn-2030\.v1\.json: status/);
    fs.rmSync(dir, { recursive: true });
  });
});
