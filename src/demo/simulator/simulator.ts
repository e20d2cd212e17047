import type { Gb3838Class, WaterBody } from '../../modules/water/index.ts';
import type { Logger } from '../../platform/logger.ts';
import {
  crowdReading,
  hash32,
  initialParkingStatus,
  nextParkingStatus,
  trafficReading,
  unit,
  waterReading,
} from './model.ts';
import { mqttPublisher, type Publisher } from './publisher.ts';

const SECOND = 1000;
const MIN = 60 * SECOND;

/** What the simulator needs to know of a registered device. */
export interface SimDevice {
  id: string;
  type: string;
  metrics: readonly string[];
  targetClass: Gb3838Class | null;
  waterBody: WaterBody | null;
  /** Where it stands (the traffic story's detectors are found by place). */
  lon?: number;
  lat?: number;
}

/** Reporting period of each device type, seconds (parking: how often a spot is looked at). */
export const PERIOD_SECONDS: Record<string, number> = {
  TrafficFlowObserved: 60,
  CrowdFlowObserved: 60,
  WaterQualityObserved: 300,
  ParkingSpot: 60,
};

/**
 * Reports go out in waves every this many seconds (each device keeps its own place in its period):
 * a wave's messages are stored in a few batches instead of one transaction each, which is most of
 * what a report costs (README).
 */
export const WAVE_SECONDS = 10;

/** A parking spot whose status did not change re-sends it after this long (heartbeat; devices go offline after 30 min). */
export const PARKING_HEARTBEAT_MS = 15 * MIN;

/**
 * Devices the stories (`citybrain simulate --story …`) publish as: left to them, so a story's
 * readings (three days of low DO at the Puhe station, 20 minutes of rising counts at Jiefangbei)
 * are never interleaved with simulated ones, which would close the story's windows or dilute
 * its counts.
 */
export function isStoryDevice(id: string, at?: { lon?: number; lat?: number }): boolean {
  if (
    id === 'wq-puhe-zhaixi' ||
    id === 'wq-ruxi-liangping' ||
    id === 'cf-jck-001' ||
    id.startsWith('cf-jfb-')
  )
    return true;
  // The traffic story's detectors: those on the arterials within 800 m of Jiefangbei (1 km kept clear).
  if (id.startsWith('tf-') && at?.lon !== undefined && at.lat !== undefined) {
    const dx = (at.lon - JIEFANGBEI.lon) * 111_320 * Math.cos((JIEFANGBEI.lat * Math.PI) / 180);
    const dy = (at.lat - JIEFANGBEI.lat) * 110_540;
    return Math.hypot(dx, dy) <= 1000;
  }
  return false;
}

/** 解放碑, the centre of the traffic story (src/simulate/traffic-story.ts). */
const JIEFANGBEI = { lon: 106.577, lat: 29.557 };

/** Whether a device is in the simulated share `rate` (the same devices at every start for the same rate). */
export function inShare(id: string, rate: number): boolean {
  return unit(hash32(id), 99) < rate;
}

/** Counters of what the simulator did since it started. */
export interface SimulatorStats {
  devices: number;
  byType: Record<string, number>;
  published: number;
  failed: number;
  /** Reports dropped because publishing fell more than a period behind. */
  dropped: number;
}

/** Options of the demo simulator. */
export interface SimulatorOptions {
  /** Where devices publish (the app's embedded broker or its external one). */
  mqttUrl: string;
  /** Device id → secret (the demo's secrets file). */
  secrets: ReadonlyMap<string, string>;
  devices: readonly SimDevice[];
  /** Share of the seed's devices that report, 0–1. */
  rate: number;
  logger: Logger;
  /**
   * Publishes in flight at once (default 1,000): each waits for its PUBACK, which comes once its
   * batch is stored, so this bounds how many readings one commit can take.
   */
  concurrency?: number;
  now?: () => number;
  /** How reports go out (default: MQTT as the devices, `publisher.ts`). */
  publisher?: Publisher;
}

interface Scheduled {
  device: SimDevice;
  /** Parking: current status and when it was last sent. */
  occupied?: boolean;
  lastSent?: number;
}

/**
 * Makes the demo's devices report through the real MQTT path: every simulated device has a
 * place in its period (seeded by its id, rounded to a wave of `WAVE_SECONDS`); a one-second ticker
 * queues each wave's reports and up to `concurrency` publishes run at once, each device on its own
 * authenticated connection (its id and secret), QoS 1 to its own topic.
 */
export class DemoSimulator {
  readonly stats: SimulatorStats;
  private readonly buckets = new Map<number, Scheduled[][]>();
  private readonly queue: { device: SimDevice; payload: Record<string, unknown> }[] = [];
  private readonly publisher: Publisher;
  private readonly now: () => number;
  private readonly concurrency: number;
  private readonly maxQueue: number;
  private timer: NodeJS.Timeout | undefined;
  private lastSecond = 0;
  private inFlight = 0;
  private idle: (() => void)[] = [];
  private lastFailureLog = 0;
  private readonly options: SimulatorOptions;

  constructor(options: SimulatorOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.concurrency = options.concurrency ?? 1000;
    this.publisher = options.publisher ?? mqttPublisher(options.mqttUrl);
    const byType: Record<string, number> = {};
    let count = 0;
    let perMinute = 0;
    for (const device of options.devices) {
      const period = PERIOD_SECONDS[device.type];
      if (!period || isStoryDevice(device.id, device) || !inShare(device.id, options.rate)) continue;
      if (!options.secrets.has(device.id)) continue;
      let buckets = this.buckets.get(period);
      if (!buckets) {
        buckets = Array.from({ length: period }, () => []);
        this.buckets.set(period, buckets);
      }
      const phase = hash32(device.id) % period;
      buckets[phase - (phase % WAVE_SECONDS)]!.push({ device });
      byType[device.type] = (byType[device.type] ?? 0) + 1;
      count++;
      perMinute += 60 / period;
    }
    this.stats = { devices: count, byType, published: 0, failed: 0, dropped: 0 };
    // More than about a minute of reports waiting means publishing cannot keep up: drop the oldest.
    this.maxQueue = Math.max(100, Math.ceil(perMinute));
  }

  /** Starts the one-second ticker (unref'd: it never keeps the process alive). */
  start(): void {
    if (this.timer) return;
    this.lastSecond = Math.floor(this.now() / SECOND) - 1;
    this.tick();
    this.timer = setInterval(() => this.tick(), SECOND);
    this.timer.unref();
  }

  /** Device connections open now. */
  get connections(): number {
    return this.publisher.connections();
  }

  /**
   * Stops the ticker, forgets what is queued, waits (at most `graceMs`) for publishes in flight
   * and disconnects the devices.
   */
  async stop(graceMs = 2000): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
    if (this.inFlight > 0) {
      await Promise.race([
        new Promise<void>((resolve) => this.idle.push(resolve)),
        new Promise((resolve) => setTimeout(resolve, graceMs).unref()),
      ]);
    }
    await this.publisher.close();
  }

  /** Runs the seconds since the last tick (at most one period, after a stalled event loop). */
  private tick(): void {
    const second = Math.floor(this.now() / SECOND);
    const from = Math.max(this.lastSecond + 1, second - 299);
    for (let s = from; s <= second; s++) {
      for (const [period, buckets] of this.buckets) {
        for (const item of buckets[s % period]!) this.report(item, s * SECOND);
      }
    }
    this.lastSecond = second;
    this.pump();
  }

  private report(item: Scheduled, t: number): void {
    const { device } = item;
    let payload: Record<string, unknown>;
    switch (device.type) {
      case 'TrafficFlowObserved':
        payload = only(trafficReading(device.id, t), device.metrics);
        break;
      case 'CrowdFlowObserved':
        payload = only(crowdReading(device.id, t), device.metrics);
        break;
      case 'WaterQualityObserved':
        payload = waterReading(device, t);
        break;
      case 'ParkingSpot': {
        const before = item.occupied;
        item.occupied =
          before === undefined ? initialParkingStatus(device.id, t) : nextParkingStatus(device.id, t, before);
        // Parking sensors report on change, and a heartbeat when nothing changed for a while.
        if (before === item.occupied && t - (item.lastSent ?? 0) < PARKING_HEARTBEAT_MS) return;
        item.lastSent = t;
        payload = { status: item.occupied ? 'occupied' : 'free' };
        break;
      }
      default:
        return;
    }
    if (Object.keys(payload).length === 0) return;
    if (this.queue.length >= this.maxQueue) {
      this.queue.shift();
      this.stats.dropped++;
    }
    this.queue.push({ device, payload: { observedAt: new Date(t).toISOString(), ...payload } });
  }

  private pump(): void {
    while (this.inFlight < this.concurrency && this.queue.length > 0) {
      const next = this.queue.shift()!;
      this.inFlight++;
      const secret = this.options.secrets.get(next.device.id)!;
      this.publisher
        .publish(next.device.id, secret, next.payload)
        .then(
          () => {
            this.stats.published++;
          },
          (error: unknown) => {
            // Publishes cut short by stop() closing the connections are not failures.
            if (!this.timer) return;
            this.stats.failed++;
            const now = this.now();
            if (now - this.lastFailureLog > MIN) {
              this.lastFailureLog = now;
              this.options.logger.warn(
                { err: error, deviceId: next.device.id, failed: this.stats.failed },
                'demo simulator: a device could not publish',
              );
            }
          },
        )
        .finally(() => {
          this.inFlight--;
          if (this.timer) this.pump();
          if (this.inFlight === 0) for (const resolve of this.idle.splice(0)) resolve();
        });
    }
  }
}

/** The reading restricted to the attributes the device was registered to report. */
function only(reading: Record<string, unknown>, metrics: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of metrics) if (m in reading) out[m] = reading[m];
  return out;
}
