import { randomBytes } from 'node:crypto';
import { canSee, type Principal } from '../../platform/access.ts';
import { type AlertDto, type DeviceRecord, METRICS, type RawObservation } from '../sensing/index.ts';

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

/** What changed about an event of the event centre (from `events.event.*` and `dispatch.task.*`). */
export const LIVE_EVENT_CHANGES = [
  'created',
  'merged',
  'status_changed',
  'closed',
  'reopened',
  'rated',
  'task_created',
  'task_assigned',
  'task_status_changed',
  'task_escalated',
] as const;

/**
 * An event change as pushed to clients: enough to know which event (and task) to refetch and
 * to show its new status at once; the client reads the details from the API, in scope.
 */
export interface LiveEventChange {
  change: (typeof LIVE_EVENT_CHANGES)[number];
  eventId: string;
  /** The task, for task_* changes. */
  taskId: string | null;
  /** The event's status (event changes) or the task's (task_status_changed); null otherwise. */
  status: string | null;
  category: string | null;
  jurisdictionPath: string;
  occurredAt: string;
}

/** What a client's stream receives. */
export type LiveEvent =
  | { kind: 'reading'; data: LiveReading }
  | { kind: 'alert'; data: LiveAlert }
  | { kind: 'event'; data: LiveEventChange };

/** Options of the live feed. */
export interface LiveFeedOptions {
  /** At most one reading event per device per this many ms (default 1,000). */
  readingIntervalMs?: number;
  /** Device lookup (the registry's cache): gives type and jurisdiction of each device. */
  resolveDevices: (ids: string[]) => Promise<Map<string, DeviceRecord>>;
  /** Wall clock of the throttle (ms). */
  now?: () => number;
  /** Alert and event messages kept for clients that reconnect with `Last-Event-ID` (default 1,000). */
  replayLimit?: number;
}

/** Sends one message to a client; `id` is set on alert and event messages (resumable), not on readings. */
export type LiveSend = (event: LiveEvent, id?: string) => void;

interface Listener {
  principal: Principal;
  send: LiveSend;
}

interface Kept {
  seq: number;
  path: string;
  event: LiveEvent;
}

/**
 * Fans stored readings, alert changes and event changes out to connected clients, each seeing
 * only its jurisdiction. Transports feed it (`readings` after a batch is stored, `alert` and
 * `event` from the bus); readings cost nothing when nobody listens.
 *
 * Alert and event messages carry an id `<epoch>-<seq>` (epoch: this feed's random tag) and the
 * last `replayLimit` of them are kept, so a client that reconnects with the last id it saw gets
 * what it missed (`replay`). An id of another process or feed, or one that fell out of the
 * window, cannot be resumed: the client must reload its lists.
 */
export class LiveFeed {
  private readonly listeners = new Set<Listener>();
  private readonly lastSent = new Map<string, number>();
  private readonly interval: number;
  private readonly resolveDevices: LiveFeedOptions['resolveDevices'];
  private readonly now: () => number;
  private readonly replayLimit: number;
  private readonly kept: Kept[] = [];
  private seq = 0;
  /** Tags this feed's ids: ids from before a restart, or from another API process, never match. */
  readonly epoch = randomBytes(6).toString('base64url');

  constructor(options: LiveFeedOptions) {
    this.interval = options.readingIntervalMs ?? 1000;
    this.resolveDevices = options.resolveDevices;
    this.now = options.now ?? Date.now;
    this.replayLimit = options.replayLimit ?? 1000;
  }

  /** The id of the newest resumable message (a client that saw it has missed nothing). */
  get lastId(): string {
    return `${this.epoch}-${this.seq}`;
  }

  /** Clients connected now. */
  get size(): number {
    return this.listeners.size;
  }

  /** Adds a client; the returned function removes it. */
  listen(principal: Principal, send: LiveSend): () => void {
    const listener = { principal, send };
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * Sends a reconnecting client the kept messages in its jurisdiction after `lastEventId`, and
   * says whether that covered everything it missed (false: unknown id, another epoch, or
   * older than the kept window — the client must reload). Call right before `listen`, in the
   * same tick, so nothing falls between the two.
   */
  replay(principal: Principal, lastEventId: string, send: LiveSend): boolean {
    const cut = lastEventId.lastIndexOf('-');
    const seq = Number(lastEventId.slice(cut + 1));
    if (cut <= 0 || lastEventId.slice(0, cut) !== this.epoch || !Number.isSafeInteger(seq) || seq > this.seq)
      return false;
    const oldest = this.kept[0]?.seq ?? this.seq + 1;
    if (seq < oldest - 1) return false;
    for (const k of this.kept) {
      if (k.seq <= seq || !canSee(principal, k.path)) continue;
      send(k.event, `${this.epoch}-${k.seq}`);
    }
    return true;
  }

  /** Pushes an alert change to every client whose jurisdiction holds it. */
  alert(transition: LiveAlert['transition'], alert: AlertDto): void {
    this.emitKept(alert.jurisdictionPath, { kind: 'alert', data: { transition, alert } });
  }

  /** Pushes an event-centre change to every client whose jurisdiction holds the event. */
  eventChange(change: LiveEventChange): void {
    this.emitKept(change.jurisdictionPath, { kind: 'event', data: change });
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

  private emitKept(path: string, event: LiveEvent): void {
    const seq = ++this.seq;
    this.kept.push({ seq, path, event });
    if (this.kept.length > this.replayLimit) this.kept.splice(0, this.kept.length - this.replayLimit);
    this.emit(path, event, `${this.epoch}-${seq}`);
  }

  private emit(path: string, event: LiveEvent, id?: string): void {
    for (const l of this.listeners) {
      if (!canSee(l.principal, path)) continue;
      try {
        l.send(event, id);
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
