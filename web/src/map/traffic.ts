/** Congestion levels of the traffic layer (the server's five, best first), then "no reading". */
export const TRAFFIC_LEVELS = ['free', 'basic', 'light', 'moderate', 'severe'] as const;
/** A level. */
export type TrafficLevel = (typeof TRAFFIC_LEVELS)[number];

/**
 * Colours as Chinese traffic maps draw road states (green free flowing, yellow slow, red and dark
 * red congested); grey: no reading in the last 15 minutes.
 */
export const TRAFFIC_COLOURS: Record<TrafficLevel | 'none', [number, number, number]> = {
  free: [34, 170, 80],
  basic: [150, 200, 60],
  light: [250, 200, 30],
  moderate: [240, 90, 30],
  severe: [160, 20, 30],
  none: [150, 160, 175],
};

/** Colour of a link's level. */
export function trafficColour(level: string | null | undefined): [number, number, number] {
  return TRAFFIC_COLOURS[(level ?? 'none') as TrafficLevel | 'none'] ?? TRAFFIC_COLOURS.none;
}
