/**
 * GB 3838-2002 "Environmental quality standards for surface water", Table 1 (basic items,
 * mg/L): the limits of the five classes for the parameters the sensing pipeline measures,
 * and the class a reading (or a set of readings) falls in. Worse than class V is 劣V.
 */

/** The five classes, best first. */
export const GB3838_CLASSES = ['I', 'II', 'III', 'IV', 'V'] as const;

/** A target class of a monitoring section. */
export type Gb3838Class = (typeof GB3838_CLASSES)[number];

/** The class a value falls in: one of the five, or 劣V (worse than V). */
export type Gb3838Grade = Gb3838Class | '劣V';

/** Parameters of Table 1 implemented here. */
export type Gb3838Parameter = 'DO' | 'COD' | 'CODMn' | 'BOD5' | 'NH3-N' | 'TP' | 'pH';

/** Whether the limit is a minimum (dissolved oxygen) or a maximum (pollutants). */
interface Row {
  direction: 'min' | 'max';
  limits: readonly [number, number, number, number, number];
}

/** Rivers and lakes/reservoirs differ only in total phosphorus. */
export type WaterBody = 'river' | 'lake';

/** Table 1 of GB 3838-2002, limits for classes I..V. */
export const GB3838_TABLE1: Record<Exclude<Gb3838Parameter, 'pH' | 'TP'>, Row> & {
  TP: Record<WaterBody, Row>;
} = {
  DO: { direction: 'min', limits: [7.5, 6, 5, 3, 2] },
  COD: { direction: 'max', limits: [15, 15, 20, 30, 40] },
  CODMn: { direction: 'max', limits: [2, 4, 6, 10, 15] },
  BOD5: { direction: 'max', limits: [3, 3, 4, 6, 10] },
  'NH3-N': { direction: 'max', limits: [0.15, 0.5, 1.0, 1.5, 2.0] },
  TP: {
    river: { direction: 'max', limits: [0.02, 0.1, 0.2, 0.3, 0.4] },
    lake: { direction: 'max', limits: [0.01, 0.025, 0.05, 0.1, 0.2] },
  },
};

/** pH range that every class I–V requires. */
export const GB3838_PH_RANGE = [6, 9] as const;

/**
 * FIWARE WaterQualityObserved attribute → GB 3838 parameter. `NH4` carries ammonia nitrogen
 * (NH3-N) and `PO4` total phosphorus, as domain-references.md assigns them.
 */
export const FIWARE_TO_GB3838: Readonly<Record<string, Gb3838Parameter>> = {
  O2: 'DO',
  cod: 'COD',
  bod: 'BOD5',
  NH4: 'NH3-N',
  PO4: 'TP',
  pH: 'pH',
};

function rowOf(parameter: Exclude<Gb3838Parameter, 'pH'>, body: WaterBody): Row {
  return parameter === 'TP' ? GB3838_TABLE1.TP[body] : GB3838_TABLE1[parameter];
}

/** The best class whose limit `value` meets (DO at or above the minimum, others at or below the maximum). */
export function classify(parameter: Gb3838Parameter, value: number, body: WaterBody = 'river'): Gb3838Grade {
  if (parameter === 'pH') return value >= GB3838_PH_RANGE[0] && value <= GB3838_PH_RANGE[1] ? 'I' : '劣V';
  const row = rowOf(parameter, body);
  for (let i = 0; i < GB3838_CLASSES.length; i++) {
    const limit = row.limits[i]!;
    if (row.direction === 'min' ? value >= limit : value <= limit) return GB3838_CLASSES[i]!;
  }
  return '劣V';
}

/** Index of a grade, 0 for I … 5 for 劣V (larger is worse). */
export function gradeRank(grade: Gb3838Grade): number {
  return grade === '劣V' ? GB3838_CLASSES.length : GB3838_CLASSES.indexOf(grade);
}

/** True when `value` is worse than the `target` class: the section is out of standard (超标). */
export function isWorseThan(
  parameter: Gb3838Parameter,
  value: number,
  target: Gb3838Class,
  body: WaterBody = 'river',
): boolean {
  return gradeRank(classify(parameter, value, body)) > gradeRank(target);
}

/** The limit of `target` for the parameter (for pH: the violated bound is shown as the range). */
export function limitOf(parameter: Gb3838Parameter, target: Gb3838Class, body: WaterBody = 'river'): number {
  if (parameter === 'pH') return GB3838_PH_RANGE[0];
  return rowOf(parameter, body).limits[GB3838_CLASSES.indexOf(target)]!;
}

/** Human form of the target: "≥ 5" for DO, "≤ 1" for NH3-N, "6–9" for pH. */
export function describeLimit(
  parameter: Gb3838Parameter,
  target: Gb3838Class,
  body: WaterBody = 'river',
): string {
  if (parameter === 'pH') return `${GB3838_PH_RANGE[0]}–${GB3838_PH_RANGE[1]}`;
  const row = rowOf(parameter, body);
  return `${row.direction === 'min' ? '≥' : '≤'} ${limitOf(parameter, target, body)}`;
}

/**
 * Overall class of a set of readings (FIWARE attribute names): the worst parameter decides.
 * Returns undefined when no attribute maps onto Table 1.
 */
export function assess(
  readings: Record<string, number>,
  body: WaterBody = 'river',
): { grade: Gb3838Grade; worst: string[] } | undefined {
  let worstRank = -1;
  let worst: string[] = [];
  for (const [metric, value] of Object.entries(readings)) {
    const parameter = FIWARE_TO_GB3838[metric];
    if (!parameter) continue;
    const rank = gradeRank(classify(parameter, value, body));
    if (rank > worstRank) [worstRank, worst] = [rank, [metric]];
    else if (rank === worstRank) worst.push(metric);
  }
  if (worstRank < 0) return undefined;
  return { grade: worstRank === 5 ? '劣V' : GB3838_CLASSES[worstRank]!, worst };
}
