/** A small road network and detectors in the sensing test boxes, with sensing and traffic wired as the app does. */
import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database, DatabaseKind } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { openTestDatabase } from '../../platform/db/testing.ts';
import { createLogger } from '../../platform/logger.ts';
import { AuditLog, auditMigrations } from '../audit/index.ts';
import { SensingService, sensingMigrations } from '../sensing/index.ts';
import { trafficMigrations } from './traffic.migrations.ts';
import { type TrafficOptions, TrafficService } from './traffic.service.ts';
import type { CongestionAlert } from './traffic.subjects.ts';

/** Boxes standing in for the jurisdictions module: Jiefangbei street, a Qijiang street, the city. */
const BOXES: [number, number, number, number, string][] = [
  [106.55, 29.53, 106.6, 29.58, '50/500103/500103001'],
  [106.5, 28.9, 106.8, 29.1, '50/500110/500110001'],
  [105.2, 28.1, 110.2, 32.2, '50'],
];
const LEVELS = ['city', 'district', 'street'];

/** Locates a point in the test boxes (undefined outside the city). */
export const trafficTestLocator = {
  locate(lon: number, lat: number) {
    const box = BOXES.find(([w, s, e, n]) => lon >= w && lon <= e && lat >= s && lat <= n);
    if (!box) return undefined;
    const chain = box[4].split('/').map((code, i) => ({ code, name: code, level: LEVELS[i]! }));
    return { path: box[4], chain };
  },
};

const line = (id: string, cls: string, coordinates: [number, number][], name = id) => ({
  type: 'Feature',
  properties: { id, class: cls, name },
  geometry: { type: 'LineString', coordinates },
});

/** Two links at Jiefangbei (an arterial and a secondary road) and an arterial in Qijiang. */
export const TEST_ROADS = {
  type: 'FeatureCollection',
  features: [
    line(
      'jfb-1',
      'arterial',
      [
        [106.56, 29.557],
        [106.57, 29.557],
      ],
      '民族路',
    ),
    line(
      'jfb-2',
      'secondary',
      [
        [106.57, 29.55],
        [106.57, 29.56],
      ],
      '八一路',
    ),
    line(
      'qj-1',
      'arterial',
      [
        [106.6, 29.0],
        [106.62, 29.0],
      ],
      '綦江大道',
    ),
  ],
};

/** Detectors: one per link and one far from every link. */
export const TEST_DETECTORS = [
  { id: 'tf-a', lon: 106.565, lat: 29.5571 },
  { id: 'tf-b', lon: 106.5701, lat: 29.553 },
  { id: 'tf-q', lon: 106.61, lat: 29.0003 },
  { id: 'tf-far', lon: 106.59, lat: 29.575 },
];

/** Sensing and traffic on a fresh test database, the traffic observer in sensing's intake; congestion messages collected. */
export async function openTestTraffic(
  kind: DatabaseKind,
  clock: Clock,
  options: Partial<TrafficOptions> = {},
) {
  const database: Database = await openTestDatabase(kind);
  await migrateToLatest(database.db, [auditMigrations, sensingMigrations, trafficMigrations]);
  const audit = new AuditLog(clock);
  const published: { subject: string; alert: CongestionAlert }[] = [];
  let sensingRef: SensingService | undefined;
  const traffic = new TrafficService({
    db: database.db,
    audit,
    clock,
    logger: createLogger('silent'),
    locate: async (lon, lat) => trafficTestLocator.locate(lon, lat),
    detectors: async () =>
      (await sensingRef!.queries.devicesOfType(SYSTEM_PRINCIPAL, 'TrafficFlowObserved')).map((d) => ({
        id: d.id,
        lon: d.lon,
        lat: d.lat,
      })),
    publish: async (_trx, subject, alert) => {
      published.push({ subject, alert });
    },
    options,
  });
  const sensing = new SensingService({
    db: database.db,
    audit,
    clock,
    locator: trafficTestLocator,
    observers: [traffic.observer()],
  });
  sensingRef = sensing;
  for (const d of TEST_DETECTORS)
    await sensing.devices.register(SYSTEM_PRINCIPAL, {
      id: d.id,
      type: 'TrafficFlowObserved',
      name: d.id,
      lon: d.lon,
      lat: d.lat,
      metrics: ['averageVehicleSpeed', 'intensity', 'occupancy'],
    });
  return { database, sensing, traffic, published };
}

/** One reading a minute of a detector over [from, to) (ms), speed and flow given per minute. */
export function minuteReadings(
  deviceId: string,
  from: number,
  to: number,
  speed: (t: number) => number,
  intensity = 10,
  receivedAt = new Date(to + 60_000),
) {
  const out = [];
  for (let t = from; t < to; t += 60_000)
    out.push({
      deviceId,
      payload: { observedAt: new Date(t).toISOString(), averageVehicleSpeed: speed(t), intensity },
      receivedAt,
    });
  return out;
}
