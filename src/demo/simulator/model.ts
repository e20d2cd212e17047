import {
  GB3838_CLASSES,
  GB3838_TABLE1,
  type Gb3838Class,
  type WaterBody,
} from '../../modules/water/index.ts';

/**
 * The value model of the demo's simulated devices: plausible readings by local time of day
 * (Asia/Shanghai, UTC+8 all year) and day of week, with seeded noise, so the same device at the
 * same minute reports the same values on every machine. Pure functions; the scheduler is in
 * `simulator.ts`. Values stay inside normal ranges on purpose (see README: incidents are the
 * stories' job), so the shipped rules raise nothing on them.
 */

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** Asia/Shanghai has no daylight saving time. */
const LOCAL_OFFSET = 8 * HOUR;

/** 32-bit FNV-1a of a string: the seed of a device. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A uniform number in [0, 1) from a seed and a counter (one mulberry32 step). */
export function unit(seed: number, k: number): number {
  let t = (seed + Math.imul(k + 1, 0x6d2b79f5)) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** Noise in [-1, 1) for a device seed, a stream (which quantity) and a time slot. */
function noise(seed: number, stream: number, slot: number): number {
  return 2 * unit(seed ^ Math.imul(stream, 0x9e3779b1), slot) - 1;
}

/** Local clock of an instant in Asia/Shanghai: hour of day (fractional) and whether it is Saturday or Sunday. */
export function localTime(t: number): { hour: number; weekend: boolean; dayOfYear: number } {
  const local = t + LOCAL_OFFSET;
  const day = new Date(local).getUTCDay();
  const hour = (((local % DAY) + DAY) % DAY) / HOUR;
  const start = Date.UTC(new Date(local).getUTCFullYear(), 0, 1);
  return { hour, weekend: day === 0 || day === 6, dayOfYear: Math.floor((local - start) / DAY) };
}

const bump = (hour: number, at: number, width: number) => Math.exp(-0.5 * ((hour - at) / width) ** 2);

/**
 * Road traffic demand, 0–1 (1 = the weekday evening peak): weekday peaks at 08:00 and 18:00
 * on a daytime plateau; weekend with no commuter peaks, a broad late-morning-to-evening hump.
 */
export function trafficDemand(hour: number, weekend: boolean): number {
  const night = 0.06;
  if (weekend) return night + 0.55 * bump(hour, 11.5, 2.5) + 0.6 * bump(hour, 17, 2.8);
  return night + 0.88 * bump(hour, 8, 1) + 0.92 * bump(hour, 18, 1.2) + 0.45 * bump(hour, 13, 3.5);
}

/** People-counter activity, 0–1.6: lunch and evening on weekdays; higher and longer at weekends. */
export function crowdActivity(hour: number, weekend: boolean): number {
  const base = 0.03 + 0.2 * bump(hour, 8.2, 0.8);
  if (weekend) return base + 0.8 * bump(hour, 14.5, 2.5) + 1.0 * bump(hour, 19.5, 1.8);
  return base + 0.45 * bump(hour, 12.5, 1) + 0.6 * bump(hour, 19.5, 1.5);
}

/** Share of shared/on-street spots occupied in the central districts at this hour. */
export function parkingOccupancy(hour: number, weekend: boolean, residential: boolean): number {
  if (residential) return 0.9 - 0.45 * bump(hour, weekend ? 14 : 12.5, 3.2);
  return 0.15 + 0.75 * bump(hour, weekend ? 15 : 13, weekend ? 3.5 : 3);
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/** A TrafficFlowObserved reading (FIWARE attribute names) of a detector at minute slot `t`. */
export function trafficReading(
  id: string,
  t: number,
): { intensity: number; occupancy: number; averageVehicleSpeed: number; congested: boolean } {
  const seed = hash32(id);
  const slot = Math.floor(t / MIN);
  const { hour, weekend } = localTime(t);
  const demand =
    trafficDemand(hour, weekend) * (0.85 + 0.3 * unit(seed, 1)) * (1 + 0.08 * noise(seed, 1, slot));
  // Free-flow speed of the detector's road, 45–70 km/h; vehicles per minute at full demand 20–45.
  const free = 45 + 25 * unit(seed, 2);
  const capacity = 20 + 25 * unit(seed, 3);
  // Travel-time index at peak ~1.9 (the seed's 2020 figure): speed = free / (1 + 0.9·d^1.5).
  const speed = Math.max(
    18,
    (free / (1 + 0.9 * Math.max(0, demand) ** 1.5)) * (1 + 0.05 * noise(seed, 2, slot)),
  );
  const intensity = Math.max(0, Math.round(capacity * demand + 0.8 * noise(seed, 3, slot)));
  const occupancy = Math.min(0.6, Math.max(0.005, 0.02 + 0.32 * demand ** 1.3 * (free / speed) ** 0.5 * 0.7));
  return {
    intensity,
    occupancy: round(occupancy, 3),
    averageVehicleSpeed: round(speed, 1),
    congested: speed < free / 1.8,
  };
}

/** A CrowdFlowObserved reading of a people counter at minute slot `t`. */
export function crowdReading(
  id: string,
  t: number,
): { peopleCount: number; occupancy: number; averageCrowdSpeed: number; congested: boolean } {
  const seed = hash32(id);
  const slot = Math.floor(t / MIN);
  const { hour, weekend } = localTime(t);
  // People in the counter's field of view at the busiest hour: 80–980 (the crowd rules start at 3,000).
  const capacity = 80 + 900 * unit(seed, 1);
  const activity = crowdActivity(hour, weekend) * (1 + 0.05 * noise(seed, 1, slot));
  const count = Math.max(0, Math.round(capacity * activity));
  const load = Math.min(1.2, count / (capacity * 1.6));
  return {
    peopleCount: count,
    occupancy: round(Math.min(0.95, 0.05 + 0.6 * load), 3),
    averageCrowdSpeed: round(Math.max(0.75, 1.35 - 0.45 * load + 0.05 * noise(seed, 2, slot)), 2),
    congested: false,
  };
}

/** A parking spot's seeded character: residential compounds fill at night, offices and malls by day. */
export function parkingIsResidential(id: string): boolean {
  return unit(hash32(id), 7) < 0.35;
}

/**
 * The next status of a spot, one minute on: a two-state Markov chain whose stationary
 * occupancy is the hour's, with a mean stay of about 90 minutes.
 */
export function nextParkingStatus(id: string, t: number, occupied: boolean): boolean {
  const seed = hash32(id);
  const { hour, weekend } = localTime(t);
  const p = parkingOccupancy(hour, weekend, parkingIsResidential(id));
  const turnover = 1 / 90;
  const u = unit(seed ^ 0x5bd1e995, Math.floor(t / MIN));
  return occupied ? u >= turnover * (1 - p) * 2 : u < turnover * p * 2;
}

/** The status a spot starts with (seeded, the hour's occupancy). */
export function initialParkingStatus(id: string, t: number): boolean {
  const { hour, weekend } = localTime(t);
  return unit(hash32(id), 8) < parkingOccupancy(hour, weekend, parkingIsResidential(id));
}

/** The GB 3838 class a station's water actually has: its target, or one class better for a third of them. */
export function stationGrade(id: string, target: Gb3838Class): Gb3838Class {
  const i = GB3838_CLASSES.indexOf(target);
  return i > 0 && unit(hash32(id), 11) < 0.35 ? GB3838_CLASSES[i - 1]! : target;
}

/** A value inside class `grade` of a "max" row (at or below its limit), `u` in [0, 1). */
function inClassMax(limits: readonly number[], gi: number, u: number): number {
  const hi = limits[gi]!;
  const lo = gi > 0 && limits[gi - 1]! < hi ? limits[gi - 1]! : hi * 0.4;
  return lo + (hi - lo) * (0.25 + 0.6 * u);
}

/**
 * A WaterQualityObserved reading of a station at its 5-minute slot `t`, limited to `metrics`:
 * every GB 3838 parameter inside the station's class (`stationGrade`, never worse than its target),
 * dissolved oxygen and pH with their daily cycle (photosynthesis: highest mid-afternoon), water
 * temperature by season.
 */
export function waterReading(
  station: {
    id: string;
    targetClass: Gb3838Class | null;
    waterBody: WaterBody | null;
    metrics: readonly string[];
  },
  t: number,
): Record<string, number> {
  const seed = hash32(station.id);
  const slot = Math.floor(t / (5 * MIN));
  const { hour, dayOfYear } = localTime(t);
  const grade = stationGrade(station.id, station.targetClass ?? 'III');
  const gi = GB3838_CLASSES.indexOf(grade);
  const body = station.waterBody ?? 'river';
  const daily = Math.sin(((hour - 9) / 24) * 2 * Math.PI); // +1 at 15:00, -1 at 03:00
  const level = (k: number) =>
    Math.min(0.999, Math.max(0, unit(seed, 20 + k) * 0.8 + 0.1 + 0.06 * noise(seed, 20 + k, slot)));
  const doRow = GB3838_TABLE1.DO.limits;
  const doLo = doRow[gi]!;
  const doHi = gi > 0 ? doRow[gi - 1]! : 9.5;
  const values: Record<string, number> = {
    O2: round(
      doLo + (doHi - doLo) * (0.3 + 0.4 * unit(seed, 30) + 0.2 * daily * 0.5 + 0.04 * noise(seed, 30, slot)),
      2,
    ),
    NH4: round(inClassMax(GB3838_TABLE1['NH3-N'].limits, gi, level(1)), 3),
    cod: round(inClassMax(GB3838_TABLE1.COD.limits, gi, level(2)), 1),
    bod: round(inClassMax(GB3838_TABLE1.BOD5.limits, gi, level(3)), 1),
    PO4: round(inClassMax(GB3838_TABLE1.TP[body].limits, gi, level(4)), 3),
    pH: round(7.4 + 0.4 * unit(seed, 31) + 0.15 * daily + 0.03 * noise(seed, 31, slot), 2),
    // Chongqing rivers: ~10 °C in January, ~27 °C in early August.
    temperature: round(18.5 - 8.5 * Math.cos(((dayOfYear - 20) / 365) * 2 * Math.PI) + 0.6 * daily, 1),
    turbidity: round(8 + 30 * unit(seed, 32) * (1 + 0.1 * noise(seed, 32, slot)), 1),
    conductivity: round(0.025 + 0.025 * unit(seed, 33) + 0.001 * noise(seed, 33, slot), 4),
    tss: round(10 + 30 * unit(seed, 34), 1),
  };
  const out: Record<string, number> = {};
  for (const m of station.metrics) if (m in values) out[m] = values[m]!;
  return out;
}
