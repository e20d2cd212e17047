import { z } from 'zod';
import { principalOf } from '../../platform/http/principal.ts';
import type { Api } from '../../platform/http/server.ts';
import { ROLE_GROUPS } from '../../platform/roles.ts';
import {
  BookingSchema,
  BookSchema,
  CancelSchema,
  MatchBodySchema,
  MatchResultSchema,
  ParkingSpotSchema,
  SearchQuerySchema,
  SearchResultSchema,
  SitesQuerySchema,
  SitesSchema,
  UtilisationQuerySchema,
  UtilisationSchema,
} from './parking.schema.ts';
import type { ParkingService } from './parking.service.ts';

const tags = ['parking'];
const Id = z.object({ id: z.uuid() });

/** The parking routes: search and book shared spaces (citizens, no account), utilisation and matching (operators). */
export function registerParkingRoutes(app: Api, deps: { parking: ParkingService }): void {
  const { parking } = deps;
  app.get(
    '/api/v1/parking/spaces',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Shared parking near a destination with the spaces free for a whole window, nearest first',
        description:
          'Sites (OffStreetParking) within `radius` m, their groups (ParkingGroup: the weekly windows the owner shares ' +
          'the spaces in) and the ids of free ParkingSpot. 400 `invalid_request` when the window ends before it starts ' +
          'or is longer than 24 h.',
        querystring: SearchQuerySchema,
        response: { 200: SearchResultSchema },
      },
    },
    async (request) => parking.queries.search(request.query),
  );
  app.get(
    '/api/v1/parking/sites',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Shared parking sites in your jurisdiction with their free spaces now (the map layer)',
        description:
          'Compact: per site id, name, position, shared spaces, free now (offered now, not occupied or closed, ' +
          'held by no running booking), occupied, and the weekly windows. `area`: a district or street code.',
        querystring: SitesQuerySchema,
        response: { 200: SitesSchema },
      },
    },
    async (request) => parking.queries.sites(principalOf(request), request.query),
  );
  app.get(
    '/api/v1/parking/spots/:id',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'One shared space (ParkingSpot) with its status and sensor',
        params: z.object({ id: z.string().min(1).max(100) }),
        response: { 200: ParkingSpotSchema },
      },
    },
    async (request) => parking.queries.spot(request.params.id),
  );
  app.post(
    '/api/v1/parking/bookings',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Book a shared space for a window',
        description:
          'Refusals: 422 `outside_window` (the space is not offered for the whole window; details list the offered ' +
          'stretches), 409 `taken` (an overlapping booking holds it), 404 `not_found`, 400 `invalid_request`. ' +
          'A booking nobody occupies within 15 minutes of its start is released (`no_show`).',
        body: BookSchema,
        response: { 201: BookingSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await parking.book(request.body)),
  );
  app.get(
    '/api/v1/parking/bookings/:id',
    {
      config: { access: 'public' },
      schema: { tags, summary: 'A booking (plate masked)', params: Id, response: { 200: BookingSchema } },
    },
    async (request) => parking.booking(request.params.id),
  );
  app.post(
    '/api/v1/parking/bookings/:id/cancel',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Cancel a booking not yet occupied (the plate it was made for proves the caller)',
        params: Id,
        body: CancelSchema,
        response: { 200: BookingSchema },
      },
    },
    async (request) => parking.cancel(request.params.id, request.body.plate),
  );
  app.get(
    '/api/v1/parking/utilisation',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary:
          'Utilisation of the shared spaces in a day: owners only (before) and with the bookings (after)',
        querystring: UtilisationQuerySchema.partial({ day: true }),
        response: { 200: UtilisationSchema },
      },
    },
    async (request) => parking.queries.utilisation(request.query),
  );
  app.post(
    '/api/v1/parking/match',
    {
      config: { access: { roles: ROLE_GROUPS.operators } },
      bodyLimit: 16 * 1024 * 1024,
      schema: {
        tags,
        summary:
          'Match a day of parking requests to the shared spaces (greedy by start, nearest feasible space)',
        body: MatchBodySchema,
        response: { 200: MatchResultSchema },
      },
    },
    async (request) => parking.queries.match(principalOf(request), request.body.requests),
  );
}
