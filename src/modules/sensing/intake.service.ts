import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/database.ts';
import type { AlertDto } from './alerts.schema.ts';
import type { AlertService } from './alerts.service.ts';
import { type DeadLetter, DeadLetterRepository } from './deadletters.repository.ts';
import { type DeviceRecord, DeviceRepository } from './devices.repository.ts';
import type { DeviceRegistry } from './devices.service.ts';
import { validatePayload } from './intake.validate.ts';
import type { RuleEngine, Transition } from './rules/engine.ts';
import type { Reading } from './rules/evaluator.ts';
import type { Subject } from './rules/predicate.ts';
import type { RuleStateStore } from './rules/rules.store.ts';
import {
  alertCounter,
  deadLetterCounter,
  ingestDuration,
  lateCounter,
  readingCounter,
} from './sensing.metrics.ts';
import type { SensingOptions } from './sensing.options.ts';
import { daysOf, type ObservationStore, type ReadingColumns } from './store.repository.ts';

/** One observation as a transport delivers it: the device, the decoded payload, and when it arrived. */
export interface RawObservation {
  deviceId: string;
  payload: unknown;
  receivedAt: Date;
  /** Set by a transport that could not decode the bytes; `payload` then holds the raw text. */
  decodeError?: { reason: 'invalid_json'; detail: string };
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
}

const subjects = new WeakMap<DeviceRecord, Subject>();
const declared = new WeakMap<DeviceRecord, Set<string>>();

/** The rules' view of a device (cached per record; a changed device is a new record). */
export function subjectOf(d: DeviceRecord): Subject {
  let s = subjects.get(d);
  if (!s) {
    s = {
      id: d.id,
      type: d.type,
      name: d.name,
      jurisdictionPath: d.jurisdictionPath,
      sectionName: d.sectionName,
      targetClass: d.targetClass,
      waterBody: d.waterBody,
      lastSeenAt: d.lastSeenAt ? d.lastSeenAt.getTime() : null,
    };
    subjects.set(d, s);
  }
  return s;
}

function declaredOf(d: DeviceRecord): Set<string> {
  let s = declared.get(d);
  if (!s) {
    s = new Set(d.metrics);
    declared.set(d, s);
  }
  return s;
}

/**
 * Validates a batch, dead-letters the bad observations, and in one transaction stores the good
 * readings idempotently (with rollups), updates last-seen, runs the rules on the readings that
 * were new, persists changed rule states and stores/publishes alert changes. Bad payloads never
 * throw; a database failure does (so the transport does not acknowledge and redelivers).
 */
export async function ingestBatch(p: IntakeParts, batch: RawObservation[]): Promise<IngestResult> {
  const stop = ingestDuration.startTimer();
  const now = p.clock.now();
  const devices = await p.registry.resolve(batch.map((b) => b.deviceId));
  const cols: ReadingColumns = { deviceIds: [], metrics: [], times: [], values: [], paths: [] };
  const tms: number[] = [];
  const dead: DeadLetter[] = [];
  const arrivals = new Map<DeviceRecord, number>();
  const skew = p.options.maxFutureSkewSeconds * 1000;
  const notBefore = now.getTime() - p.options.rawRetentionDays * 86_400_000;
  for (const raw of batch) {
    const device = devices.get(raw.deviceId);
    const received = raw.receivedAt.getTime();
    const v = raw.decodeError
      ? ({ ok: false, ...raw.decodeError } as const)
      : device
        ? validatePayload(device.type, declaredOf(device), raw.payload, {
            notAfter: received + skew,
            notBefore,
          })
        : ({ ok: false, reason: 'unknown_device', detail: `no device '${raw.deviceId}'` } as const);
    if (!v.ok) {
      const payload = typeof raw.payload === 'string' ? raw.payload : (JSON.stringify(raw.payload) ?? '');
      dead.push({
        receivedAt: raw.receivedAt,
        deviceId: raw.deviceId,
        reason: v.reason,
        detail: v.detail,
        payload,
        jurisdictionPath: device?.jurisdictionPath ?? '',
      });
      continue;
    }
    for (const r of v.readings) {
      cols.deviceIds.push(raw.deviceId);
      cols.metrics.push(r.metric);
      cols.times.push(new Date(r.t).toISOString());
      cols.values.push(r.value);
      cols.paths.push(device!.jurisdictionPath);
      tms.push(r.t);
    }
    if ((arrivals.get(device!) ?? 0) < received) arrivals.set(device!, received);
  }
  await p.store.ensurePartitions(p.db, daysOf(tms));
  await p.ensureEngine();
  const touched = touchList(arrivals, p.options.lastSeenResolutionSeconds * 1000);
  let outcome: { stored: number; raised: AlertDto[]; cleared: AlertDto[] };
  try {
    outcome = await p.db.transaction().execute(async (trx) => {
      const fresh = await p.store.insert(trx, cols, p.options.dayOffsetMinutes * 60);
      await new DeadLetterRepository().insert(trx, dead);
      await new DeviceRepository().touch(
        trx,
        touched.map((t) => t[0].id),
        touched.map((t) => new Date(t[1]).toISOString()),
      );
      const transitions = runRules(p.engine, devices, fresh, arrivals);
      await p.ruleStates.save(trx, p.engine.takeDirty(), now);
      const alerts = await p.alerts.apply(trx, transitions);
      return { stored: fresh.length, ...alerts };
    });
  } catch (error) {
    p.dropEngine();
    throw error;
  }
  for (const [d, at] of touched) {
    d.lastSeenAt = new Date(at);
    if (d.status === 'offline') d.status = 'online';
    const subject = subjects.get(d);
    if (subject) subject.lastSeenAt = at;
  }
  for (const d of dead) deadLetterCounter.inc({ reason: d.reason });
  readingCounter.inc({ outcome: 'stored' }, outcome.stored);
  readingCounter.inc({ outcome: 'duplicate' }, cols.deviceIds.length - outcome.stored);
  lateCounter.inc(p.engine.late);
  p.engine.late = 0;
  alertCounter.inc({ transition: 'raised' }, outcome.raised.length);
  alertCounter.inc({ transition: 'cleared' }, outcome.cleared.length);
  stop();
  return {
    received: batch.length,
    deadLettered: dead.length,
    stored: outcome.stored,
    duplicates: cols.deviceIds.length - outcome.stored,
    raised: outcome.raised,
    cleared: outcome.cleared,
  };
}

// Devices whose stored last-seen is older than the resolution (or that are not online) get a write.
function touchList(arrivals: Map<DeviceRecord, number>, resolution: number): [DeviceRecord, number][] {
  const out: [DeviceRecord, number][] = [];
  for (const [d, at] of arrivals) {
    const last = d.lastSeenAt?.getTime() ?? -Infinity;
    if (at - last >= resolution || (d.status === 'offline' && at > last)) out.push([d, at]);
  }
  return out;
}

function runRules(
  engine: RuleEngine,
  devices: Map<string, DeviceRecord>,
  fresh: { device_id: string; metric: string; t: number; value: number }[],
  arrivals: Map<DeviceRecord, number>,
): Transition[] {
  const byDevice = new Map<string, Reading[]>();
  for (const r of fresh) {
    let list = byDevice.get(r.device_id);
    if (!list) {
      list = [];
      byDevice.set(r.device_id, list);
    }
    list.push({ metric: r.metric, t: Number(r.t), value: r.value });
  }
  const out: Transition[] = [];
  for (const [id, readings] of byDevice) {
    const device = devices.get(id)!;
    out.push(...engine.onReadings(subjectOf(device), readings, arrivals.get(device)!));
  }
  return out;
}
