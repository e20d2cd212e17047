import { useMutation, useQuery } from '@tanstack/react-query';
import { api, unwrap } from './client.ts';
import type { GetOk } from './types.ts';

/** Shared spaces near a destination (GET /api/v1/parking/spaces, public). */
export type ParkingSearch = GetOk<'/api/v1/parking/spaces'>;
/** One site (OffStreetParking) of a search. */
export type ParkingSite = ParkingSearch['items'][number];
/** A booking (plate masked). */
export type ParkingBooking = GetOk<'/api/v1/parking/bookings/{id}'>;

/** What a citizen searches for: a destination, a radius and a window (ISO instants). */
export interface ParkingQuery {
  lon: number;
  lat: number;
  radius: number;
  from: string;
  to: string;
}

/** Shared spaces free for the whole window near the destination; nothing until a query is given (`asked` counts the searches, so asking again fetches again). */
export function useParkingSearch(q: ParkingQuery | null, asked = 0) {
  return useQuery({
    queryKey: ['parking-spaces', q, asked],
    enabled: q !== null,
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/parking/spaces', { params: { query: { ...q!, limit: 20 } } })),
  });
}

/** Books a space for a window (refusals carry the server's code: outside_window, taken, …). */
export function useBookSpace() {
  return useMutation({
    mutationFn: async (body: { spotId: string; plate: string; from: string; to: string }) =>
      unwrap(await api.POST('/api/v1/parking/bookings', { body })),
  });
}

/** Cancels a booking not yet occupied. */
export function useCancelBooking() {
  return useMutation({
    mutationFn: async (v: { id: string; plate: string }) =>
      unwrap(
        await api.POST('/api/v1/parking/bookings/{id}/cancel', {
          params: { path: { id: v.id } },
          body: { plate: v.plate },
        }),
      ),
  });
}
