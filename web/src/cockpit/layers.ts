import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo } from 'react';
import { api, unwrap } from '../api/client.ts';
import { useToken } from '../api/queries.ts';
import type { GetOk } from '../api/types.ts';

/** GB 3838 class of every monitoring section in scope (GET /api/v1/water/sections). */
export type WaterSections = GetOk<'/api/v1/water/sections'>;
/** One section with its class. */
export type WaterSection = WaterSections['items'][number];
/** Latest people counts of the crowd counters in scope (GET /api/v1/crowd/density). */
export type CrowdDensity = GetOk<'/api/v1/crowd/density'>;
/** Road links in scope with their latest congestion level (GET /api/v1/traffic/links). */
export type TrafficLinks = GetOk<'/api/v1/traffic/links'>;
/** Shared parking sites in scope with their free spaces now (GET /api/v1/parking/sites). */
export type ParkingSites = GetOk<'/api/v1/parking/sites'>;
/** 15-minute life circle coverage per street in scope (GET /api/v1/lifecircle/coverage). */
export type LifeCircleCoverage = GetOk<'/api/v1/lifecircle/coverage'>;
/** Open events and overdue tasks per jurisdiction code (GET /api/v1/areas/workload). */
export type Workload = GetOk<'/api/v1/areas/workload'>;

/** What colours the areas of the map and the numbers of the area list. */
export type AreaMeasure = 'openEvents' | 'overdueTasks';

/** The map layers the legend switches on and off (devices stay in the map's own state). */
export interface LayerSwitches {
  water: boolean;
  crowd: boolean;
  traffic: boolean;
  parking: boolean;
  lifecircle: boolean;
}

/** Water classes of the sections in scope, fetched while the layer is on, refreshed every minute. */
export function useWaterSections(enabled: boolean) {
  const token = useToken();
  return useQuery({
    queryKey: ['water-sections', token],
    enabled: Boolean(token) && enabled,
    refetchInterval: 60_000,
    queryFn: async () => unwrap(await api.GET('/api/v1/water/sections')),
  });
}

/** Latest crowd counts in scope, fetched while the layer is on, refreshed every 30 s. */
export function useCrowdDensity(enabled: boolean) {
  const token = useToken();
  return useQuery({
    queryKey: ['crowd-density', token],
    enabled: Boolean(token) && enabled,
    refetchInterval: 30_000,
    queryFn: async () => unwrap(await api.GET('/api/v1/crowd/density')),
  });
}

/** The links layer without geometry: levels, speeds and indexes in link order (GET /api/v1/traffic/levels). */
export type TrafficLevels = GetOk<'/api/v1/traffic/levels'>;
/** A road link of the layer (geometry and the state of the answer it came with). */
export type TrafficLink = TrafficLinks['items'][number];

/**
 * The traffic layer: the road links (geometry, fetched when the layer is switched on) and their
 * live state as arrays aligned with them. `links` keeps its identity while only the state
 * changes, so the map recolours the links without rebuilding them.
 */
export interface TrafficLayer {
  at: string;
  counts: TrafficLinks['counts'];
  links: TrafficLink[];
  level: TrafficLink['level'][];
  speedKmh: (number | null)[];
  tti: (number | null)[];
}

/** Link i of the layer with its live state (for tooltips). */
export function trafficLinkAt(layer: TrafficLayer, i: number): TrafficLink {
  return { ...layer.links[i]!, level: layer.level[i]!, speedKmh: layer.speedKmh[i]!, tti: layer.tti[i]! };
}

/** The layer from the links answer alone (its own states). */
function fromLinks(network: TrafficLinks): TrafficLayer {
  return {
    at: network.at,
    counts: network.counts,
    links: network.items,
    level: network.items.map((l) => l.level),
    speedKmh: network.items.map((l) => l.speedKmh),
    tti: network.items.map((l) => l.tti),
  };
}

/** The layer with a newer levels answer; undefined when it does not match the links (network re-imported). */
function withLevels(network: TrafficLinks, levels: TrafficLevels): TrafficLayer | undefined {
  const { items } = network;
  if (levels.ids.length !== items.length || levels.ids.some((id, i) => id !== items[i]!.id)) return undefined;
  return {
    at: levels.at,
    counts: levels.counts,
    links: items,
    level: levels.levels,
    speedKmh: levels.speedKmh,
    tti: levels.tti,
  };
}

/**
 * Road links and their congestion levels (the current 5-minute slot as it fills), while the layer
 * is on: the links with their geometry once (again after 10 minutes), then only their levels —
 * refetched when a detector reports (the live stream, `useLiveStream`) and every minute in any
 * case. A city's levels are tens of KiB where the links are hundreds.
 */
export function useTrafficLinks(enabled: boolean) {
  const token = useToken();
  const network = useQuery({
    queryKey: ['traffic-network', token],
    enabled: Boolean(token) && enabled,
    staleTime: 10 * 60_000,
    queryFn: async () => unwrap(await api.GET('/api/v1/traffic/links')),
  });
  const levels = useQuery({
    queryKey: ['traffic-levels', token],
    enabled: Boolean(token) && enabled && Boolean(network.data),
    refetchInterval: 60_000,
    queryFn: async () => unwrap(await api.GET('/api/v1/traffic/levels')),
  });
  const { refetch: refetchNetwork } = network;
  const stale = Boolean(
    network.data &&
      levels.data &&
      levels.dataUpdatedAt > network.dataUpdatedAt &&
      !withLevels(network.data, levels.data),
  );
  // Levels of another network (re-imported meanwhile): fetch the links again.
  useEffect(() => {
    if (stale) void refetchNetwork();
  }, [stale, refetchNetwork]);
  const data = useMemo(() => {
    if (!network.data) return undefined;
    const fresh = levels.data && levels.dataUpdatedAt > network.dataUpdatedAt;
    return (fresh && withLevels(network.data, levels.data!)) || fromLinks(network.data);
  }, [network.data, network.dataUpdatedAt, levels.data, levels.dataUpdatedAt]);
  const { refetch } = levels;
  return { data, refetch };
}

/**
 * Shared parking sites of the area in focus with their free spaces now, fetched while the layer is
 * on; the live stream refetches them when a space's sensor reports, and every 30 s in any case.
 */
export function useParkingSites(enabled: boolean, area: string | undefined) {
  const token = useToken();
  return useQuery({
    queryKey: ['parking-sites', token, area],
    enabled: Boolean(token) && enabled,
    refetchInterval: 30_000,
    placeholderData: (previous) => previous,
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/parking/sites', { params: { query: area ? { area } : {} } })),
  });
}

/** Life circle coverage per street, fetched once the layer is first on (it changes only on facility imports). */
export function useLifeCircle(enabled: boolean) {
  const token = useToken();
  return useQuery({
    queryKey: ['lifecircle-coverage', token],
    enabled: Boolean(token) && enabled,
    staleTime: 10 * 60_000,
    queryFn: async () => unwrap(await api.GET('/api/v1/lifecircle/coverage')),
  });
}

/** Open events and overdue tasks per area, as two maps code → count; refreshed every 15 s. */
export function useWorkload() {
  const token = useToken();
  return useQuery({
    queryKey: ['workload', token],
    enabled: Boolean(token),
    refetchInterval: 15_000,
    queryFn: async () => {
      const { items } = unwrap(await api.GET('/api/v1/areas/workload'));
      const openEvents = new Map<string, number>();
      const overdueTasks = new Map<string, number>();
      for (const r of items) {
        openEvents.set(r.code, r.openEvents);
        overdueTasks.set(r.code, r.overdueTasks);
      }
      return { openEvents, overdueTasks } satisfies Record<AreaMeasure, Map<string, number>>;
    },
  });
}
