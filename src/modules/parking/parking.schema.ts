import { z } from 'zod';
import { OfferWindowSchema } from './parking.windows.ts';

const Instant = z.iso.datetime({ offset: true });
/** A Chinese licence plate: province character, letter, 5 (fuel) or 6 (new energy) letters/digits. */
export const PlateSchema = z
  .string()
  .regex(/^[\u4e00-\u9fa5][A-Z][A-HJ-NP-Z0-9]{5,6}$/)
  .describe('licence plate, e.g. 渝A12345');

/** GET /api/v1/parking/spaces. */
export const SearchQuerySchema = z.object({
  lon: z.coerce.number().min(-180).max(180),
  lat: z.coerce.number().min(-90).max(90),
  radius: z.coerce.number().min(1).max(5000).default(800).describe('metres around the destination'),
  from: Instant.describe('start of the wanted window'),
  to: Instant.describe('end of the wanted window (at most 24 h after from)'),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
export type SearchQuery = z.infer<typeof SearchQuerySchema>;

const Location = z.object({ type: z.literal('Point'), coordinates: z.tuple([z.number(), z.number()]) });

/** A ParkingGroup: the spaces of a site shared in the same weekly windows. */
export const ParkingGroupSchema = z.object({
  id: z.string(),
  type: z.literal('ParkingGroup'),
  name: z.string(),
  refParkingSite: z.string(),
  totalSpotNumber: z.number(),
  availableSpotNumber: z.number().describe('spaces of the group free for the whole wanted window'),
  offeredWindows: z.array(OfferWindowSchema),
});

/** An OffStreetParking site near the destination, with its spaces free for the window. */
export const SiteResultSchema = z.object({
  id: z.string(),
  type: z.literal('OffStreetParking'),
  name: z.string(),
  ownerKind: z.enum(['office', 'mall', 'residential']),
  synthetic: z.boolean().describe('generated demo data'),
  location: Location,
  distanceM: z.number(),
  totalSpotNumber: z.number(),
  availableSpotNumber: z.number(),
  occupiedSpotNumber: z.number().describe('spaces whose sensor reports occupied now'),
  occupancy: z.number().describe('occupiedSpotNumber / totalSpotNumber'),
  groups: z.array(ParkingGroupSchema),
  freeSpots: z.array(z.string()).describe('ids of ParkingSpot free for the window (up to 10)'),
});
export const SearchResultSchema = z.object({ from: Instant, to: Instant, items: z.array(SiteResultSchema) });
export type SiteResult = z.infer<typeof SiteResultSchema>;

/** GET /api/v1/parking/sites. */
export const SitesQuerySchema = z.object({
  area: z.string().min(1).max(100).optional().describe('district or street code: its sites'),
});

/** One site on the map: compact (the cockpit's parking layer). */
export const SiteStateSchema = z.object({
  id: z.string(),
  name: z.string(),
  ownerKind: z.enum(['office', 'mall', 'residential']),
  lon: z.number(),
  lat: z.number(),
  total: z.number().describe('shared spaces of the site (totalSpotNumber)'),
  free: z
    .number()
    .describe('spaces offered now, not reported occupied or closed, held by no running booking'),
  occupied: z.number().describe('spaces whose sensor reports occupied now'),
  sharedNow: z.boolean().describe('whether any of its groups is offered now'),
  windows: z.array(OfferWindowSchema).describe('the weekly windows of its groups (local time)'),
});

/** The parking layer: every site in scope with its availability now. */
export const SitesSchema = z.object({
  at: Instant,
  totals: z.object({ sites: z.number(), total: z.number(), free: z.number(), occupied: z.number() }),
  items: z.array(SiteStateSchema),
});
export type SitesDto = z.infer<typeof SitesSchema>;

/** One shared space (ParkingSpot). */
export const ParkingSpotSchema = z.object({
  id: z.string(),
  type: z.literal('ParkingSpot'),
  status: z.enum(['free', 'occupied', 'closed', 'unknown']),
  category: z.array(z.enum(['onStreet', 'offStreet'])),
  refParkingSite: z.string(),
  refParkingGroup: z.string(),
  refDevice: z.string().nullable().describe('the occupancy sensor (a ParkingSpot device of the registry)'),
  location: Location,
  dateModified: Instant.nullable().describe('when the sensor last reported'),
});
export type ParkingSpotDto = z.infer<typeof ParkingSpotSchema>;

/** POST /api/v1/parking/bookings. */
export const BookSchema = z.object({
  spotId: z.string().min(1).max(100),
  plate: PlateSchema,
  from: Instant,
  to: Instant,
});
export type BookInput = z.infer<typeof BookSchema>;

export const BOOKING_STATUSES = ['booked', 'occupied', 'completed', 'cancelled', 'no_show'] as const;

/** A booking (the plate masked). */
export const BookingSchema = z.object({
  id: z.string(),
  refParkingSpot: z.string(),
  refParkingSite: z.string(),
  plate: z.string().describe('masked: 渝A***45'),
  from: Instant,
  to: Instant,
  status: z.enum(BOOKING_STATUSES),
  overstay: z.boolean().describe('still occupied after the booked end (plus grace)'),
  occupiedAt: Instant.nullable(),
  releasedAt: Instant.nullable(),
});
export type BookingDto = z.infer<typeof BookingSchema>;

/** POST /api/v1/parking/bookings/:id/cancel. */
export const CancelSchema = z.object({ plate: PlateSchema.describe('the plate the booking was made for') });

/** GET /api/v1/parking/utilisation. */
export const UtilisationQuerySchema = z.object({
  day: z.iso.date().describe('local day (UTC+8), YYYY-MM-DD; default today'),
  site: z.string().min(1).max(100).optional().describe('one site (OffStreetParking id)'),
});
export const UtilisationSchema = z.object({
  day: z.string(),
  spaces: z.number(),
  offeredHours: z.number().describe('space-hours the owners share in the day'),
  ownerHours: z.number().describe('space-hours the owners’ own users park'),
  sharedHours: z.number().describe('space-hours of confirmed bookings'),
  utilisationBefore: z.number().describe('owners only: ownerHours / (spaces × 24 h)'),
  utilisationAfter: z.number().describe('shared: (ownerHours + sharedHours) / (spaces × 24 h)'),
});
export type UtilisationDto = z.infer<typeof UtilisationSchema>;

/** POST /api/v1/parking/match: a day's requests matched to the shared spaces. */
export const MatchBodySchema = z.object({
  requests: z
    .array(
      z.object({
        id: z.string().min(1).max(100),
        lon: z.number().min(-180).max(180),
        lat: z.number().min(-90).max(90),
        from: Instant,
        to: Instant,
        maxWalkM: z.number().min(1).max(5000).default(800),
      }),
    )
    .max(60_000),
});
export const MatchResultSchema = z.object({
  requests: z.number(),
  matched: z.number(),
  meanWalkM: z.number().nullable(),
  assignments: z.array(z.object({ request: z.string(), spotId: z.string().nullable() })),
  ms: z.number(),
});
