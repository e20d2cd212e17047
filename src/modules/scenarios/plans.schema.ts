import type { ColumnType } from 'kysely';
import { z } from 'zod';

type Json<T> = ColumnType<T, string, string>;

/** Levels a plan task is sent to: the department of that type at the event's node of this level (or the nearest above). */
export const PLAN_LEVELS = ['street', 'district', 'city'] as const;

/** One task of a response-plan template: a department (type + level), what it must do, by when. */
export const PlanTaskTemplateSchema = z.object({
  key: z.string().regex(/^[a-z0-9_-]+$/),
  departmentType: z.string().min(1),
  level: z.enum(PLAN_LEVELS),
  /** The skill the handling team needs (the team directory's skills). */
  skill: z.string().min(1),
  title: z.string().min(1),
  /** Chinese instructions; `{name}` placeholders are filled from the analysis' parameters. */
  instructions: z.string().min(1),
  acceptMinutes: z.number().int().positive(),
  dueMinutes: z.number().int().positive(),
  /** Only when this parameter is present and truthy (e.g. a dilution release exists). */
  when: z.string().optional(),
});

/** A response-plan template (预案), versioned, in `data/scenarios/plans/*.json`. */
export const PlanTemplateSchema = z.object({
  key: z.string().regex(/^[a-z0-9._-]+$/),
  version: z.number().int().positive(),
  scenario: z.string().min(1),
  name: z.string().min(1),
  nameEn: z.string().optional(),
  /** The event category the plan responds to (the event is made with it when the plan makes the event). */
  category: z.string().min(1),
  /** Execution target from activation, minutes. */
  targetMinutes: z.number().int().positive(),
  /** Cancel the event's responsibility-list tasks of departments the plan does not name. */
  supersedesRouting: z.boolean().default(true),
  /** Centres told when the plan starts (`street`: the grassroots centre of the event's street/town). */
  notifyCentres: z.array(z.enum(PLAN_LEVELS)).default([]),
  /** One summary line, filled from the parameters. */
  summary: z.string().min(1),
  tasks: z.array(PlanTaskTemplateSchema).min(1),
});
/** A response-plan template. */
export type PlanTemplate = z.infer<typeof PlanTemplateSchema>;
/** One task template. */
export type PlanTaskTemplate = z.infer<typeof PlanTaskTemplateSchema>;

/** Tables owned by the scenarios module. */
export interface PlanTables {
  sc_plan: {
    id: string;
    template_key: string;
    template_version: number;
    scenario: string;
    name: string;
    summary: string;
    event_id: string;
    jurisdiction_path: string;
    lon: number;
    lat: number;
    target_minutes: number;
    started_at: Date;
    target_at: Date;
    analysis: Json<Record<string, unknown>>;
    decision_id: string | null;
    created_by: string;
  };
  sc_plan_task: {
    id: string;
    plan_id: string;
    seq: number;
    key: string;
    title: string;
    department_type: string;
    department_code: string;
    level: string;
    task_id: string;
    instructions: string;
    lon: number;
    lat: number;
    due_at: Date;
    linked: boolean;
  };
}

const iso = z.iso.datetime({ offset: true });

/** One task of a plan with its live dispatch status. */
export const PlanTaskSchema = z.object({
  key: z.string(),
  title: z.string(),
  departmentType: z.string(),
  departmentCode: z.string(),
  level: z.string(),
  taskId: z.string(),
  instructions: z.string(),
  location: z.object({ lon: z.number(), lat: z.number() }),
  dueAt: iso,
  linked: z.boolean().describe('the task existed already (responsibility-list routing); the plan adopted it'),
  status: z.string(),
  team: z.string().nullable(),
  acknowledgedAt: iso.nullable(),
  completedAt: iso.nullable(),
});

/** A plan with its progress against the target time. */
export const PlanSchema = z.object({
  id: z.string(),
  templateKey: z.string(),
  templateVersion: z.number().int(),
  scenario: z.string(),
  name: z.string(),
  summary: z.string(),
  eventId: z.string(),
  jurisdictionPath: z.string(),
  location: z.object({ lon: z.number(), lat: z.number() }),
  startedAt: iso,
  targetAt: iso,
  targetMinutes: z.number(),
  status: z.enum(['active', 'completed']),
  progress: z.object({
    total: z.number().int(),
    acknowledged: z.number().int(),
    done: z.number().int(),
    elapsedMinutes: z.number(),
    onTime: z.boolean().nullable().describe('null while running and within target'),
    overdue: z.boolean(),
    completedAt: iso.nullable(),
  }),
  decisionId: z.string().nullable(),
  analysis: z.record(z.string(), z.unknown()),
  tasks: z.array(PlanTaskSchema),
});
/** A plan as the API returns it. */
export type PlanDto = z.infer<typeof PlanSchema>;

/** Filters of GET /api/v1/plans. */
export const PlanQuerySchema = z.object({
  scenario: z.string().optional(),
  eventId: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
