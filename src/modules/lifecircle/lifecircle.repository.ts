import type { ColumnType } from 'kysely';
import { type Db, forTables } from '../../platform/db/database.ts';
import { SettingsTable } from '../../platform/db/settings.ts';
import type { Category } from './lifecircle.categories.ts';
import type { FacilityRow } from './lifecircle.import.ts';

/** The life circle module's tables. */
export interface LifeCircleTables {
  /** An imported facility. */
  lc_facility: {
    id: string;
    name: string;
    category: string;
    lon: number;
    lat: number;
    imported_at: ColumnType<Date, Date, Date>;
  };
  /** A setting: `demo` (synthetic demo facilities on). */
  lc_setting: { key: string; value: ColumnType<unknown, string, string> };
}

const t = (db: Db) => forTables<LifeCircleTables>(db);
const CHUNK = 500;

/** All of the life circle module's SQL. */
export class LifeCircleRepository {
  /** Inserts or replaces facilities by id. */
  async upsertFacilities(trx: Db, rows: FacilityRow[], at: Date): Promise<void> {
    for (let i = 0; i < rows.length; i += CHUNK) {
      await t(trx)
        .insertInto('lc_facility')
        .values(rows.slice(i, i + CHUNK).map((r) => ({ ...r, imported_at: at })))
        .onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => ({
            name: eb.ref('excluded.name'),
            category: eb.ref('excluded.category'),
            lon: eb.ref('excluded.lon'),
            lat: eb.ref('excluded.lat'),
            imported_at: eb.ref('excluded.imported_at'),
          })),
        )
        .execute();
    }
  }

  /** Every imported facility, by id. */
  async facilities(db: Db): Promise<FacilityRow[]> {
    const rows = await t(db)
      .selectFrom('lc_facility')
      .select(['id', 'name', 'category', 'lon', 'lat'])
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ ...r, category: r.category as Category }));
  }

  /** The module's settings. */
  private readonly settings = new SettingsTable('lc_setting');

  /** A setting's value, or undefined. */
  setting(db: Db, key: string): Promise<unknown> {
    return this.settings.get(db, key);
  }

  /** Sets a setting. */
  setSetting(db: Db, key: string, value: unknown): Promise<void> {
    return this.settings.set(db, key, value);
  }
}
