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
 * (index into {@link DEVICE_STATUSES}), a type code (index into `types`) and its id. From
 * GET /api/v1/devices/points: columns, about a tenth of the device list's bytes; a tooltip
 * reads the one device it shows ({@link deviceDetail}).
 */
export interface DevicePoints {
  count: number;
  positions: Float32Array;
  status: Uint8Array;
  type: Uint8Array;
  types: string[];
  ids: string[];
  byStatus: Record<DeviceStatus, number>;
}

/** The devices in scope, or in `area` (a jurisdiction code) and below, as map points. */
export async function fetchDevicePoints(area?: string): Promise<DevicePoints> {
  // The whole city: positions to 3 decimals (~100 m, under a pixel at that zoom), a third fewer bytes.
  const c = unwrap(
    await api.GET('/api/v1/devices/points', { params: { query: area ? { area } : { decimals: 3 } } }),
  );
  const points: DevicePoints = {
    count: c.count,
    positions: new Float32Array(c.count * 2),
    status: new Uint8Array(c.count),
    type: Uint8Array.from(c.type),
    types: c.types,
    ids: c.ids,
    byStatus: { online: 0, offline: 0, fault: 0 },
  };
  for (let i = 0; i < c.count; i++) {
    points.positions[2 * i] = c.lon[i]!;
    points.positions[2 * i + 1] = c.lat[i]!;
    const status = c.statuses[c.status[i]!] ?? 'offline';
    points.status[i] = Math.max(0, DEVICE_STATUSES.indexOf(status));
    points.byStatus[status]++;
  }
  return points;
}

/**
 * The devices of the area viewed (a jurisdiction code; all in scope when none), refreshed every
 * 2 minutes: drilling into a district fetches and draws only its devices.
 */
export function useDevices(area?: string) {
  const token = useToken();
  return useQuery({
    queryKey: ['devices', token, area ?? ''],
    enabled: Boolean(token),
    staleTime: 60_000,
    refetchInterval: 120_000,
    placeholderData: (previous) => previous,
    queryFn: () => fetchDevicePoints(area),
  });
}

/** What a device's tooltip adds once read: its name and when it last reported. */
export interface DeviceDetail {
  name: string;
  lastSeenAt: string | null;
}

const details = new Map<string, DeviceDetail | 'loading'>();

/**
 * The name and last report of a device, if already read; else starts reading it (GET
 * /api/v1/devices/{id}) and answers undefined — the tooltip shows it on the next pointer move.
 */
export function deviceDetail(id: string): DeviceDetail | undefined {
  const known = details.get(id);
  if (known && known !== 'loading') return known;
  if (!known) {
    details.set(id, 'loading');
    void api
      .GET('/api/v1/devices/{id}', { params: { path: { id } } })
      .then(({ data }) => {
        if (data) details.set(id, { name: data.name, lastSeenAt: data.lastSeenAt });
        else details.delete(id);
      })
      .catch(() => details.delete(id));
  }
  return undefined;
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
