import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import { api, unwrap } from './client.ts';
import { session } from './session.ts';
import type { Team } from './types.ts';

/** The current token (undefined when signed out), re-rendering on login and logout. */
export function useToken(): string | undefined {
  return useSyncExternalStore(session.subscribe, session.token);
}

/** Who is signed in: principal with jurisdiction and roles. */
export function useMe() {
  const token = useToken();
  return useQuery({
    queryKey: ['me', token],
    enabled: Boolean(token),
    queryFn: async () => unwrap(await api.GET('/api/v1/auth/me')),
  });
}

/** Signs in with username and password and keeps the token. */
export function useLogin() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: { username: string; password: string }) =>
      unwrap(await api.POST('/api/v1/auth/login', { body })),
    onSuccess: (data) => {
      session.set(data.token, data.expiresAt);
      void client.invalidateQueries();
    },
  });
}

/** Signs out: forgets the token and every cached answer. */
export function useLogout(): () => void {
  const client = useQueryClient();
  return () => {
    session.clear();
    client.clear();
  };
}

/**
 * One jurisdiction node (bbox, label point, path). `keep`: the previous node stays while the next
 * one is read (the cockpit's map stays mounted through a drill-down instead of being rebuilt).
 */
export function useJurisdiction(code: string | undefined, keep = false) {
  return useQuery({
    queryKey: ['jurisdiction', code],
    enabled: Boolean(code),
    staleTime: Number.POSITIVE_INFINITY,
    ...(keep ? { placeholderData: keepPreviousData } : {}),
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/jurisdictions/{code}', { params: { path: { code: code! } } })),
  });
}

/** Direct children of a node, with names, bbox and label points. */
export function useChildren(code: string | undefined) {
  return useQuery({
    queryKey: ['children', code],
    enabled: Boolean(code),
    staleTime: Number.POSITIVE_INFINITY,
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/jurisdictions/{code}/children', { params: { path: { code: code! } } })),
  });
}

/** Boundaries of the direct children of a node, as GeoJSON. */
export function useBoundaries(parent: string | undefined) {
  return useQuery({
    queryKey: ['boundaries', parent],
    enabled: Boolean(parent),
    staleTime: Number.POSITIVE_INFINITY,
    placeholderData: keepPreviousData,
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/jurisdictions.geojson', { params: { query: { parent: parent! } } })),
  });
}

/**
 * The on-duty teams the signed-in user may see, of the area viewed (a jurisdiction code) and
 * below when given: compact columns (GET /api/v1/teams/points) unpacked into rows.
 */
export function useTeams(area?: string) {
  const token = useToken();
  return useQuery({
    queryKey: ['teams', token, area ?? ''],
    enabled: Boolean(token),
    refetchInterval: 60_000,
    placeholderData: keepPreviousData,
    queryFn: async (): Promise<Team[]> => {
      const c = unwrap(
        await api.GET('/api/v1/teams/points', {
          // The whole city: positions to 3 decimals (~100 m, under a pixel there), a third fewer bytes.
          params: { query: { onDuty: 'true', ...(area ? { jurisdiction: area } : { decimals: 3 }) } },
        }),
      );
      return c.codes.map((code, i) => ({
        code,
        name: c.names[i]!,
        kind: c.kinds[c.kind[i]!]!,
        jurisdictionPath: c.paths[c.path[i]!]!,
        lon: c.lon[i]!,
        lat: c.lat[i]!,
      }));
    },
  });
}
