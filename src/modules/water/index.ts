/**
 * Public surface of the water module: GB 3838 classing, Jobson travel time, river network,
 * tracing, arrival, plan inputs, and the water-class map layer.
 */
export {
  concentration,
  decayRateFromT90,
  elderDispersion,
  peakConcentrationAt,
  type Release,
  seoCheongDispersion,
  shearVelocity,
} from './advection-dispersion.ts';
export {
  type Arrival,
  type ArrivalResult,
  predictArrivals,
  type SpillQuery,
  slickMassKg,
} from './arrival.ts';
export { buildDemoNetwork } from './demo-network.ts';
export {
  assess,
  classify,
  describeLimit,
  FIWARE_TO_GB3838,
  GB3838_CLASSES,
  GB3838_PH_RANGE,
  GB3838_TABLE1,
  type Gb3838Class,
  type Gb3838Grade,
  type Gb3838Parameter,
  gradeRank,
  isWorseThan,
  limitOf,
  type WaterBody,
} from './gb3838.ts';
export {
  dimensionlessDrainageArea,
  G,
  type JobsonPrediction,
  type JobsonReach,
  LEADING_EDGE_RATIO,
  leadingEdgeTime,
  passageTime,
  peakConcentration,
  peakVelocity,
  peakVelocityWithoutSlope,
  peakVelocityWithSlope,
  predictReach,
  relativeDischarge,
  timeOfPeak,
  unitPeakConcentration,
  type VelocityCase,
} from './jobson.ts';
export {
  type Intake,
  type NetworkData,
  type NetworkInput,
  NetworkSchema,
  type PollutionSource,
  type Position,
  type Reach,
  type Reservoir,
  type Section,
} from './network.schema.ts';
export {
  downstreamPath,
  type PathStep,
  planarDistance,
  RiverNetwork,
  walkUpstream,
} from './network.ts';
export {
  type DilutionRelease,
  type InterceptDam,
  type PlanInputs,
  type PlanInputsQuery,
  planInputs,
  releaseTravelTime,
  type StopOrder,
} from './plan-inputs.ts';
export { type SectionStatus, sectionStatus } from './sections.ts';
export {
  POLLUTANT_T90_H,
  pollutantMatches,
  TRACE_FORMULA,
  type TraceCandidate,
  type TraceQuery,
  type TraceResult,
  traceUpstream,
} from './trace.ts';
export { registerWaterClassRoutes, type WaterClassRouteDeps } from './water-class.routes.ts';
export { WATER_GRADES, type WaterReadings } from './water-class.ts';
