/** Public surface of the life circle module: walking network, coverage per street, gaps, best sites. */
export {
  CATEGORIES,
  CATEGORY_NAMES,
  type Category,
  WALK_BUDGET_M,
  WALK_KMH,
  WALK_MINUTES,
} from './lifecircle.categories.ts';
export {
  type Coverage,
  computeCoverage,
  coverageByMultiSource,
  type StreetCoverage,
  streetCoverage,
} from './lifecircle.coverage.ts';
export { demoRoads, demoStreets } from './lifecircle.demo.ts';
export { demoFacilities, type Facility } from './lifecircle.facilities.ts';
export { lifecircleMigrations } from './lifecircle.migrations.ts';
export { buildModel, type CityModel, snapFacilities } from './lifecircle.model.ts';
export { type RoadInput, type StreetInput, snap, type WalkNetwork } from './lifecircle.network.ts';
export { hash32, seeded } from './lifecircle.random.ts';
export { registerLifeCircleRoutes } from './lifecircle.routes.ts';
export { type LifeCircleDeps, LifeCircleService, type UnmetNeedsSource } from './lifecircle.service.ts';
export { bestSites, candidateNodes, gapList } from './lifecircle.siting.ts';
export { Walker } from './lifecircle.walk.ts';
