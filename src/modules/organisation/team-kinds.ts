import { z } from 'zod';
import { Code, DATA_DIR, parseWith, readJson } from './organisation.catalogue.ts';

/** Skills a team can hold; the responsibility list names one per category as the skill a handling team needs. */
export const SKILLS = [
  'street_vending',
  'smoke',
  'illegal_advertising',
  'illegal_construction',
  'construction_waste',
  'sanitation',
  'road_damage',
  'manhole',
  'streetlight',
  'drainage',
  'greening',
  'utility',
  'illegal_parking',
  'traffic_control',
  'transport_enforcement',
  'public_order',
  'crowd_control',
  'noise',
  'water_pollution',
  'air_pollution',
  'water_patrol',
  'flood',
  'fire',
  'rescue',
  'hazmat',
  'geological',
  'food_safety',
  'market_inspection',
  'special_equipment',
  'building_safety',
  'construction_site',
  'labour_inspection',
  'community_service',
  'inspection',
] as const;

/** One skill. */
export type Skill = (typeof SKILLS)[number];

/** Kinds of field unit. */
export const TEAM_KINDS = [
  'enforcement_squad',
  'grid_worker',
  'police_patrol',
  'sanitation_crew',
  'maintenance_crew',
  'environment_inspection',
  'water_patrol',
  'emergency_rescue',
  'fire_rescue',
  'market_inspection',
  'construction_inspection',
  'transport_enforcement',
  'labour_inspection',
] as const;

/** One kind of field unit. */
export type TeamKind = (typeof TEAM_KINDS)[number];

/** How the demo city staffs one kind of unit at one level of the jurisdiction tree. */
export const TeamPlanSchema = z.object({
  kind: z.enum(TEAM_KINDS),
  level: z.enum(['street', 'district']),
  departmentType: Code.describe('department type the unit belongs to, at the same node'),
  skills: z.array(z.enum(SKILLS)).min(1),
  capacity: z.number().int().min(1),
  perNode: z
    .tuple([z.number().int().min(0), z.number().int().min(0)])
    .describe('units per node, uniform in [min, max]'),
  nameZh: z
    .string()
    .min(1)
    .describe('{name} node name, {short} street name without 街道/镇/乡, {n} unit number'),
  spreadDegrees: z.number().positive().describe('1σ scatter of base locations around the node point'),
});
/** One line of the staffing plan. */
export type TeamPlan = z.infer<typeof TeamPlanSchema>;

/** The demo staffing file (`data/organisation/demo-team-plan.v1.json`). */
export const DemoTeamPlanSchema = z.object({
  version: z.string().min(1),
  note: z.string().optional(),
  onDutyShare: z.number().min(0).max(1),
  plans: z.array(TeamPlanSchema).min(1),
});
/** The demo staffing plan. */
export type DemoTeamPlan = z.infer<typeof DemoTeamPlanSchema>;

/** Reads and validates the demo staffing plan (default: the shipped v1). */
export function readDemoTeamPlan(
  file: string | URL = new URL('demo-team-plan.v1.json', DATA_DIR),
): DemoTeamPlan {
  return parseWith(DemoTeamPlanSchema, readJson(file), String(file));
}
