/**
 * The river-network file format (zod schemas, types inferred): reaches, nodes, monitoring
 * sections, pollution sources, drinking-water intakes and reservoirs. Places on the network
 * are a reach id plus a fraction of its length from its upstream end (0) to its downstream end (1).
 */
import { z } from 'zod';

const Coordinate = z.tuple([z.number(), z.number()]);
const Id = z.string().min(1);
const Fraction = z.number().min(0).max(1);
const Flags = { synthesised: z.boolean().default(false), approximate: z.boolean().default(true) };

/** A confluence, a river head or an outlet. */
export const NodeSchema = z.object({
  id: Id,
  kind: z.enum(['head', 'confluence', 'junction', 'outlet']),
  coordinates: Coordinate,
});

/** A directed stretch of river from node `from` to node `to` (downstream). */
export const ReachSchema = z.object({
  id: Id,
  name: z.string(),
  river: z.string(),
  from: Id,
  to: Id,
  lengthM: z.number().positive(),
  /** Water-surface slope, m/m; 0 when unknown (Jobson's equation without slope is used). */
  slope: z.number().min(0),
  /** Discharge for predictions, m³/s. */
  q: z.number().positive(),
  /** Mean annual discharge, m³/s. */
  qa: z.number().positive(),
  drainageAreaM2: z.number().positive(),
  geometry: z.array(Coordinate).min(2),
  ...Flags,
});

const OnReach = { reach: Id, fraction: Fraction };

/** A water-quality monitoring section with its GB 3838 target class. */
export const SectionSchema = z.object({
  id: Id,
  name: z.string(),
  nameEn: z.string().optional(),
  ...OnReach,
  targetClass: z.enum(['I', 'II', 'III', 'IV', 'V']),
  ...Flags,
});

/** One period an online outfall monitor reported a pollutant over its limit (ISO times). */
export const ExceedanceSchema = z.object({
  pollutant: z.string(),
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }).optional(),
});

/**
 * A sewage plant, outfall or enterprise. `pollutants` are FIWARE WaterQualityObserved names
 * (`bod`, `cod`, `NH4`, `PO4`, …) plus `oil`; `permit` holds permitted outlet limits, mg/L.
 */
export const PollutionSourceSchema = z.object({
  id: Id,
  name: z.string(),
  nameEn: z.string().optional(),
  kind: z.enum(['sewage_plant', 'outfall', 'enterprise']),
  industry: z.string().optional(),
  ...OnReach,
  pollutants: z.array(z.string()).min(1),
  monitoring: z
    .object({ online: z.boolean(), exceedances: z.array(ExceedanceSchema).default([]) })
    .default({ online: false, exceedances: [] }),
  permit: z.record(z.string(), z.number()).default({}),
  ...Flags,
});

/** A drinking-water intake and how many people it serves. */
export const IntakeSchema = z.object({
  id: Id,
  name: z.string(),
  nameEn: z.string().optional(),
  ...OnReach,
  population: z.number().int().nonnegative(),
  ...Flags,
});

/** A reservoir or hydropower station that can release water. */
export const ReservoirSchema = z.object({
  id: Id,
  name: z.string(),
  nameEn: z.string().optional(),
  kind: z.enum(['reservoir', 'hydropower']),
  ...OnReach,
  releaseCapacityM3s: z.number().positive(),
  ...Flags,
});

/** A whole network file. */
export const NetworkSchema = z.object({
  name: z.string(),
  description: z.string().default(''),
  /** Where each part comes from (free text, one line each). */
  provenance: z.array(z.string()).default([]),
  nodes: z.array(NodeSchema),
  reaches: z.array(ReachSchema).min(1),
  sections: z.array(SectionSchema).default([]),
  pollutionSources: z.array(PollutionSourceSchema).default([]),
  intakes: z.array(IntakeSchema).default([]),
  reservoirs: z.array(ReservoirSchema).default([]),
});

export type NetworkNode = z.infer<typeof NodeSchema>;
export type Reach = z.infer<typeof ReachSchema>;
export type Section = z.infer<typeof SectionSchema>;
export type Exceedance = z.infer<typeof ExceedanceSchema>;
export type PollutionSource = z.infer<typeof PollutionSourceSchema>;
export type Intake = z.infer<typeof IntakeSchema>;
export type Reservoir = z.infer<typeof ReservoirSchema>;
export type NetworkData = z.infer<typeof NetworkSchema>;
/** Input form (defaults not yet applied). */
export type NetworkInput = z.input<typeof NetworkSchema>;

/** A place on the network: a reach and a fraction of its length from its upstream end. */
export interface Position {
  reach: string;
  fraction: number;
}
