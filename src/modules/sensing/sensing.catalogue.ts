/**
 * Device types and the attributes each reports, named as in the FIWARE Smart Data Models
 * (WaterQualityObserved, CrowdFlowObserved, TrafficFlowObserved, ParkingSpot).
 * Every reading is stored as a double: booleans as 1/0, enumerations as their index here.
 */

/** The device types the registry knows. */
export const DEVICE_TYPES = [
  'WaterQualityObserved',
  'CrowdFlowObserved',
  'TrafficFlowObserved',
  'ParkingSpot',
] as const;

/** One device type. */
export type DeviceType = (typeof DEVICE_TYPES)[number];

/** What one attribute holds and how it is encoded as a double. */
export type MetricSpec =
  | { kind: 'number'; unit?: string; min?: number; max?: number }
  | { kind: 'boolean' }
  | { kind: 'enum'; values: readonly string[] };

const num = (unit?: string): MetricSpec => (unit ? { kind: 'number', unit } : { kind: 'number' });
/** A number with a physical range: a reading outside it is dead-lettered (`out_of_range`). */
const ranged = (unit: string, min: number, max?: number): MetricSpec =>
  max === undefined ? { kind: 'number', unit, min } : { kind: 'number', unit, min, max };
const bool: MetricSpec = { kind: 'boolean' };

/** Attributes per type; names exactly as the FIWARE data models spell them (dissolved oxygen is `O2`). */
export const METRICS: Record<DeviceType, Record<string, MetricSpec>> = {
  WaterQualityObserved: {
    O2: num('mg/L'),
    NH4: num('mg/L'),
    NH3: num('mg/L'),
    NO3: num('mg/L'),
    NO2: num('mg/L'),
    PO4: num('mg/L'),
    cod: num('mg/L'),
    bod: num('mg/L'),
    pH: num(),
    temperature: num('°C'),
    conductivity: num('S/m'),
    turbidity: num('NTU'),
    tss: num('mg/L'),
    tds: num('mg/L'),
    salinity: num(),
    orp: num('mV'),
    Chla: num('mg/m3'),
    'Cl-': num('mg/L'),
    escherichiaColi: num('MPN/L'),
    flow: num('m3/s'),
    Pb: num('mg/L'),
    Hg: num('mg/L'),
    Cd: num('mg/L'),
  },
  CrowdFlowObserved: {
    peopleCount: num(),
    peopleCountTowards: num(),
    peopleCountAway: num(),
    occupancy: num(),
    averageCrowdSpeed: num('m/s'),
    averageHeadwayTime: num('s'),
    congested: bool,
  },
  TrafficFlowObserved: {
    intensity: ranged('vehicles', 0),
    occupancy: num(),
    // A loop detector's speed is never negative; above 200 km/h on a city road is a fault, not traffic.
    averageVehicleSpeed: ranged('km/h', 0, 200),
    averageVehicleLength: num('m'),
    averageGapDistance: num('m'),
    averageHeadwayTime: num('s'),
    congested: bool,
  },
  ParkingSpot: {
    // free=0 and occupied=1 first, so the hourly mean of a free/occupied spot is its occupancy.
    status: { kind: 'enum', values: ['free', 'occupied', 'closed', 'unknown'] },
  },
};

/**
 * Descriptive attributes a payload may carry that are not readings (ids, references, lane
 * metadata, FIWARE's own timestamps); accepted and not stored.
 */
export const METADATA_KEYS: ReadonlySet<string> = new Set([
  'id',
  'type',
  'dateObserved',
  'dateObservedFrom',
  'dateObservedTo',
  'location',
  'laneId',
  'laneDirection',
  'reversedLane',
  'vehicleType',
  'direction',
  'refRoadSegment',
  'refPointOfInterest',
  'refParkingSite',
  'refDevice',
  'category',
  'measurand',
]);

/** The attributes a device of this type reports by default (used when a registration names none). */
export const DEFAULT_METRICS: Record<DeviceType, string[]> = {
  WaterQualityObserved: ['O2', 'NH4', 'cod', 'PO4', 'pH', 'temperature', 'turbidity', 'conductivity'],
  CrowdFlowObserved: ['peopleCount', 'occupancy', 'averageCrowdSpeed', 'congested'],
  TrafficFlowObserved: ['intensity', 'occupancy', 'averageVehicleSpeed', 'congested'],
  ParkingSpot: ['status'],
};

/** True when `metric` is an attribute of devices of `type`. */
export function isMetricOf(type: DeviceType, metric: string): boolean {
  return Object.hasOwn(METRICS[type], metric);
}

/** Turns a stored double back into the attribute's own value (boolean, enumeration label or number). */
export function decodeValue(type: DeviceType, metric: string, value: number): number | boolean | string {
  const spec = METRICS[type][metric];
  if (spec?.kind === 'boolean') return value !== 0;
  if (spec?.kind === 'enum') return spec.values[value] ?? 'unknown';
  return value;
}
