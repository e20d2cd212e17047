import { useMutation, useQuery } from '@tanstack/react-query';
import { api, unwrap } from './client.ts';
import type { GetOk } from './types.ts';

/** Published double-random draws (GET /api/v1/enforcement/draws, public). */
export type DrawList = GetOk<'/api/v1/enforcement/draws'>;
/** One published draw. */
export type Draw = DrawList['items'][number];

/** The latest published draws (commitments; seeds and results once revealed), refreshed every minute. */
export function useDraws(limit = 20) {
  return useQuery({
    queryKey: ['enforcement-draws', limit],
    refetchInterval: 60_000,
    queryFn: async () => unwrap(await api.GET('/api/v1/enforcement/draws', { params: { query: { limit } } })),
  });
}

/** Asks the server to re-run a revealed draw from its published seed and inputs and compare. */
export function useRerun() {
  return useMutation({
    mutationFn: async (id: string) =>
      unwrap(await api.POST('/api/v1/enforcement/draws/{id}/rerun', { params: { path: { id } } })),
  });
}

/** The signed-in inspector's visits of a day with enterprise and checklist (GET /api/v1/enforcement/visits/mine). */
export type MyVisits = GetOk<'/api/v1/enforcement/visits/mine'>;
/** One visit of the on-site list. */
export type OnSiteVisit = MyVisits['visits'][number];
/** The published keys. */
export type Keys = GetOk<'/api/v1/enforcement/keys'>;
/** The published revocation status list. */
export type StatusList = GetOk<'/api/v1/enforcement/codes/status'>;
/** The inspector's current 执法码. */
export type MyCode = GetOk<'/api/v1/enforcement/codes/inspectors/{id}'>;
