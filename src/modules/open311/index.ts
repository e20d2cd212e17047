/** Public surface of the Open311 GeoReport v2 module. */
export { ensureOpen311Key, OPEN311_DEMO_KEY_NAME } from './open311.demo.ts';
export { open311Status } from './open311.errors.ts';
export {
  crowdPlaces,
  Gazetteer,
  jurisdictionPlaces,
  type Place,
  sectionPlaces,
} from './open311.gazetteer.ts';
export { registerOpen311Routes } from './open311.routes.ts';
export { OPEN311_SERVICES_FILE, type Open311Deps, Open311Service } from './open311.service.ts';
