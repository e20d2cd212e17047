/**
 * Current GB 3838-2002 class of every monitoring section in scope, from the latest daily
 * rollups (mean per local day) of its water-quality stations. The worst parameter decides
 * (gb3838.ts `assess`); a section meets its target when its class is no worse than the target.
 * The stations and their daily means come from the sensing module (`WaterReadings`, which
 * `SensingQueries` implements; the composition root passes it in, since sensing imports this
 * module for the GB 3838 table).
 */
import { z } from 'zod';
import type { Principal } from '../../platform/access.ts';
import {
  assess,
  classify,
  FIWARE_TO_GB3838,
  GB3838_CLASSES,
  type Gb3838Class,
  type Gb3838Grade,
  gradeRank,
  type WaterBody,
} from './gb3838.ts';

/** Grades as the API spells them, best first; `劣V` is worse than V. */
export const WATER_GRADES = [...GB3838_CLASSES, '劣V'] as const;

/** FIWARE attributes that have a GB 3838 parameter (the ones a class is computed from). */
const ASSESSED = Object.keys(FIWARE_TO_GB3838);

const Grade = z.enum(WATER_GRADES);

/** One section's class. */
export const WaterSectionSchema = z.object({
  section: z.string().describe('monitoring section name (the station name when the station has none)'),
  waterBody: z.enum(['river', 'lake']),
  targetClass: z.enum(GB3838_CLASSES).nullable(),
  class: Grade.nullable().describe('worst parameter of the latest day; null when no station reported'),
  meetsTarget: z
    .boolean()
    .nullable()
    .describe('class no worse than the target; null without class or target'),
  day: z.iso.date().nullable().describe('local day (UTC+8) whose daily means were assessed'),
  deciding: z
    .array(
      z.object({
        metric: z.string().describe('FIWARE attribute (O2, NH4, PO4, cod, bod, pH)'),
        parameter: z.string().describe('GB 3838 parameter (DO, NH3-N, TP, COD, BOD5, pH)'),
        value: z.number().describe('daily mean'),
        class: Grade,
      }),
    )
    .describe('the parameters at the worst class'),
  readings: z.record(z.string(), z.number()).describe('daily mean of every assessed attribute'),
  jurisdictionCode: z.string(),
  stations: z.array(z.object({ deviceId: z.string(), name: z.string(), lon: z.number(), lat: z.number() })),
});
/** One section's class. */
export type WaterSection = z.infer<typeof WaterSectionSchema>;

/** The answer: sections and how many are in each class. */
export const WaterClassesSchema = z.object({
  at: z.iso.datetime({ offset: true }),
  counts: z.object({
    I: z.number().int(),
    II: z.number().int(),
    III: z.number().int(),
    IV: z.number().int(),
    V: z.number().int(),
    劣V: z.number().int(),
    none: z.number().int().describe('sections with no reading in the look-back window'),
  }),
  meetingTarget: z.number().int(),
  missingTarget: z.number().int(),
  items: z.array(WaterSectionSchema),
});

/** GET /api/v1/water/sections. */
export const WaterClassQuerySchema = z.object({
  area: z.string().min(1).optional().describe('jurisdiction code: that area and below'),
  lookbackDays: z.coerce
    .number()
    .int()
    .min(1)
    .max(366)
    .default(7)
    .describe('a station whose latest reading is older counts as no data'),
});

/** A water-quality station as sensing's registry knows it. */
interface Station {
  id: string;
  name: string;
  lon: number;
  lat: number;
  sectionName: string | null;
  targetClass: string | null;
  waterBody: string | null;
  jurisdictionCode: string;
}

/** What water classing reads from the sensing module (`SensingQueries` has these). */
export interface WaterReadings {
  /** The visible stations of a type (an area and below when given), by id. */
  devicesOfType(principal: Principal, type: 'WaterQualityObserved', area?: string): Promise<Station[]>;
  /** Each station's daily sum and count of `metrics` on its latest local day with data at or after `since`. */
  latestDailySums(
    deviceIds: string[],
    metrics: readonly string[],
    since: Date,
  ): Promise<{ deviceId: string; metric: string; bucket: Date; sum: number; n: number }[]>;
}

/**
 * Classifies the sections of the visible water-quality stations. The day is each section's
 * latest local day with readings (today's running mean when today has data — the cockpit is
 * live); a section with several stations takes the reading-weighted mean of that day.
 */
export async function waterClasses(
  readings: WaterReadings,
  principal: Principal,
  q: z.infer<typeof WaterClassQuerySchema>,
  now: Date,
  dayOffsetMinutes: number,
): Promise<z.infer<typeof WaterClassesSchema>> {
  const stations = await readings.devicesOfType(principal, 'WaterQualityObserved', q.area);
  const offsetSeconds = dayOffsetMinutes * 60;
  const since = new Date(now.getTime() - q.lookbackDays * 86_400_000);
  // The latest day of each station, all its assessed metrics of that day.
  const rows = stations.length
    ? await readings.latestDailySums(
        stations.map((s) => s.id),
        ASSESSED,
        since,
      )
    : [];

  const bySection = new Map<string, Station[]>();
  for (const s of stations) {
    const key = s.sectionName ?? s.name;
    bySection.set(key, [...(bySection.get(key) ?? []), s]);
  }
  const byDevice = new Map<string, typeof rows>();
  for (const r of rows) byDevice.set(r.deviceId, [...(byDevice.get(r.deviceId) ?? []), r]);

  const items: WaterSection[] = [];
  for (const [section, members] of bySection) {
    const first = members[0]!;
    const body: WaterBody = first.waterBody === 'lake' ? 'lake' : 'river';
    const target = (GB3838_CLASSES as readonly string[]).includes(first.targetClass ?? '')
      ? (first.targetClass as Gb3838Class)
      : null;
    const own = members.flatMap((m) => byDevice.get(m.id) ?? []);
    const latest = Math.max(-Infinity, ...own.map((r) => new Date(r.bucket).getTime()));
    const sums = new Map<string, { sum: number; n: number }>();
    for (const r of own) {
      if (new Date(r.bucket).getTime() !== latest) continue;
      const acc = sums.get(r.metric) ?? { sum: 0, n: 0 };
      acc.sum += Number(r.sum);
      acc.n += Number(r.n);
      sums.set(r.metric, acc);
    }
    const readings: Record<string, number> = {};
    for (const [metric, { sum, n }] of sums) if (n > 0) readings[metric] = round(sum / n);
    const overall = assess(readings, body);
    const grade: Gb3838Grade | null = overall?.grade ?? null;
    items.push({
      section,
      waterBody: body,
      targetClass: target,
      class: grade,
      meetsTarget: grade && target ? gradeRank(grade) <= gradeRank(target) : null,
      day: grade ? localDay(latest, offsetSeconds) : null,
      deciding: (overall?.worst ?? []).map((metric) => {
        const parameter = FIWARE_TO_GB3838[metric]!;
        return {
          metric,
          parameter,
          value: readings[metric]!,
          class: classify(parameter, readings[metric]!, body),
        };
      }),
      readings,
      jurisdictionCode: first.jurisdictionCode,
      stations: members.map((m) => ({ deviceId: m.id, name: m.name, lon: m.lon, lat: m.lat })),
    });
  }
  const counts = { I: 0, II: 0, III: 0, IV: 0, V: 0, 劣V: 0, none: 0 };
  for (const s of items) counts[s.class ?? 'none']++;
  return {
    at: now.toISOString(),
    counts,
    meetingTarget: items.filter((s) => s.meetsTarget === true).length,
    missingTarget: items.filter((s) => s.meetsTarget === false).length,
    items,
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** The local calendar day (YYYY-MM-DD) of a day bucket's start. */
function localDay(bucketMs: number, offsetSeconds: number): string {
  return new Date(bucketMs + offsetSeconds * 1000).toISOString().slice(0, 10);
}
