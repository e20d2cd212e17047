import { sql } from 'kysely';
import type { Db } from './database.ts';

const DAY_MS = 86_400_000;

/**
 * Daily range partitions of a table partitioned by a timestamp (`<table>_pYYYYMMDD`, UTC days),
 * created on demand and remembered per process. Two processes creating the same day race safely:
 * the loser's "already exists" is taken as success. Used by sensing's observations and the data
 * platform's exchange log.
 */
export class DailyPartitions {
  private readonly known = new Set<number>();
  private readonly table: string;

  constructor(table: string) {
    this.table = table;
  }

  /** Name of the partition holding the UTC day that starts at `dayStart` (ms). */
  name(dayStart: number): string {
    return `${this.table}_p${new Date(dayStart).toISOString().slice(0, 10).replaceAll('-', '')}`;
  }

  /** Creates the partitions for these UTC days (ms at 00:00Z) that do not exist yet. */
  async ensure(db: Db, dayStarts: Iterable<number>): Promise<void> {
    for (const day of dayStarts) {
      if (this.known.has(day)) continue;
      const from = new Date(day).toISOString();
      const to = new Date(day + DAY_MS).toISOString();
      try {
        await sql`create table if not exists ${sql.raw(this.name(day))} partition of ${sql.raw(this.table)}
          for values from (${sql.lit(from)}) to (${sql.lit(to)})`.execute(db);
      } catch (error) {
        // Another process created it between our check and our create.
        if (!/already exists/.test(String((error as Error).message))) throw error;
      }
      this.known.add(day);
    }
  }

  /** Forgets a day whose partition was dropped, so a later write creates it again. */
  forget(dayStart: number): void {
    this.known.delete(dayStart);
  }
}
