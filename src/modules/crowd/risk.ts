/**
 * Crowd risk per area from people counts: density now, trend, Holt forecast at a horizon, Fruin
 * level of service now and forecast, and a risk level that rises BEFORE the critical density:
 * - critical: density now ≥ 3.5 /m², or forecast ≥ 4 /m² — Still: flow collapses near 4 /m²;
 * - warning: level of service E or F now or forecast (> 1.08 /m²; crossing Fruin's F edge
 *   2.15 /m² within the horizon is therefore a warning at the latest) — Fruin 1971;
 * - attention: level D now or forecast (> 0.72 /m²), or density rising faster than 0.02 /m²/min
 *   at level C or worse — Helbing & Johansson: trends (stop-and-go, turbulence) precede disasters;
 * - normal otherwise.
 */
import { fitHolt, forecastAt, type Sample, trendPerMinute } from './forecast.ts';
import { type Los, losFromDensity, losRank, worse } from './fruin.ts';

/** A pedestrian area with its walkable surface. */
export interface CrowdArea {
  id: string;
  name: string;
  nameEn?: string;
  /** Outer ring, lon/lat. */
  polygon: [number, number][];
  walkableM2: number;
  /** Representative point (lon/lat) for distances. */
  centre: [number, number];
  approximate?: boolean;
}

export const RISK_LEVELS = ['normal', 'attention', 'warning', 'critical'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export interface RiskThresholds {
  criticalNow: number;
  criticalForecast: number;
  /** Density above which the level of service is E (Fruin). */
  warningDensity: number;
  /** Density above which the level of service is D (Fruin). */
  attentionDensity: number;
  /** Rising rate (persons/m²/min) that alone calls for attention at level C or worse. */
  risingPerMin: number;
  /** Fruin's F edge, reported as minutes-to-cross. */
  losFDensity: number;
}

export const DEFAULT_THRESHOLDS: RiskThresholds = {
  criticalNow: 3.5,
  criticalForecast: 4,
  warningDensity: 1.08,
  attentionDensity: 0.72,
  risingPerMin: 0.02,
  losFDensity: 2.15,
};

export interface RiskOptions {
  horizonMs?: number;
  stepMs?: number;
  thresholds?: Partial<RiskThresholds>;
}

export interface AreaRisk {
  areaId: string;
  name: string;
  at: number;
  count: number;
  density: number;
  /** Change of density per minute (Holt trend). */
  trendPerMin: number;
  direction: 'rising' | 'steady' | 'falling';
  horizonMin: number;
  forecastCount: number;
  forecastDensity: number;
  losNow: Los;
  losForecast: Los;
  level: RiskLevel;
  /** Minutes until Fruin's F edge / the critical 4 /m² at the current trend, when rising towards it. */
  minutesToLosF?: number;
  minutesToCritical?: number;
  reasons: string[];
}

const minutesTo = (target: number, from: number, perMin: number) =>
  from < target && perMin > 0 ? (target - from) / perMin : undefined;

/** Assess one area from its recent counts (at least one sample). */
export function assessArea(area: CrowdArea, counts: readonly Sample[], options: RiskOptions = {}): AreaRisk {
  if (counts.length === 0) throw new RangeError(`no counts for ${area.id}`);
  const th = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  const horizonMs = options.horizonMs ?? 15 * 60_000;
  const fit = fitHolt(counts, { stepMs: options.stepMs ?? 60_000 });
  const last = [...counts].sort((a, b) => a.t - b.t).at(-1)!;
  const density = last.value / area.walkableM2;
  const forecastCount = Math.max(0, forecastAt(fit, horizonMs));
  const forecastDensity = forecastCount / area.walkableM2;
  const trend = trendPerMinute(fit) / area.walkableM2;
  const losNow = losFromDensity(density);
  const losForecast = losFromDensity(forecastDensity);
  const reasons: string[] = [];
  const horizonMin = horizonMs / 60_000;
  let level: RiskLevel = 'normal';
  if (density >= th.criticalNow || forecastDensity >= th.criticalForecast) {
    level = 'critical';
    reasons.push(
      density >= th.criticalNow
        ? `density ${density.toFixed(2)}/m² ≥ ${th.criticalNow}`
        : `forecast ${forecastDensity.toFixed(2)}/m² in ${horizonMin} min ≥ ${th.criticalForecast} (Still: flow collapse near 4/m²)`,
    );
  } else if (density > th.warningDensity || forecastDensity > th.warningDensity) {
    level = 'warning';
    reasons.push(`level of service ${worse(losNow, losForecast)} (Fruin) now or within ${horizonMin} min`);
  } else if (
    density > th.attentionDensity ||
    forecastDensity > th.attentionDensity ||
    (trend > th.risingPerMin && losRank(worse(losNow, losForecast)) >= losRank('C'))
  ) {
    level = 'attention';
    reasons.push(
      trend > th.risingPerMin
        ? `density rising ${trend.toFixed(3)}/m²/min`
        : `level of service ${worse(losNow, losForecast)}`,
    );
  }
  const steady = Math.abs(trend) < 0.002;
  const rising = steady ? 0 : trend;
  const minutesToLosF = minutesTo(th.losFDensity, density, rising);
  const minutesToCritical = minutesTo(th.criticalForecast, density, rising);
  if (minutesToLosF !== undefined && minutesToLosF <= horizonMin) {
    reasons.push(`crosses ${th.losFDensity}/m² (LOS F) in about ${minutesToLosF.toFixed(0)} min`);
  }
  return {
    areaId: area.id,
    name: area.name,
    at: last.t,
    count: last.value,
    density,
    trendPerMin: trend,
    direction: steady ? 'steady' : trend > 0 ? 'rising' : 'falling',
    horizonMin,
    forecastCount,
    forecastDensity,
    losNow,
    losForecast,
    level,
    ...(minutesToLosF === undefined ? {} : { minutesToLosF }),
    ...(minutesToCritical === undefined ? {} : { minutesToCritical }),
    reasons,
  };
}

/** Risk points: areas at `minLevel` or above, most severe first (then highest forecast density). */
export function riskPoints(risks: readonly AreaRisk[], minLevel: RiskLevel = 'warning'): AreaRisk[] {
  const rank = (l: RiskLevel) => RISK_LEVELS.indexOf(l);
  return risks
    .filter((r) => rank(r.level) >= rank(minLevel))
    .sort((a, b) => rank(b.level) - rank(a.level) || b.forecastDensity - a.forecastDensity);
}
