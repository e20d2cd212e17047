import { sql } from 'kysely';
import type { Db } from './database.ts';

/**
 * A module's settings: a table `(key text primary key, value jsonb not null)` that the module's
 * migration creates (e.g. `lc_setting`, `mt_setting`), read and written by key.
 */
export class SettingsTable {
  private readonly table: string;

  constructor(table: string) {
    this.table = table;
  }

  /** A setting's value, or undefined. */
  async get(db: Db, key: string): Promise<unknown> {
    const { rows } = await sql<{
      value: unknown;
    }>`select value from ${sql.table(this.table)} where key = ${key}`.execute(db);
    return rows[0]?.value;
  }

  /** Sets a setting (insert or replace). */
  async set(db: Db, key: string, value: unknown): Promise<void> {
    await sql`insert into ${sql.table(this.table)} (key, value) values (${key}, ${JSON.stringify(value)}::jsonb)
      on conflict (key) do update set value = excluded.value`.execute(db);
  }
}
