import type { DeviceRecord } from '../devices/devices.repository.ts';
import type { RuleEngine, Transition } from '../rules/engine.ts';
import type { Reading } from '../rules/evaluator.ts';
import type { Subject } from '../rules/predicate.ts';

/** Rule subjects by device record (a changed device is a new record). */
export const subjects = new WeakMap<DeviceRecord, Subject>();
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
      lon: d.lon,
      lat: d.lat,
      sectionName: d.sectionName,
      targetClass: d.targetClass,
      waterBody: d.waterBody,
      lastSeenAt: d.lastSeenAt ? d.lastSeenAt.getTime() : null,
    };
    subjects.set(d, s);
  }
  return s;
}

/** The set of metrics a device declares (cached per record). */
export function declaredOf(d: DeviceRecord): Set<string> {
  let s = declared.get(d);
  if (!s) {
    s = new Set(d.metrics);
    declared.set(d, s);
  }
  return s;
}

/** Feeds the engine: every device that sent something gets an arrival (no_data), with its new readings, if any. */
export function runRules(
  engine: RuleEngine,
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
  for (const [device, arrival] of arrivals) {
    out.push(...engine.onReadings(subjectOf(device), byDevice.get(device.id) ?? [], arrival));
  }
  return out;
}
