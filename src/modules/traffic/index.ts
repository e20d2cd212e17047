/** Public surface of the traffic module: road network, detectors on links, congestion index, alerts. */
export { buildDemoRoads, DEMO_ROADS_FILE, demoRoadsText } from './demo-network.ts';
export { findRuns, type Run, type RunRules, type SlotTti } from './traffic.congestion.ts';
export { aggregateIndex, curveOf, type IndexInput, type IndexSums, ratioOver } from './traffic.index.ts';
export {
  DEFAULT_FREE_FLOW_KMH,
  LEVEL_FLOORS,
  LEVEL_NAMES,
  LEVELS,
  type Level,
  levelOf,
  MAX_TTI,
  ROAD_CLASSES,
  type RoadClass,
  travelTimeIndex,
} from './traffic.levels.ts';
export { trafficMigrations } from './traffic.migrations.ts';
export { haversineM, type LinkInput, nearestLinks, parseNetwork } from './traffic.network.ts';
export { registerTrafficRoutes } from './traffic.routes.ts';
export type { Figures, IndexDto, LinksDto } from './traffic.schema.ts';
export {
  DEFAULT_TRAFFIC_OPTIONS,
  SLOT_MS,
  type TrafficDeps,
  type TrafficOptions,
  TrafficService,
} from './traffic.service.ts';
export { type CongestionAlert, CongestionAlertSchema, trafficSubjects } from './traffic.subjects.ts';
