// A small synthetic city for tests: a 0.4° square split into two districts of two streets each.
//
//   29.4 +---------------+---------------+
//        |   500101002   |   500102002   |   the east-north street, its district and the
//   29.2 +-------+-------+  [hole]       |   city have a hole (106.25–106.35, 29.25–29.35)
//        |   500101001   |   500102001   |   500101001 is a MultiPolygon of two squares
//   29.0 +-------+-------+---------------+
//      106.0   106.1   106.2           106.4

import { ManualClock } from '../../platform/clock.ts';
import type { DatabaseKind } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { openTestDatabase } from '../../platform/db/testing.ts';
import { AppError } from '../../platform/errors.ts';
import { AuditLog, auditMigrations } from '../audit/index.ts';
import { jurisdictionMigrations } from './jurisdictions.migrations.ts';
import { JurisdictionService } from './jurisdictions.service.ts';

type Ring = number[][];

/** A fresh migrated test database with the service and its audit log. */
export async function openJurisdictions(kind: DatabaseKind) {
  const database = await openTestDatabase(kind);
  await migrateToLatest(database.db, [auditMigrations, jurisdictionMigrations]);
  const clock = new ManualClock();
  const audit = new AuditLog(clock);
  return { database, audit, service: new JurisdictionService({ db: database.db, audit, clock }) };
}

/** The AppError a promise rejects with (fails the test on anything else). */
export async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

/** A closed rectangle ring, counter-clockwise. */
export function rect(w: number, s: number, e: number, n: number): Ring {
  return [
    [w, s],
    [e, s],
    [e, n],
    [w, n],
    [w, s],
  ];
}

const HOLE = rect(106.25, 29.25, 106.35, 29.35).reverse();

/** A GeoJSON feature with the properties the demo file uses. */
export function feature(
  properties: Record<string, unknown>,
  geometry: { type: string; coordinates: unknown },
): {
  type: 'Feature';
  properties: Record<string, unknown>;
  geometry: { type: string; coordinates: unknown };
} {
  return { type: 'Feature', properties, geometry };
}

/** A FeatureCollection of the given features. */
export function collection(features: unknown[]): { type: 'FeatureCollection'; features: unknown[] } {
  return { type: 'FeatureCollection', features };
}

const poly = (...rings: Ring[]) => ({ type: 'Polygon', coordinates: rings });

/** The seven nodes of the synthetic city, city first, in the demo file's property layout. */
export function syntheticCity() {
  return collection([
    feature(
      { code: '50', name: '测试市', level: 'city', parent: null, name_en: 'Testcity' },
      poly(rect(106, 29, 106.4, 29.4), HOLE),
    ),
    feature(
      { code: '500101', name: '西区', level: 'district', parent: '50', seat: [106.1, 29.1] },
      poly(rect(106, 29, 106.2, 29.4)),
    ),
    feature(
      { code: '500102', name: '东区', level: 'district', parent: '50' },
      poly(rect(106.2, 29, 106.4, 29.4), HOLE),
    ),
    feature(
      { code: '500101001', name: '西南街道', level: 'street', parent: '500101' },
      { type: 'MultiPolygon', coordinates: [[rect(106, 29, 106.1, 29.2)], [rect(106.1, 29, 106.2, 29.2)]] },
    ),
    feature(
      { code: '500101002', name: '西北街道', level: 'street', parent: '500101' },
      poly(rect(106, 29.2, 106.2, 29.4)),
    ),
    feature(
      { code: '500102001', name: '东南街道', level: 'street', parent: '500102' },
      poly(rect(106.2, 29, 106.4, 29.2)),
    ),
    feature(
      { code: '500102002', name: '东北街道', level: 'street', parent: '500102' },
      poly(rect(106.2, 29.2, 106.4, 29.4), HOLE),
    ),
  ]);
}

/** Import options matching syntheticCity (and the demo file). */
export const AUTO = {
  level: 'auto',
  codeProperty: 'code',
  parentProperty: 'parent',
  nameEnProperty: 'name_en',
} as const;

/** Three new streets of 500101 (they overlap existing ones; shapes are not checked against siblings). */
export function threeStreets(names: [string, string, string] = ['甲街道', '乙街道', '丙街道']) {
  return collection(
    names.map((name, i) =>
      feature({ code: `50010100${i + 3}`, name, parent: '500101' }, poly(rect(106, 29, 106.05, 29.05))),
    ),
  );
}

/** `count` new streets of 500102, codes from 500102100 up, enough to span several INSERT batches. */
export function manyStreets(count: number, nameOf: (i: number) => string = (i) => `街道${i}`) {
  return collection(
    Array.from({ length: count }, (_, i) =>
      feature(
        { code: String(500102100 + i), name: nameOf(i), parent: '500102' },
        poly(rect(106.3, 29, 106.31, 29.01)),
      ),
    ),
  );
}
