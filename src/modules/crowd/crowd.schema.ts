/** The crowd demo/area file format (zod schemas; types inferred). */
import { z } from 'zod';

const Coordinate = z.tuple([z.number(), z.number()]);

export const CrowdAreaSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  nameEn: z.string().optional(),
  centre: Coordinate,
  walkableM2: z.number().positive(),
  polygon: z.array(Coordinate).min(4),
  approximate: z.boolean().default(true),
});

export const MetroStationSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  nameEn: z.string().optional(),
  lines: z.array(z.string()).min(1),
  coordinates: Coordinate,
  approximate: z.boolean().default(true),
});

export const MallSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  nameEn: z.string().optional(),
  coordinates: Coordinate,
  approximate: z.boolean().default(true),
});

/** A deterministic rising-count scenario: linear ramps with a small sinusoidal wobble. */
export const CrowdScenarioSchema = z.object({
  alertAt: z.iso.datetime({ offset: true }),
  minutes: z.number().positive(),
  sampleSeconds: z.number().positive(),
  noise: z.number().min(0).default(0),
  areas: z.array(z.object({ areaId: z.string(), startCount: z.number().min(0), perMinute: z.number() })),
});

export const CrowdFileSchema = z.object({
  name: z.string(),
  approximate: z.boolean().default(true),
  provenance: z.array(z.string()).default([]),
  areas: z.array(CrowdAreaSchema).min(1),
  metroStations: z.array(MetroStationSchema).default([]),
  malls: z.array(MallSchema).default([]),
  demoScenario: CrowdScenarioSchema.optional(),
});

export type CrowdFile = z.infer<typeof CrowdFileSchema>;
export type CrowdScenario = z.infer<typeof CrowdScenarioSchema>;
