/**
 * Latest people counts of the visible CrowdFlowObserved devices, as weighted points for a
 * density layer. A count is people in the device's field of view; the devices carry no
 * walkable area, so no persons/m² (and no Fruin level of service) can be derived here — the
 * crowd scenario does that for the areas whose walkable m² it knows. The counters and their
 * hourly rollups are read through sensing's queries.
 */
import { z } from 'zod';
import type { Principal } from '../../platform/access.ts';
import type { SensingService } from '../sensing/index.ts';

/** GET /api/v1/crowd/density. */
export const CrowdDensityQuerySchema = z.object({
  area: z.string().min(1).optional().describe('jurisdiction code: that area and below'),
  maxAgeMinutes: z.coerce
    .number()
    .int()
    .min(1)
    .max(1440)
    .default(60)
    .describe('counts older than this are left out (a silent counter says nothing about now)'),
});

/** The answer: one point per counter with a fresh count. */
export const CrowdDensitySchema = z.object({
  at: z.iso.datetime({ offset: true }),
  devices: z.number().int().describe('crowd counters in scope'),
  reporting: z.number().int().describe('counters with a count in the last maxAgeMinutes'),
  people: z.number().describe('sum of the latest counts'),
  items: z.array(
    z.object({
      deviceId: z.string(),
      lon: z.number(),
      lat: z.number(),
      peopleCount: z.number().describe('latest people count (the weight)'),
      occupancy: z.number().nullable().describe('latest occupancy (0–1) when the device reports it'),
      at: z.iso.datetime({ offset: true }),
    }),
  ),
});

/** Latest `peopleCount` (and `occupancy`) of each visible crowd counter within `maxAgeMinutes` of now. */
export async function crowdDensity(
  queries: Pick<SensingService['queries'], 'devicesOfType' | 'latestValues'>,
  principal: Principal,
  q: z.infer<typeof CrowdDensityQuerySchema>,
  now: Date,
): Promise<z.infer<typeof CrowdDensitySchema>> {
  const list = await queries.devicesOfType(principal, 'CrowdFlowObserved', q.area);
  const since = new Date(now.getTime() - q.maxAgeMinutes * 60_000);
  // Hourly rollups carry each bucket's last value; the bucket holding `since` is the oldest needed.
  const fromBucket = new Date(Math.floor(since.getTime() / 3_600_000) * 3_600_000);
  const rows = list.length
    ? await queries.latestValues(
        list.map((d) => d.id),
        ['peopleCount', 'occupancy'],
        fromBucket,
      )
    : [];
  const latest = new Map<string, { people?: number; occupancy?: number; at: Date }>();
  for (const r of rows) {
    const at = new Date(r.at);
    if (at < since) continue;
    const e = latest.get(r.deviceId) ?? { at };
    if (r.metric === 'peopleCount') {
      e.people = Number(r.value);
      e.at = at;
    } else e.occupancy = Number(r.value);
    latest.set(r.deviceId, e);
  }
  const items: z.infer<typeof CrowdDensitySchema>['items'] = [];
  for (const d of list) {
    const e = latest.get(d.id);
    if (e?.people === undefined) continue;
    items.push({
      deviceId: d.id,
      lon: d.lon,
      lat: d.lat,
      peopleCount: e.people,
      occupancy: e.occupancy ?? null,
      at: e.at.toISOString(),
    });
  }
  return {
    at: now.toISOString(),
    devices: list.length,
    reporting: items.length,
    people: items.reduce((s, i) => s + i.peopleCount, 0),
    items,
  };
}
