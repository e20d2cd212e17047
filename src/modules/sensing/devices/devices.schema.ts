import { z } from 'zod';
import { PointDecimalsSchema } from '../../../platform/http/map-points.ts';
import { GB3838_CLASSES } from '../../water/index.ts';
import { DEVICE_TYPES, isMetricOf } from '../sensing.catalogue.ts';

/** Device statuses: online (reporting), offline (silent past the configured time), fault (set by an operator). */
export const DEVICE_STATUSES = ['online', 'offline', 'fault'] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];

/** A device id: also its MQTT topic level, so no slashes, wildcards or spaces. */
export const DeviceIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'letters, digits, dot, dash, underscore; at most 128');

const fields = {
  model: z.string().min(1).max(200).default('generic'),
  name: z.string().min(1).max(200),
  lon: z.number().min(-180).max(180),
  lat: z.number().min(-90).max(90),
  departmentCode: z.string().min(1).max(64).nullish(),
  metrics: z.array(z.string().min(1)).min(1).optional().describe('FIWARE attribute names; default per type'),
  sectionName: z.string().min(1).max(200).nullish().describe('monitoring section (water quality)'),
  targetClass: z.enum(GB3838_CLASSES).nullish().describe('GB 3838 target class of the section'),
  waterBody: z.enum(['river', 'lake']).nullish().describe('for total phosphorus limits; default river'),
};

/** A device to register (API body, CSV row or GeoJSON feature). */
export const DeviceInputSchema = z
  .strictObject({ id: DeviceIdSchema, type: z.enum(DEVICE_TYPES), ...fields })
  .superRefine((d, ctx) => {
    for (const m of d.metrics ?? []) {
      if (!isMetricOf(d.type, m))
        ctx.addIssue({ code: 'custom', path: ['metrics'], message: `${d.type} has no attribute '${m}'` });
    }
    if ((d.targetClass || d.sectionName) && d.type !== 'WaterQualityObserved') {
      ctx.addIssue({
        code: 'custom',
        path: ['targetClass'],
        message: 'only water-quality stations have a section',
      });
    }
  });
export type DeviceInput = z.input<typeof DeviceInputSchema>;
export type DeviceInputParsed = z.output<typeof DeviceInputSchema>;

/** Changes to a device; a new location is located again. */
export const DevicePatchSchema = z.strictObject({
  model: fields.model.optional(),
  name: fields.name.optional(),
  lon: fields.lon.optional(),
  lat: fields.lat.optional(),
  departmentCode: fields.departmentCode,
  metrics: fields.metrics,
  sectionName: fields.sectionName,
  targetClass: fields.targetClass,
  waterBody: fields.waterBody,
  status: z.enum(DEVICE_STATUSES).optional(),
});
export type DevicePatch = z.infer<typeof DevicePatchSchema>;

/** A device as the API returns it (never its secret). */
export const DeviceSchema = z.object({
  id: z.string(),
  type: z.enum(DEVICE_TYPES),
  model: z.string(),
  name: z.string(),
  location: z.object({ lon: z.number(), lat: z.number() }),
  jurisdictionPath: z.string(),
  jurisdictionCode: z.string(),
  departmentCode: z.string().nullable(),
  metrics: z.array(z.string()),
  sectionName: z.string().nullable(),
  targetClass: z.enum(GB3838_CLASSES).nullable(),
  waterBody: z.enum(['river', 'lake']).nullable(),
  status: z.enum(DEVICE_STATUSES),
  lastSeenAt: z.iso.datetime({ offset: true }).nullable(),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
});
export type DeviceDto = z.infer<typeof DeviceSchema>;

/** Filters of GET /api/v1/devices. */
export const DeviceQuerySchema = z.object({
  type: z.enum(DEVICE_TYPES).optional(),
  status: z.enum(DEVICE_STATUSES).optional(),
  area: z.string().min(1).optional().describe('jurisdiction code: devices in that area and below'),
  afterId: z.string().optional().describe('keyset paging: ids after this one'),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
});
export type DeviceQuery = z.infer<typeof DeviceQuerySchema>;

/** Filters of the map's device points (every device in scope, no paging). */
export const DevicePointsQuerySchema = DeviceQuerySchema.pick({
  type: true,
  status: true,
  area: true,
}).extend({
  decimals: PointDecimalsSchema,
});
export type DevicePointsQuery = z.infer<typeof DevicePointsQuerySchema>;

/**
 * Every device in scope as columns, for a map layer: the i-th device is `ids[i]` at
 * (`lon[i]`, `lat[i]`) with `types[type[i]]` and `statuses[status[i]]`. About a tenth of the
 * device list's bytes (no names, metrics, times: a tooltip reads the one device).
 */
export const DevicePointsSchema = z.object({
  count: z.number().int(),
  types: z.array(z.string()).describe('the type names the type codes index'),
  statuses: z.array(z.enum(DEVICE_STATUSES)).describe('the status names the status codes index'),
  ids: z.array(z.string()),
  type: z.array(z.number().int()),
  status: z.array(z.number().int()),
  lon: z.array(z.number()).describe('WGS84, to `decimals` decimals (5 by default: about a metre)'),
  lat: z.array(z.number()),
});
export type DevicePointsDto = z.infer<typeof DevicePointsSchema>;

/** Where a point lies: the jurisdiction path and chain from the city down. */
export interface LocatedPoint {
  path: string;
  chain: { code: string; name: string; level: string }[];
}

/** Port: resolves a point to its jurisdiction (the jurisdictions module's locate index); undefined outside the city. */
export interface Locator {
  locate(lon: number, lat: number): LocatedPoint | undefined | Promise<LocatedPoint | undefined>;
}

/** Kinds of registry change a notice names. */
export const DEVICE_CHANGES = ['registered', 'updated', 'secret_rotated', 'removed'] as const;

/**
 * Bus payload of `sensing.device.changed`: a device was registered, changed, had its secret
 * rotated or was removed. Other processes (rules, ingest) re-read it from the database.
 */
export const DeviceChangedSchema = z.object({
  id: DeviceIdSchema,
  change: z.enum(DEVICE_CHANGES),
});
export type DeviceChanged = z.infer<typeof DeviceChangedSchema>;
