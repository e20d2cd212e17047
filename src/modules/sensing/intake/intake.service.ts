import type { Clock } from '../../../platform/clock.ts';
import type { Db } from '../../../platform/db/database.ts';
import type { AlertDto } from '../alerts/alerts.schema.ts';
import type { AlertService } from '../alerts/alerts.service.ts';
import type { DeviceRecord } from '../devices/devices.repository.ts';
import type { DeviceRegistry } from '../devices/devices.service.ts';
import type { RuleEngine } from '../rules/engine.ts';
import { type ReadingsOut, splitByPartition } from '../rules/rules.partitions.ts';
import type { RuleStateStore } from '../rules/rules.store.ts';
import {
  alertCounter,
  deadLetterCounter,
  ingestDuration,
  lateCounter,
  readingCounter,
} from '../sensing.metrics.ts';
import type { SensingOptions } from '../sensing.options.ts';
import { daysOf, type ObservationStore, type ReadingColumns } from '../store/store.repository.ts';
import { type DeadLetter, DeadLetterRepository } from './deadletters.repository.ts';
import { excerptOf, valueDepthExceeds } from './intake.limits.ts';
import { declaredOf, runRules, subjects } from './intake.subjects.ts';
import { type DeadLetterReason, type Validation, validatePayload } from './intake.validate.ts';

/** A new reading handed to an observer: device, FIWARE attribute, observation time (ms), value. */
export interface ObservedReading {
  deviceId: string;
  metric: string;
  t: number;
  value: number;
}

/**
 * Another module's view of the intake (the traffic module's road network, wired by the app):
 * a further check of a valid payload of its device types, and the new readings of those types
 * inside the batch transaction (a redelivery hands nothing over twice).
 */
export interface ReadingsObserver {
  /** The device types it observes. */
  readonly types: ReadonlySet<string>;
  /** The attributes it wants handed over. */
  readonly metrics: readonly string[];
  /** A refusal dead-letters the payload with that reason (e.g. `unknown_link`). */
  check?(
    deviceId: string,
    payload: Record<string, unknown>,
  ): { reason: DeadLetterReason; detail: string } | undefined;
  /** The new readings of its types, in the batch transaction (its writes commit with the readings). */
  stored(trx: Db, readings: ObservedReading[]): Promise<void>;
}

/** One observation as a transport delivers it: the device, the decoded payload, and when it arrived. */
export interface RawObservation {
  deviceId: string;
  payload: unknown;
  receivedAt: Date;
  /** Set by a transport that could not decode the bytes; `payload` then holds (an excerpt of) the raw text. */
  decodeError?: { reason: 'invalid_json' | 'too_large' | 'too_deep'; detail: string };
}

/** What one ingest call did. */
export interface IngestResult {
  received: number;
  deadLettered: number;
  /** Readings stored now, and readings that were already stored (redeliveries). */
  stored: number;
  duplicates: number;
  raised: AlertDto[];
  cleared: AlertDto[];
}

/** What the intake is built from (the facade wires it). */
export interface IntakeParts {
  db: Db;
  clock: Clock;
  options: SensingOptions;
  registry: DeviceRegistry;
  store: ObservationStore;
  engine: RuleEngine;
  ruleStates: RuleStateStore;
  alerts: AlertService;
  /** Loads rule states into the engine if it is not loaded (after start or after a failed batch). */
  ensureEngine(): Promise<void>;
  /** Marks the engine's in-memory state as lost (a transaction failed). */
  dropEngine(): void;
  /** Set in an ingest process whose rules run in `rules` processes: new readings go there instead. */
  readingsOut?: ReadingsOut;
  /** Other modules that check and receive readings of their device types (the traffic network). */
  observers?: readonly ReadingsObserver[];
}

/** A validated batch, ready to commit. */
export interface PreparedBatch {
  received: number;
  devices: Map<string, DeviceRecord>;
  cols: ReadingColumns;
  dead: DeadLetter[];
  arrivals: Map<DeviceRecord, number>;
  days: Set<number>;
}

/** Validates a batch and splits it into readings to store and dead letters (no writes; may run ahead of commits). */
export async function prepareBatch(p: IntakeParts, batch: RawObservation[]): Promise<PreparedBatch> {
  const now = p.clock.now();
  // An id with NUL cannot be a device, and PostgreSQL would refuse the lookup (failing the batch).
  const devices = await p.registry.cache.resolve(
    batch.map((b) => b.deviceId).filter((id) => typeof id === 'string' && !id.includes('\0')),
  );
  const cols: ReadingColumns = { deviceIds: [], metrics: [], times: [], values: [], paths: [] };
  const dead: DeadLetter[] = [];
  const arrivals = new Map<DeviceRecord, number>();
  const tms: number[] = [];
  const skew = p.options.maxFutureSkewSeconds * 1000;
  const notBefore = now.getTime() - p.options.rawRetentionDays * 86_400_000;
  const maxDepth = p.options.maxPayloadDepth;
  for (const raw of batch) {
    const device = devices.get(raw.deviceId);
    const received = raw.receivedAt.getTime();
    let v: Validation;
    try {
      v = raw.decodeError
        ? { ok: false, ...raw.decodeError }
        : valueDepthExceeds(raw.payload, maxDepth)
          ? { ok: false, reason: 'too_deep', detail: `payload nests deeper than ${maxDepth} levels` }
          : device
            ? validatePayload(device.type, declaredOf(device), raw.payload, {
                notAfter: received + skew,
                notBefore,
              })
            : { ok: false, reason: 'unknown_device', detail: `no device '${raw.deviceId}'` };
      if (v.ok && device) {
        const observer = p.observers?.find((o) => o.types.has(device.type));
        const refused = observer?.check?.(raw.deviceId, raw.payload as Record<string, unknown>);
        if (refused) v = { ok: false, ...refused };
      }
    } catch (error) {
      // One payload no check foresaw must not fail the batch (and every device's readings in it).
      v = { ok: false, reason: 'unprocessable', detail: String((error as Error)?.message ?? error) };
    }
    if (!v.ok) {
      dead.push({
        receivedAt: raw.receivedAt,
        deviceId: raw.deviceId,
        reason: v.reason,
        detail: v.detail,
        // Bounded before serialising: never JSON.stringify of an arbitrarily deep or large object.
        payload: typeof raw.payload === 'string' ? raw.payload : excerptOf(raw.payload, maxDepth),
        jurisdictionPath: device?.jurisdictionPath ?? '',
      });
      continue;
    }
    for (const r of v.readings) {
      cols.deviceIds.push(raw.deviceId);
      cols.metrics.push(r.metric);
      cols.times.push(r.t);
      cols.values.push(r.value);
      cols.paths.push(device!.jurisdictionPath);
    }
    tms.push(v.readings[0]!.t);
    if ((arrivals.get(device!) ?? 0) < received) arrivals.set(device!, received);
  }
  return { received: batch.length, devices, cols, dead, arrivals, days: daysOf(tms) };
}

/**
 * Commits a prepared batch in one transaction: stores the good readings idempotently (with
 * hourly rollups), the dead letters, runs the rules on the readings that were new, persists
 * changed rule states and stores/publishes alert changes. Bad payloads never throw; a database
 * failure does (so the transport does not acknowledge and redelivers). Last-seen times are
 * kept in memory and written by the timer.
 */
export async function commitBatch(p: IntakeParts, b: PreparedBatch): Promise<IngestResult> {
  const stop = ingestDuration.startTimer();
  const now = p.clock.now();
  await p.store.ensurePartitions(p.db, b.days);
  const out = p.readingsOut;
  if (!out) await p.ensureEngine();
  let outcome: { stored: number; raised: AlertDto[]; cleared: AlertDto[] };
  try {
    outcome = await p.db.transaction().execute(async (trx) => {
      const observers = p.observers ?? [];
      const wanted = observers.length
        ? [...new Set([...p.engine.metricsInUse, ...observers.flatMap((o) => o.metrics)])]
        : p.engine.metricsInUse;
      const fresh = await p.store.insert(trx, b.cols, wanted);
      await new DeadLetterRepository().insert(trx, b.dead);
      for (const o of observers) {
        const mine = fresh.rows.filter(
          (r) => o.metrics.includes(r.metric) && o.types.has(b.devices.get(r.device_id)?.type ?? ''),
        );
        if (mine.length)
          await o.stored(
            trx,
            mine.map((r) => ({
              deviceId: r.device_id,
              metric: r.metric,
              t: Number(r.t),
              value: Number(r.value),
            })),
          );
      }
      if (out) {
        // Rules run elsewhere: hand the new readings over in this transaction, one message per
        // partition. A redelivery stored nothing new, so it hands over nothing again.
        if (fresh.stored > 0)
          await out.enqueue(trx, splitByPartition(fresh.rows, b.arrivals, out.partitions));
        return { stored: fresh.stored, raised: [], cleared: [] };
      }
      const transitions = runRules(p.engine, fresh.rows, b.arrivals);
      await p.ruleStates.save(trx, p.engine.takeDirty(), now);
      const alerts = await p.alerts.apply(trx, transitions);
      return { stored: fresh.stored, ...alerts };
    });
  } catch (error) {
    if (!out) p.dropEngine();
    throw error;
  }
  out?.committed?.();
  for (const [d, at] of b.arrivals) {
    p.registry.cache.noteSeen(d, at);
    const subject = subjects.get(d);
    if (subject && (subject.lastSeenAt ?? 0) < at) subject.lastSeenAt = at;
  }
  const total = b.cols.deviceIds.length;
  for (const d of b.dead) deadLetterCounter.inc({ reason: d.reason });
  readingCounter.inc({ outcome: 'stored' }, outcome.stored);
  readingCounter.inc({ outcome: 'duplicate' }, total - outcome.stored);
  if (!out) {
    lateCounter.inc(p.engine.late);
    p.engine.late = 0;
  }
  alertCounter.inc({ transition: 'raised' }, outcome.raised.length);
  alertCounter.inc({ transition: 'cleared' }, outcome.cleared.length);
  stop();
  return {
    received: b.received,
    deadLettered: b.dead.length,
    stored: outcome.stored,
    duplicates: total - outcome.stored,
    raised: outcome.raised,
    cleared: outcome.cleared,
  };
}
