import { type Migration, type MigrationResultSet, Migrator } from 'kysely';
import type { Db } from './database.ts';

/**
 * Migrations by globally sortable name: `YYYYMMDDHHmm_<module>_<what>`.
 * Each module owns its tables and brings its own migrations; names sort in the order they must run.
 */
export type Migrations = Record<string, Migration>;

/** Runs every pending migration of every module, in name order, in one transaction; throws on failure. */
export async function migrateToLatest(db: Db, all: Migrations[]): Promise<string[]> {
  const merged: Migrations = {};
  for (const set of all) {
    for (const [name, migration] of Object.entries(set)) {
      if (merged[name]) throw new Error(`duplicate migration name ${name}`);
      merged[name] = migration;
    }
  }
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => merged },
    allowUnorderedMigrations: true,
  });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${String(result.error)}`, {
      cause: result.error,
    });
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
