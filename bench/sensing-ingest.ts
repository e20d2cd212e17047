/**
 * Ingest throughput of the sensing pipeline through `SensingService.ingest()` — validation,
 * idempotent partitioned insert with its batch journal, rules and rule state, alerts — then the
 * timer's share (folding the batches into hourly rollups, last-seen, rule timers), against a
 * baseline measured in the same run: plain multi-row INSERTs of the same rows into a bare table.
 * 17,000 devices (the demo city's mix) with the shipped rules; two batches in flight.
 *
 *   ./node_modules/.bin/node bench/sensing-ingest.ts [--messages 120000] [--batch 2000] [--backends postgres,pglite]
 *
 * A "reading" is one stored row (device, metric, time, value); one message carries several.
 */
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { AuditLog, auditMigrations } from '../src/modules/audit/index.ts';
import type { RawObservation } from '../src/modules/sensing/index.ts';
import {
  DEFAULT_RULES_DIR,
  loadRuleFiles,
  SensingService,
  sensingMigrations,
} from '../src/modules/sensing/index.ts';
import { SYSTEM_PRINCIPAL } from '../src/platform/access.ts';
import { ManualClock } from '../src/platform/clock.ts';
import type { Database, DatabaseKind } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { openTestDatabase } from '../src/platform/db/testing.ts';
import { size, smokeBanner } from './smoke.ts';

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: size('120000', '2000') },
    batch: { type: 'string', default: size('2000', '500') },
    devices: { type: 'string', default: size('17000', '300') },
    backends: { type: 'string', default: size('postgres,pglite', 'postgres') },
    smoke: { type: 'boolean', default: false },
  },
});
smokeBanner();
const MESSAGES = Number(args.messages);
const BATCH = Number(args.batch);
const DEVICES = Number(args.devices);
const START = Date.parse('2025-11-20T08:00:00+08:00');

const TYPES = [
  ['WaterQualityObserved', 'O2|NH4|pH|temperature', 0.03],
  ['CrowdFlowObserved', 'peopleCount|averageCrowdSpeed|congested', 0.3],
  ['TrafficFlowObserved', 'intensity|occupancy|averageVehicleSpeed', 0.33],
  ['ParkingSpot', 'status', 0.34],
] as const;

function deviceCsv(): { csv: string; types: string[] } {
  const lines = ['id,type,name,lon,lat,metrics,section,targetClass'];
  const types: string[] = [];
  for (let i = 0; i < DEVICES; i++) {
    const f = (i % 100) / 100;
    let acc = 0;
    let pick: (typeof TYPES)[number] = TYPES[3];
    for (const t of TYPES) {
      acc += t[2];
      if (acc > f) {
        pick = t;
        break;
      }
    }
    const [type, metrics] = pick;
    types.push(type);
    const water = type === 'WaterQualityObserved';
    lines.push(
      `d${i},${type},device ${i},${106 + (i % 97) / 100},${29 + (i % 89) / 100},${metrics},${water ? `section ${i}` : ''},${water ? 'III' : ''}`,
    );
  }
  return { csv: lines.join('\n'), types };
}

function payload(type: string, t: number, i: number): Record<string, unknown> {
  const observedAt = new Date(t).toISOString();
  switch (type) {
    case 'WaterQualityObserved':
      return { observedAt, O2: 5 + (i % 30) / 10, NH4: 0.4, pH: 7.2, temperature: 18 };
    case 'CrowdFlowObserved':
      return { observedAt, peopleCount: 200 + (i % 500), averageCrowdSpeed: 1.1, congested: false };
    case 'TrafficFlowObserved':
      return { observedAt, intensity: 30 + (i % 40), occupancy: 0.2, averageVehicleSpeed: 35 };
    default:
      return { observedAt, status: i % 3 ? 'occupied' : 'free' };
  }
}

async function run(kind: DatabaseKind) {
  const database: Database = await openTestDatabase(kind);
  try {
    await migrateToLatest(database.db, [auditMigrations, sensingMigrations]);
    const clock = new ManualClock(new Date(START));
    const locator = {
      locate: (lon: number) => ({
        path: `50/5001${String(Math.floor(lon * 10) % 40).padStart(2, '0')}`,
        chain: [],
      }),
    };
    const sensing = new SensingService({
      db: database.db,
      audit: new AuditLog(clock),
      clock,
      locator,
      rules: loadRuleFiles(DEFAULT_RULES_DIR),
    });
    const { csv, types } = deviceCsv();
    await sensing.devices.import(SYSTEM_PRINCIPAL, 'csv', csv);
    // Each device reports once a minute; messages are in arrival order.
    const messages: RawObservation[] = [];
    for (let m = 0; m < MESSAGES; m++) {
      const i = m % DEVICES;
      const t = START + Math.floor(m / DEVICES) * 60_000 + (i % 60) * 1000;
      messages.push({ deviceId: `d${i}`, payload: payload(types[i]!, t, m), receivedAt: new Date(t + 200) });
    }
    await sensing.evaluateTimers(new Date(START));
    let readings = 0;
    const t0 = performance.now();
    // Two batches in flight, as a transport with a prefetch window would deliver them: the next
    // batch is validated while the previous one is in the database.
    const inFlight: Promise<void>[] = [];
    for (let b = 0; b < messages.length; b += BATCH) {
      inFlight.push(
        sensing.ingest(messages.slice(b, b + BATCH)).then((r) => {
          readings += r.stored;
          if (r.deadLettered) throw new Error(`unexpected dead letters: ${r.deadLettered}`);
        }),
      );
      if (inFlight.length >= 2) await inFlight.shift();
    }
    await Promise.all(inFlight);
    const ingestMs = performance.now() - t0;
    // The timer's share: fold the new batches into the rollups, rule timers, last-seen.
    const t2 = performance.now();
    await sensing.evaluateTimers(new Date(START + 60_000));
    const timerMs = performance.now() - t2;

    // Baseline: the same rows, plain multi-row INSERT into a bare table, same batches.
    await sql`create table bench_raw (device_id text, metric text, observed_at timestamptz, value float8, jurisdiction_path text)`.execute(
      database.db,
    );
    const rows = (
      await sql<{
        device_id: string;
        metric: string;
        observed_at: Date;
        value: number;
        jurisdiction_path: string;
      }>`
      select device_id, metric, observed_at, value, jurisdiction_path from sensing_observations`.execute(
        database.db,
      )
    ).rows;
    const perBatch = Math.round(readings / Math.ceil(messages.length / BATCH));
    const t1 = performance.now();
    for (let b = 0; b < rows.length; b += perBatch) {
      await database.db
        .insertInto('bench_raw')
        .values(rows.slice(b, b + perBatch))
        .execute();
    }
    const rawMs = performance.now() - t1;
    const ingestRate = readings / (ingestMs / 1000);
    const rawRate = rows.length / (rawMs / 1000);
    console.log(
      `${kind.padEnd(8)} ingest(): ${fmt(readings)} readings (${fmt(messages.length)} messages) in ${(ingestMs / 1000).toFixed(2)} s = ${fmt(ingestRate)} readings/s, ${fmt(messages.length / (ingestMs / 1000))} messages/s`,
    );
    console.log(
      `${kind.padEnd(8)} baseline multi-row INSERT, bare table: ${fmt(rows.length)} rows in ${(rawMs / 1000).toFixed(2)} s = ${fmt(rawRate)} rows/s`,
    );
    const overall = readings / ((ingestMs + timerMs) / 1000);
    console.log(
      `${kind.padEnd(8)} + timer (rollup compaction etc.) ${(timerMs / 1000).toFixed(2)} s → overall ${fmt(overall)} readings/s, ratio overall/baseline = ${(overall / rawRate).toFixed(2)}`,
    );
    console.log(
      `${kind.padEnd(8)} ratio ingest/baseline = ${(ingestRate / rawRate).toFixed(2)} (batch ${BATCH} messages ≈ ${perBatch} readings)`,
    );
  } finally {
    await database.close();
  }
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

for (const kind of args.backends.split(',') as DatabaseKind[]) await run(kind);
