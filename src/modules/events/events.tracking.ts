import { sql } from 'kysely';
import { localDate } from '../../platform/calendar/calendar.ts';
import type { Db } from '../../platform/db/database.ts';

/**
 * Tracking numbers: the short, human number a citizen reads out on the phone or types into the
 * portal, `CQ-20261207-000123` — the city's prefix, the day the request was made (Asia/Shanghai)
 * and its place in that day's sequence. Every event gets one when it is written; the event's id
 * (a UUID) stays the stable key of every API and message, and wherever a person reads or types an
 * event's number, this one is shown and accepted.
 *
 * The day's counter is a row of `ev_tracking_day` incremented in the intake's transaction, so the
 * numbers of one day are dense and unique (a rolled-back intake gives its number back).
 */

/** A tracking number: two to six capital letters, the local date, six digits (more past 999,999 a day). */
export const TRACKING_NUMBER = /^[A-Z]{2,6}-\d{8}-\d{6,}$/;

/** Whether a string is shaped like a tracking number (rather than an event id). */
export const isTrackingNumber = (s: string): boolean => TRACKING_NUMBER.test(s);

/** The tracking number of the `seq`-th request of the local `day` (`YYYYMMDD`). */
export function formatTrackingNumber(prefix: string, day: string, seq: number): string {
  return `${prefix}-${day}-${String(seq).padStart(6, '0')}`;
}

/** The local calendar day of an instant as `YYYYMMDD`. */
export const trackingDay = (instant: Date): string => localDate(instant).replaceAll('-', '');

/** Takes the next number of the instant's day inside the caller's transaction. */
export async function nextTrackingNumber(trx: Db, prefix: string, instant: Date): Promise<string> {
  const day = trackingDay(instant);
  const { rows } = await sql<{ last: number }>`
    insert into ev_tracking_day (day, last) values (${day}, 1)
    on conflict (day) do update set last = ev_tracking_day.last + 1
    returning last`.execute(trx);
  return formatTrackingNumber(prefix, day, Number(rows[0]!.last));
}
