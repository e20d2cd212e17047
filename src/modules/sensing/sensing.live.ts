import { canSee, type Principal } from '../../platform/access.ts';
import type { AlertDto } from './alerts.schema.ts';
import type { DeviceRecord } from './devices.repository.ts';
import type { RawObservation } from './intake.service.ts';
import { METRICS } from './sensing.catalogue.ts';

/** A latest-value push: the newest stored observation of a device (throttled per device). */
export interface LiveReading {
  deviceId: string;
  type: string;
  observedAt: string;
  values: Record<string, number | boolean | string>;
  jurisdictionPath: string;
}

/** An alert change as pushed to clients. */
export interface LiveAlert {
  transition: 'raised' | 'acknowledged' | 'cleared';
  alert: AlertDto;
}

/** What a client's stream receives. */
export type LiveEvent = { kind: 'reading'; data: LiveReading } | { kind: 'alert'; data: LiveAlert };

/** Options of the live feed. */
export interface LiveFeedOptions {
  /** At most one reading event per device per this many ms (default 1,000). */
  readingIntervalMs?: number;
  /** Device lookup (the registry's cache): gives type and jurisdiction of each device. */
  resolveDevices: (ids: string[]) => Promise<Map<string, DeviceRecord>>;
  /** Wall clock of the throttle (ms). */
  now?: () => number;
}

interface Listener {
  principal: Principal;
  send: (event: LiveEvent) => void;
}

/**
 * Fans stored readings and alert changes out to connected clients, each seeing only its
 * jurisdiction. Transports feed it (`readings` after a batch is stored, `alert` from the bus);
 * it does nothing when nobody listens, so the ingest path pays nothing without clients.
 */
export class LiveFeed {
  private readonly listeners = new Set<Listener>();
  private readonly lastSent = new Map<string, number>();
  private readonly interval: number;
  private readonly resolveDevices: LiveFeedOptions['resolveDevices'];
  private readonly now: () => number;

  constructor(options: LiveFeedOptions) {
    this.interval = options.readingIntervalMs ?? 1000;
    this.resolveDevices = options.resolveDevices;
    this.now = options.now ?? Date.now;
  }

  /** Clients connected now. */
  get size(): number {
    return this.listeners.size;
  }

  /** Adds a client; the returned function removes it. */
  listen(principal: Principal, send: (event: LiveEvent) => void): () => void {
    const listener = { principal, send };
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Pushes an alert change to every client whose jurisdiction holds it. */
  alert(transition: LiveAlert['transition'], alert: AlertDto): void {
    this.emit(alert.jurisdictionPath, { kind: 'alert', data: { transition, alert } });
  }

  /**
   * Called with a batch once it is stored: pushes each device's newest valid attributes, at most
   * once per `readingIntervalMs` per device. Never throws (a live client must not fail ingest).
   */
  async readings(batch: readonly RawObservation[]): Promise<void> {
    if (this.listeners.size === 0) return;
    const now = this.now();
    const newest = new Map<string, { t: number; payload: Record<string, unknown> }>();
    for (const raw of batch) {
      if (raw.decodeError || !isObject(raw.payload)) continue;
      if (now - (this.lastSent.get(raw.deviceId) ?? 0) < this.interval) continue;
      const t = Date.parse(String(raw.payload.observedAt ?? raw.payload.dateObserved));
      if (Number.isNaN(t) || (newest.get(raw.deviceId)?.t ?? -1) > t) continue;
      newest.set(raw.deviceId, { t, payload: raw.payload });
    }
    if (newest.size === 0) return;
    try {
      const devices = await this.resolveDevices([...newest.keys()]);
      for (const [id, { t, payload }] of newest) {
        const device = devices.get(id);
        const values = device && valuesOf(device, payload);
        if (!device || !values) continue;
        this.lastSent.set(id, now);
        this.emit(device.jurisdictionPath, {
          kind: 'reading',
          data: {
            deviceId: id,
            type: device.type,
            observedAt: new Date(t).toISOString(),
            values,
            jurisdictionPath: device.jurisdictionPath,
          },
        });
      }
    } catch {
      // The device lookup failed (database down): skip this push; the next batch tries again.
    }
  }

  private emit(path: string, event: LiveEvent): void {
    for (const l of this.listeners) {
      if (!canSee(l.principal, path)) continue;
      try {
        l.send(event);
      } catch {
        // A broken client is removed by its route on close; it must not stop the others.
      }
    }
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The payload's attributes the device's type defines, with the JSON type it defines (others are dead letters). */
function valuesOf(
  device: DeviceRecord,
  payload: Record<string, unknown>,
): Record<string, number | boolean | string> | undefined {
  const spec = METRICS[device.type];
  const values: Record<string, number | boolean | string> = {};
  let any = false;
  for (const [name, value] of Object.entries(payload)) {
    const m = spec[name];
    if (!m || (device.metrics.length > 0 && !device.metrics.includes(name))) continue;
    const ok =
      (m.kind === 'number' && typeof value === 'number' && Number.isFinite(value)) ||
      (m.kind === 'boolean' && typeof value === 'boolean') ||
      (m.kind === 'enum' && typeof value === 'string' && m.values.includes(value));
    if (!ok) continue;
    values[name] = value as number | boolean | string;
    any = true;
  }
  return any ? values : undefined;
}
