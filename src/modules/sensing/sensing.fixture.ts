import type { Clock } from '../../platform/clock.ts';
import type { Database, DatabaseKind } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { openTestDatabase } from '../../platform/db/testing.ts';
import { AuditLog, auditMigrations } from '../audit/index.ts';
import type { DeviceInput, Locator } from './devices/devices.schema.ts';
import { sensingMigrations } from './sensing.migrations.ts';
import { SensingService } from './sensing.service.ts';

/** Boxes standing in for the jurisdictions module in tests: [west, south, east, north, path, names]. */
const BOXES: [number, number, number, number, string, string[]][] = [
  [106.55, 29.53, 106.6, 29.58, '50/500103/500103001', ['重庆市', '渝中区', '解放碑街道']],
  [106.5, 28.9, 106.8, 29.1, '50/500110/500110001', ['重庆市', '綦江区', '古南街道']],
  [107.6, 30.5, 108.0, 30.8, '50/500155/500155001', ['重庆市', '梁平区', '梁山街道']],
  [105.2, 28.1, 110.2, 32.2, '50', ['重庆市']],
];

/** A Locator for tests: three streets (Jiefangbei, Qijiang, Liangping) inside a city box; undefined outside. */
export const testLocator: Locator = {
  locate(lon, lat) {
    const box = BOXES.find(([w, s, e, n]) => lon >= w && lon <= e && lat >= s && lat <= n);
    if (!box) return undefined;
    const codes = box[4].split('/');
    const levels = ['city', 'district', 'street'];
    return { path: box[4], chain: codes.map((code, i) => ({ code, name: box[5][i]!, level: levels[i]! })) };
  },
};

/** The seed's monitoring section: 蒲河寨溪大桥断面, Qijiang, target class III. */
export const PUHE_STATION = {
  id: 'wq-puhe-zhaixi',
  type: 'WaterQualityObserved',
  model: 'multi-parameter sonde',
  name: '蒲河寨溪大桥水质自动站',
  lon: 106.65,
  lat: 29.03,
  departmentCode: 'eco-env',
  metrics: ['O2', 'NH4', 'pH', 'temperature'],
  sectionName: '蒲河寨溪大桥断面',
  targetClass: 'III',
} as const satisfies DeviceInput;

/** 24 hourly O2 payloads (local day `dayIso`, UTC+8) whose mean is `mean`. */
export function hourlyO2(dayIso: string, mean: number): { observedAt: string; O2: number }[] {
  const start = Date.parse(`${dayIso}T00:30:00+08:00`);
  return Array.from({ length: 24 }, (_, h) => ({
    observedAt: new Date(start + h * 3_600_000).toISOString(),
    O2: Math.round((mean + (h % 2 ? 0.4 : -0.4)) * 100) / 100,
  }));
}

/** A fresh test database (`kind`) migrated for audit and sensing, with a SensingService on it (test locator). */
export async function openTestSensing(
  kind: DatabaseKind,
  clock: Clock,
): Promise<{ database: Database; sensing: SensingService }> {
  const database = await openTestDatabase(kind);
  await migrateToLatest(database.db, [auditMigrations, sensingMigrations]);
  const sensing = new SensingService({
    db: database.db,
    audit: new AuditLog(clock),
    clock,
    locator: testLocator,
  });
  return { database, sensing };
}
