/**
 * Fruin (1971) walkway levels of service A–F, from density (persons/m²), space (m²/person) and
 * unit flow (persons/min/m), with the band edges of domain-references.md. A value exactly on an
 * edge belongs to the better level, as the table reads (A "≤ 0.31", B "0.31–0.43", … F "> 2.15";
 * flow A "< 23", B "23–33", … E "66–82", F "> 82").
 */

export const LEVELS = ['A', 'B', 'C', 'D', 'E', 'F'] as const;
export type Los = (typeof LEVELS)[number];

/** Upper density edge of A..E, persons/m² (F is above 2.15). */
export const DENSITY_EDGES = [0.31, 0.43, 0.72, 1.08, 2.15] as const;
/** Lower space edge of A..E, m²/person (F is below 0.46). */
export const SPACE_EDGES = [3.25, 2.32, 1.39, 0.93, 0.46] as const;
/** Lower flow edge of B..E, persons/min/m; E ends at 82 inclusive, F is above. */
export const FLOW_EDGES = [23, 33, 49, 66] as const;
export const FLOW_F_ABOVE = 82;

/** Level of service from density, persons/m². */
export function losFromDensity(density: number): Los {
  const i = DENSITY_EDGES.findIndex((edge) => density <= edge);
  return LEVELS[i < 0 ? 5 : i]!;
}

/** Level of service from space per person, m². */
export function losFromSpace(m2PerPerson: number): Los {
  const i = SPACE_EDGES.findIndex((edge) => m2PerPerson >= edge);
  return LEVELS[i < 0 ? 5 : i]!;
}

/** Level of service from unit flow, persons per minute per metre of walkway width. */
export function losFromFlow(flow: number): Los {
  if (flow > FLOW_F_ABOVE) return 'F';
  let i = 0;
  while (i < FLOW_EDGES.length && flow >= FLOW_EDGES[i]!) i++;
  return LEVELS[i]!;
}

/** 0 for A … 5 for F. */
export function losRank(los: Los): number {
  return LEVELS.indexOf(los);
}

/** The worse of two levels. */
export function worse(a: Los, b: Los): Los {
  return losRank(a) >= losRank(b) ? a : b;
}
