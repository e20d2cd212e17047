import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from './client.ts';
import { useToken } from './queries.ts';
import type { GetOk } from './types.ts';

/** One device of the list (GET /api/v1/devices). */
export type DeviceItem = GetOk<'/api/v1/devices'>['items'][number];
/** A device's status. */
export type DeviceStatus = DeviceItem['status'];
/** Device statuses, in the order of their codes in {@link DevicePoints.status}. */
export const DEVICE_STATUSES: readonly DeviceStatus[] = ['online', 'offline', 'fault'];

/**
 * Every device in scope packed into plain typed arrays, ready for deck.gl's binary
 * attributes (no per-point objects or React): [lon, lat] pairs, a status code per device
 * (index into {@link DEVICE_STATUSES}) and its id and name for tooltips.
 */
export interface DevicePoints {
  count: number;
  positions: Float32Array;
  status: Uint8Array;
  ids: string[];
  names: string[];
  byStatus: Record<DeviceStatus, number>;
}

/** The server's largest page of devices. */
const DEVICE_PAGE = 5000;

/** Pages through every device the user may see (keyset paging by `afterId`). */
export async function fetchDevicePoints(): Promise<DevicePoints> {
  const pages: DeviceItem[][] = [];
  let afterId: string | undefined;
  for (;;) {
    const { items } = unwrap(
      await api.GET('/api/v1/devices', {
        params: { query: { limit: DEVICE_PAGE, ...(afterId ? { afterId } : {}) } },
      }),
    );
    pages.push(items);
    if (items.length < DEVICE_PAGE) break;
    afterId = items.at(-1)?.id;
  }
  const count = pages.reduce((n, p) => n + p.length, 0);
  const points: DevicePoints = {
    count,
    positions: new Float32Array(count * 2),
    status: new Uint8Array(count),
    ids: new Array<string>(count),
    names: new Array<string>(count),
    byStatus: { online: 0, offline: 0, fault: 0 },
  };
  let i = 0;
  for (const page of pages) {
    for (const d of page) {
      points.positions[2 * i] = d.location.lon;
      points.positions[2 * i + 1] = d.location.lat;
      points.status[i] = Math.max(0, DEVICE_STATUSES.indexOf(d.status));
      points.ids[i] = d.id;
      points.names[i] = d.name;
      points.byStatus[d.status]++;
      i++;
    }
  }
  return points;
}

/** All devices in the signed-in user's scope (the server scopes), refreshed every 2 minutes. */
export function useDevices() {
  const token = useToken();
  return useQuery({
    queryKey: ['devices', token],
    enabled: Boolean(token),
    staleTime: 60_000,
    refetchInterval: 120_000,
    queryFn: fetchDevicePoints,
  });
}

/** Ids of the devices (alert sources) with an open alert; refreshed with the live stream. */
export function useAlertedDevices() {
  const token = useToken();
  return useQuery({
    queryKey: ['alerts', 'open', token],
    enabled: Boolean(token),
    refetchInterval: 30_000,
    queryFn: async () => {
      const { items } = unwrap(
        await api.GET('/api/v1/alerts', { params: { query: { status: 'open', limit: 1000 } } }),
      );
      return new Set(items.map((a) => a.alertSource));
    },
  });
}

/** One response plan with its progress (GET /api/v1/plans). */
export type Plan = GetOk<'/api/v1/plans'>['items'][number];

/** Response plans in the user's scope, newest first, polled. */
export function usePlans() {
  const token = useToken();
  return useQuery({
    queryKey: ['plans', token],
    enabled: Boolean(token),
    refetchInterval: 10_000,
    queryFn: async () => unwrap(await api.GET('/api/v1/plans', { params: { query: { limit: 50 } } })).items,
  });
}
