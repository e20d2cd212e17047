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

/** One jurisdiction node (bbox, label point, path). */
export function useJurisdiction(code: string | undefined) {
  return useQuery({
    queryKey: ['jurisdiction', code],
    enabled: Boolean(code),
    staleTime: Number.POSITIVE_INFINITY,
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

/** Page size for teams; the server allows up to 2,000. */
const TEAM_PAGE = 2000;

/** Every on-duty team the signed-in user may see (the server scopes the list). */
export function useTeams() {
  const token = useToken();
  return useQuery({
    queryKey: ['teams', token],
    enabled: Boolean(token),
    refetchInterval: 60_000,
    queryFn: async () => {
      const teams: Team[] = [];
      for (let offset = 0; ; offset += TEAM_PAGE) {
        const page = unwrap(
          await api.GET('/api/v1/teams', { params: { query: { onDuty: 'true', limit: TEAM_PAGE, offset } } }),
        );
        teams.push(...page.items);
        if (page.items.length < TEAM_PAGE || teams.length >= page.total) return teams;
      }
    },
  });
}
