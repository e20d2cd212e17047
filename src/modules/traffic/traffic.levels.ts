/**
 * The travel-time index (Amap's 拥堵延时指数: actual travel time / free-flow travel time) of one
 * link and slot, and its five congestion levels (named as Beijing's TPI levels). See README.md
 * for the sources and where our bands come from.
 */

/** The five levels, best first (Beijing TPI names: 畅通 … 严重拥堵). */
export const LEVELS = ['free', 'basic', 'light', 'moderate', 'severe'] as const;
/** One congestion level. */
export type Level = (typeof LEVELS)[number];

/** Lower TTI bound of each level after the first: 1.5 / 1.8 / 2.0 are Amap's bands, 1.2 is ours. */
export const LEVEL_FLOORS: Readonly<Record<Exclude<Level, 'free'>, number>> = {
  basic: 1.2,
  light: 1.5,
  moderate: 1.8,
  severe: 2.0,
};

/** Display names of the levels. */
export const LEVEL_NAMES: Readonly<Record<Level, { zh: string; en: string }>> = {
  free: { zh: '畅通', en: 'Free flow' },
  basic: { zh: '基本畅通', en: 'Basically free' },
  light: { zh: '轻度拥堵', en: 'Light congestion' },
  moderate: { zh: '中度拥堵', en: 'Moderate congestion' },
  severe: { zh: '严重拥堵', en: 'Severe congestion' },
};

/** A standstill would make the index infinite: it is capped here (Amap's published city indices stay far below). */
export const MAX_TTI = 10;

/** Road classes with their default free-flow speed (km/h) when no night-time speeds are known. */
export const ROAD_CLASSES = ['expressway', 'arterial', 'secondary'] as const;
/** One road class. */
export type RoadClass = (typeof ROAD_CLASSES)[number];
/** Design-speed defaults (CJJ 37-2012 urban road design speeds: expressway 60–100, arterial 40–60, secondary 30–50). */
export const DEFAULT_FREE_FLOW_KMH: Readonly<Record<RoadClass, number>> = {
  expressway: 80,
  arterial: 50,
  secondary: 40,
};

/**
 * Travel-time index of a link: free-flow time / actual time = free-flow speed / space speed, at
 * least 1 (a link faster than free flow is free flowing) and at most MAX_TTI.
 */
export function travelTimeIndex(freeFlowKmh: number, speedKmh: number): number {
  if (!(speedKmh > 0)) return MAX_TTI;
  const x = freeFlowKmh / speedKmh;
  return Math.min(MAX_TTI, Math.max(1, x));
}

/** The level of an index. */
export function levelOf(tti: number): Level {
  if (tti >= LEVEL_FLOORS.severe) return 'severe';
  if (tti >= LEVEL_FLOORS.moderate) return 'moderate';
  if (tti >= LEVEL_FLOORS.light) return 'light';
  if (tti >= LEVEL_FLOORS.basic) return 'basic';
  return 'free';
}

/** Rank of a level, 0 (free) … 4 (severe). */
export function levelRank(level: Level): number {
  return LEVELS.indexOf(level);
}
