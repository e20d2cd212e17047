import { z } from 'zod';
import { LEVELS, ROAD_CLASSES } from './traffic.levels.ts';
import { CongestionAlertSchema } from './traffic.subjects.ts';

const Level = z.enum(LEVELS);
const Day = z.iso.date().describe('local day (UTC+8 for Chongqing), YYYY-MM-DD');

/** GET /api/v1/traffic/links. */
export const LinksQuerySchema = z.object({
  area: z.string().min(1).optional().describe('district or street code: its links'),
  class: z.enum(ROAD_CLASSES).optional(),
  at: z.iso
    .datetime({ offset: true })
    .optional()
    .describe(
      'default now: the latest slot of each link in the 15 minutes before, the current one (as it fills) included',
    ),
});

/** One link on the map. */
export const LinkStateSchema = z.object({
  id: z.string(),
  name: z.string(),
  class: z.enum(ROAD_CLASSES),
  coordinates: z.array(z.tuple([z.number(), z.number()])),
  lengthM: z.number(),
  freeFlowKmh: z.number().describe('night-time mean speed when known, else the class default'),
  districtCode: z.string(),
  approximate: z.boolean(),
  detectors: z.array(z.string()).describe('ids of the TrafficFlowObserved devices mapped to the link'),
  slotStart: z.iso.datetime({ offset: true }).nullable(),
  speedKmh: z.number().nullable(),
  tti: z.number().nullable().describe('travel-time index: free-flow speed / speed, ≥ 1'),
  level: Level.nullable(),
});

/** The links layer. */
export const LinksSchema = z.object({
  at: z.iso.datetime({ offset: true }),
  counts: z.object({
    free: z.number(),
    basic: z.number(),
    light: z.number(),
    moderate: z.number(),
    severe: z.number(),
    none: z.number(),
  }),
  items: z.array(LinkStateSchema),
});

/** The links layer's live part: per link in id order (as the links layer), parallel arrays. */
export const LevelsSchema = z.object({
  at: z.iso.datetime({ offset: true }),
  counts: LinksSchema.shape.counts,
  ids: z.array(z.string()).describe('link ids in the order of the links layer'),
  levels: z.array(Level.nullable()).describe('level of ids[i]; null: no reading in the last 15 minutes'),
  speedKmh: z.array(z.number().nullable()),
  tti: z.array(z.number().nullable()).describe('travel-time index of ids[i]'),
});

/** GET /api/v1/traffic/index. */
export const IndexQuerySchema = z.object({
  day: Day.optional().describe('default today'),
  area: z.string().min(1).optional().describe('district code; default the whole city in your jurisdiction'),
  compareDay: Day.optional().describe('a second day to compare with (e.g. the same weekday a year before)'),
});

/** A day's figures. */
export const FiguresSchema = z.object({
  day: z.string(),
  tti: z.number().nullable().describe('whole day, weighted by length × flow'),
  morningPeakTti: z.number().nullable().describe('07:00–09:00 local'),
  eveningPeakTti: z.number().nullable().describe('17:00–19:00 local'),
  peakTti: z.number().nullable().describe('both peaks'),
  peakLevel: Level.nullable(),
  arterialSpeedKmh: z
    .number()
    .nullable()
    .describe('arterials and expressways, vehicle-km / vehicle-hours, whole day'),
  peakArterialSpeedKmh: z.number().nullable(),
  links: z.number().int().describe('links with at least one reading that day'),
});

/** The index of a day for the city or a district. */
export const IndexSchema = z.object({
  area: z.string().nullable(),
  slotMinutes: z.literal(5),
  figures: FiguresSchema,
  curve: z.array(z.number().nullable()).describe('288 slots from local midnight'),
  arterialSpeedCurve: z.array(z.number().nullable()),
  districts: z.array(
    z.object({
      code: z.string(),
      tti: z.number().nullable(),
      peakTti: z.number().nullable(),
      level: Level.nullable(),
    }),
  ),
  compare: z
    .object({
      figures: FiguresSchema,
      curve: z.array(z.number().nullable()),
      peakTtiChange: z
        .number()
        .nullable()
        .describe('relative change of the peak index, (this − other) / other'),
      arterialSpeedChange: z.number().nullable(),
    })
    .nullable(),
});

/** GET /api/v1/traffic/alerts. */
export const AlertsQuerySchema = z.object({
  open: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const AlertsSchema = z.object({ items: z.array(CongestionAlertSchema) });

export const ImportResultSchema = z.object({
  links: z.number().int(),
  byClass: z.record(z.string(), z.number()),
  detectors: z.number().int().describe('detectors mapped to a link'),
  unmapped: z.number().int().describe('detectors further than the limit from every link'),
});

export type IndexQuery = z.infer<typeof IndexQuerySchema>;
export type IndexDto = z.infer<typeof IndexSchema>;
export type Figures = z.infer<typeof FiguresSchema>;
export type LinksDto = z.infer<typeof LinksSchema>;
export type LevelsDto = z.infer<typeof LevelsSchema>;
export type LinksQuery = z.infer<typeof LinksQuerySchema>;
