// Helper of basemap-tiles.ts (`--db`): the demo city in a fresh database, the base map wired as in the app.
import fs from 'node:fs';
import { AuditLog, auditMigrations } from '../src/modules/audit/index.ts';
import { JurisdictionService, jurisdictionMigrations } from '../src/modules/jurisdictions/index.ts';
import { sensingMigrations } from '../src/modules/sensing/index.ts';
import { DEMO_ROADS_FILE, TrafficService, trafficMigrations } from '../src/modules/traffic/index.ts';
import { SYSTEM_PRINCIPAL } from '../src/platform/access.ts';
import { ManualClock } from '../src/platform/clock.ts';
import type { DatabaseKind } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { openTestDatabase } from '../src/platform/db/testing.ts';
import { createLogger } from '../src/platform/logger.ts';
import { basemapOf } from '../src/wiring/basemap.ts';

/** Times of three index builds from the database (reads included) and of one tile after the last. */
export async function measureFromDatabase(
  kind: DatabaseKind,
): Promise<{ readMs: number[]; firstTileMs: number }> {
  const database = await openTestDatabase(kind);
  try {
    await migrateToLatest(database.db, [
      auditMigrations,
      jurisdictionMigrations,
      sensingMigrations,
      trafficMigrations,
    ]);
    const clock = new ManualClock();
    const audit = new AuditLog(clock);
    const jurisdictions = new JurisdictionService({ db: database.db, audit, clock });
    await jurisdictions.importFile(SYSTEM_PRINCIPAL, 'data/chongqing/jurisdictions.geojson', {
      level: 'auto',
      parentProperty: 'parent',
      nameEnProperty: 'name_en',
    });
    const traffic = new TrafficService({
      db: database.db,
      audit,
      clock,
      logger: createLogger('silent'),
      locate: async (lon, lat) => {
        const found = await jurisdictions.locate(lon, lat);
        return found && { path: found.chain.map((c) => c.code).join('/'), chain: found.chain };
      },
      detectors: async () => [],
      publish: async () => {},
    });
    await traffic.importNetwork(SYSTEM_PRINCIPAL, JSON.parse(fs.readFileSync(DEMO_ROADS_FILE, 'utf8')));
    const basemap = basemapOf({ clock, jurisdictions, traffic });
    const readMs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await basemap.warm();
      readMs.push(performance.now() - t0);
    }
    const t0 = performance.now();
    await basemap.tile('13', '6521', '3390');
    return { readMs, firstTileMs: performance.now() - t0 };
  } finally {
    await database.close();
  }
}
