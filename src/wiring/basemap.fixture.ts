// The demo city's boundaries and roads in a fresh database, with the base map wired over them as in
// the app: shared by the tiles test (src/wiring/basemap.test.ts) and the bench (bench/basemap-db.ts).
import fs from 'node:fs';
import path from 'node:path';
import { AuditLog, auditMigrations } from '../modules/audit/index.ts';
import { JurisdictionService, jurisdictionMigrations } from '../modules/jurisdictions/index.ts';
import { sensingMigrations } from '../modules/sensing/index.ts';
import { DEMO_ROADS_FILE, TrafficService, trafficMigrations } from '../modules/traffic/index.ts';
import { SYSTEM_PRINCIPAL } from '../platform/access.ts';
import { ManualClock } from '../platform/clock.ts';
import type { Database } from '../platform/db/database.ts';
import { migrateToLatest } from '../platform/db/migrate.ts';
import { createLogger } from '../platform/logger.ts';
import { basemapOf } from './basemap.ts';

const JURISDICTIONS_FILE = path.resolve(import.meta.dirname, '../../data/chongqing/jurisdictions.geojson');

/** Migrates the database, imports the demo city's jurisdictions and road network, and answers the base map over them. */
export async function demoBasemap(database: Database): Promise<ReturnType<typeof basemapOf>> {
  await migrateToLatest(database.db, [
    auditMigrations,
    jurisdictionMigrations,
    sensingMigrations,
    trafficMigrations,
  ]);
  const clock = new ManualClock();
  const audit = new AuditLog(clock);
  const jurisdictions = new JurisdictionService({ db: database.db, audit, clock });
  await jurisdictions.importFile(SYSTEM_PRINCIPAL, JURISDICTIONS_FILE, {
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
  return basemapOf({ clock, jurisdictions, traffic });
}
