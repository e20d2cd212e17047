/** Public surface of the parking module: shared staggered parking (OffStreetParking, ParkingGroup, ParkingSpot). */
export {
  buildDemoParking,
  DEMO_SITES,
  DEMO_SPACES_PER_SITE,
  type DemoSite,
  demoSensors,
  OWNER_OFFERS,
  type OwnerKind,
} from './parking.demo.ts';
export { distanceM, type MatchRequest, type MatchSpace, matchNaive, matchRequests } from './parking.match.ts';
export { parkingMigrations } from './parking.migrations.ts';
export { DEFAULT_PARKING_OPTIONS, type ParkingOptions } from './parking.options.ts';
export { registerParkingRoutes } from './parking.routes.ts';
export type { BookingDto, SiteResult, UtilisationDto } from './parking.schema.ts';
export { type ParkingDeps, ParkingService } from './parking.service.ts';
export { covers, type OfferWindow, occurrences, offeredMs } from './parking.windows.ts';
