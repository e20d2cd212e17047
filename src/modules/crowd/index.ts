/**
 * Public surface of the crowd module: Fruin levels of service, Holt forecast, risk and dispersal
 * inputs, and the crowd-density map layer.
 */
export {
  type CrowdFile,
  CrowdFileSchema,
  type CrowdScenario,
} from './crowd.schema.ts';
export { registerCrowdDensityRoutes } from './crowd-density.routes.ts';
export { crowdDensity } from './crowd-density.ts';
export { scenarioCounts } from './demo-scenario.ts';
export {
  DEFAULT_DISPERSAL,
  DISPERSAL_DEPARTMENTS,
  type DispersalOptions,
  type DispersalPlan,
  distanceM,
  type Mall,
  type MetroStation,
  type PointPlan,
  planDispersal,
} from './dispersal.ts';
export {
  fitHolt,
  forecastAt,
  type HoltFit,
  holt,
  resample,
  type Sample,
  trendPerMinute,
} from './forecast.ts';
export { LEVELS, type Los, losFromDensity, losFromFlow, losFromSpace, losRank } from './fruin.ts';
export {
  type AreaRisk,
  assessArea,
  type CrowdArea,
  DEFAULT_THRESHOLDS,
  RISK_LEVELS,
  type RiskLevel,
  type RiskOptions,
  type RiskThresholds,
  riskPoints,
} from './risk.ts';
