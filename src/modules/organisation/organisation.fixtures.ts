import { ManualClock } from '../../platform/clock.ts';
import type { Database, DatabaseKind } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { openTestDatabase } from '../../platform/db/testing.ts';
import { AuditLog, auditMigrations } from '../audit/index.ts';
import { organisationMigrations } from './organisation.migrations.ts';
import { createOrganisation, type Organisation } from './organisation.module.ts';
import type { OrgNode } from './organisation.schema.ts';

/** A small jurisdiction tree for tests: the city, two districts, two streets (one a town) in each. */
export const TEST_NODES: OrgNode[] = [
  node('50', '重庆市', 'city', null, [106.55, 29.56]),
  node('500103', '渝中区', 'district', '50', [106.563, 29.557]),
  node('500103001', '七星岗街道', 'street', '500103', [106.561, 29.556]),
  node('500103003', '解放碑街道', 'street', '500103', [106.577, 29.557]),
  node('500104', '大渡口区', 'district', '50', [106.486, 29.481]),
  node('500104001', '新山村街道', 'street', '500104', [106.48, 29.49]),
  node('500104010', '跳磴镇', 'street', '500104', [106.43, 29.39]),
];

function node(
  code: string,
  name: string,
  level: OrgNode['level'],
  parentCode: string | null,
  point: [number, number],
) {
  const parent = parentCode === null ? '' : parentCode === '50' ? '50/' : `50/${parentCode}/`;
  return { code, name, level, parentCode, path: `${parent}${code}`, point };
}

/** An open test database with the audit and organisation tables and the module's services over it. */
export interface OrgFixture {
  database: Database;
  clock: ManualClock;
  audit: AuditLog;
  organisation: Organisation;
}

/** Opens a fresh database of `kind`, migrates it and builds the services (nothing generated yet). */
export async function openOrgFixture(kind: DatabaseKind): Promise<OrgFixture> {
  const database = await openTestDatabase(kind);
  await migrateToLatest(database.db, [auditMigrations, organisationMigrations]);
  const clock = new ManualClock('2025-09-15T20:17:00+08:00');
  const audit = new AuditLog(clock);
  return { database, clock, audit, organisation: createOrganisation({ db: database.db, audit, clock }) };
}
