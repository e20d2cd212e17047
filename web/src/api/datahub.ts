import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from './client.ts';
import { useToken } from './queries.ts';
import type { GetOk } from './types.ts';

/** A page of catalogue resources (GET /api/v1/datahub/resources). */
export type ResourcePage = GetOk<'/api/v1/datahub/resources'>;
/** One catalogue resource with its fields. */
export type Resource = ResourcePage['items'][number];
/** The negative list in force. */
export type NegativeList = GetOk<'/api/v1/datahub/negative-list'>;
/** The data-sharing KPIs. */
export type DatahubKpis = GetOk<'/api/v1/datahub/kpis'>;

/** Catalogue search: keywords (Chinese), owner department, a page of `limit` from `offset`. */
export function useCatalogue(query: { q: string; department: string; limit: number; offset: number }) {
  const token = useToken();
  return useQuery({
    queryKey: ['datahub-resources', token, query],
    enabled: Boolean(token),
    placeholderData: keepPreviousData,
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/datahub/resources', {
          params: {
            query: {
              ...(query.q.trim() ? { q: query.q.trim() } : {}),
              ...(query.department ? { department: query.department } : {}),
              limit: query.limit,
              offset: query.offset,
            },
          },
        }),
      ),
  });
}

/** The negative list in force (its version and entries). */
export function useNegativeList() {
  const token = useToken();
  return useQuery({
    queryKey: ['datahub-negative-list', token],
    enabled: Boolean(token),
    queryFn: async () => unwrap(await api.GET('/api/v1/datahub/negative-list')),
  });
}

/** The data-sharing KPIs of the last 30 days (refreshed every half minute while shown). */
export function useDatahubKpis(allowed: boolean) {
  const token = useToken();
  return useQuery({
    queryKey: ['datahub-kpis', token],
    enabled: Boolean(token) && allowed,
    refetchInterval: 30_000,
    queryFn: async () => unwrap(await api.GET('/api/v1/datahub/kpis')),
  });
}
