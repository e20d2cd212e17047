/**
 * Inputs of a crowd-dispersal plan from the risk points: police officers in proportion to the
 * excess persons above a target density (assumption: 1 officer per 200 excess persons, at least 4
 * per risk point — a planning ratio, not a standard), flow limits at metro stations within a
 * radius of any risk point (and the lines serving them), temporary passages at malls within a
 * radius, guidance messages, and the departments that receive tasks.
 */
import type { AreaRisk, CrowdArea } from './risk.ts';

export interface MetroStation {
  id: string;
  name: string;
  nameEn?: string;
  lines: string[];
  coordinates: [number, number];
  approximate?: boolean;
}

export interface Mall {
  id: string;
  name: string;
  nameEn?: string;
  coordinates: [number, number];
  approximate?: boolean;
}

export interface DispersalOptions {
  /** Density to bring each risk point back to, persons/m² (default 1.08, the top of Fruin's D). */
  targetDensity?: number;
  personsPerOfficer?: number;
  minOfficersPerPoint?: number;
  stationRadiusM?: number;
  mallRadiusM?: number;
}

export const DEFAULT_DISPERSAL: Required<DispersalOptions> = {
  targetDensity: 1.08,
  personsPerOfficer: 200,
  minOfficersPerPoint: 4,
  stationRadiusM: 500,
  mallRadiusM: 300,
};

/** Departments a dispersal plan tasks (the story's six). */
export const DISPERSAL_DEPARTMENTS = [
  'public_security',
  'transport_metro',
  'commerce',
  'urban_management',
  'district_government',
  'street_office',
] as const;

export interface PointPlan {
  areaId: string;
  name: string;
  level: AreaRisk['level'];
  /** Persons above the target density, at the worse of now and the forecast. */
  excessPersons: number;
  officers: number;
}

export interface Nearby<T> {
  item: T;
  distanceM: number;
  /** The nearest risk point. */
  areaId: string;
}

export interface DispersalPlan {
  points: PointPlan[];
  officers: number;
  stations: Nearby<MetroStation>[];
  linesLimited: string[];
  malls: Nearby<Mall>[];
  messages: { zh: string; en: string }[];
  departments: readonly string[];
  assumptions: string[];
}

/** Metres between two lon/lat points (equirectangular, fine within a city). */
export function distanceM(a: readonly [number, number], b: readonly [number, number]): number {
  const k = Math.cos((((a[1] + b[1]) / 2) * Math.PI) / 180);
  return Math.hypot((b[0] - a[0]) * k, b[1] - a[1]) * 111_195;
}

function within<T extends { coordinates: [number, number] }>(
  items: readonly T[],
  areas: readonly CrowdArea[],
  radiusM: number,
): Nearby<T>[] {
  const out: Nearby<T>[] = [];
  for (const item of items) {
    let best: Nearby<T> | undefined;
    for (const area of areas) {
      const d = distanceM(item.coordinates, area.centre);
      if (d <= radiusM && (!best || d < best.distanceM)) best = { item, distanceM: d, areaId: area.id };
    }
    if (best) out.push(best);
  }
  return out.sort((a, b) => a.distanceM - b.distanceM);
}

/** Build the dispersal plan inputs for the given risk points. */
export function planDispersal(
  points: readonly AreaRisk[],
  areas: readonly CrowdArea[],
  stations: readonly MetroStation[],
  malls: readonly Mall[],
  options: DispersalOptions = {},
): DispersalPlan {
  const o = { ...DEFAULT_DISPERSAL, ...options };
  const byId = new Map(areas.map((a) => [a.id, a]));
  const riskAreas = points.map((p) => {
    const area = byId.get(p.areaId);
    if (!area) throw new RangeError(`unknown area ${p.areaId}`);
    return area;
  });
  const plans: PointPlan[] = points.map((p, i) => {
    const area = riskAreas[i]!;
    const density = Math.max(p.density, p.forecastDensity);
    const excessPersons = Math.max(0, Math.round((density - o.targetDensity) * area.walkableM2));
    const officers = Math.max(o.minOfficersPerPoint, Math.ceil(excessPersons / o.personsPerOfficer));
    return { areaId: p.areaId, name: p.name, level: p.level, excessPersons, officers };
  });
  const nearStations = within(stations, riskAreas, o.stationRadiusM);
  const nearMalls = within(malls, riskAreas, o.mallRadiusM);
  const linesLimited = [...new Set(nearStations.flatMap((s) => s.item.lines))].sort();
  const messages = plans.map((p) => {
    const risk = points.find((r) => r.areaId === p.areaId)!;
    return {
      zh: `${p.name}人流密集（预计${risk.horizonMin}分钟后${risk.forecastDensity.toFixed(1)}人/平方米），请听从现场指挥，绕行分流。`,
      en: `${byId.get(p.areaId)!.nameEn ?? p.name} is crowded (forecast ${risk.forecastDensity.toFixed(1)} persons/m² in ${risk.horizonMin} min): follow the officers, take another route.`,
    };
  });
  if (nearStations.length > 0) {
    messages.push({
      zh: `${nearStations.map((s) => s.item.name).join('、')}站实施限流，请错峰出行。`,
      en: `Entry limits at ${nearStations.map((s) => s.item.nameEn ?? s.item.name).join(', ')} station(s): please travel later.`,
    });
  }
  return {
    points: plans,
    officers: plans.reduce((s, p) => s + p.officers, 0),
    stations: nearStations,
    linesLimited,
    malls: nearMalls,
    messages,
    departments: DISPERSAL_DEPARTMENTS,
    assumptions: [
      `target density ${o.targetDensity}/m² (top of Fruin LOS D)`,
      `1 officer per ${o.personsPerOfficer} excess persons, at least ${o.minOfficersPerPoint} per risk point (planning assumption)`,
      `metro stations within ${o.stationRadiusM} m and malls within ${o.mallRadiusM} m of a risk point's centre`,
    ],
  };
}
