import { z } from 'zod';
import { ASSIGN_REASON_CODES, ReasonParamsSchema } from './dispatch.reasons.ts';

/** Levels of the three governance centres, lowest first. */
export const CENTRE_LEVELS = ['street', 'district', 'city'] as const;
/** One centre level. */
export type CentreLevel = (typeof CENTRE_LEVELS)[number];

/** Task lifecycle. `pending` waits for a team (none available); `returned`, `completed`, `cancelled` end it. */
export const TASK_STATUSES = [
  'pending',
  'assigned',
  'accepted',
  'en_route',
  'arrived',
  'completed',
  'unable',
  'returned',
  'cancelled',
] as const;
/** One task status. */
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Statuses in which a task counts against its team's capacity. */
export const ACTIVE_STATUSES: TaskStatus[] = ['assigned', 'accepted', 'en_route', 'arrived'];
/** Statuses a task never leaves on its own. */
export const FINAL_STATUSES: TaskStatus[] = ['completed', 'returned', 'cancelled'];

/** Which action may start from which status, and where it leads. */
export const TRANSITIONS = {
  accept: { from: ['assigned'], to: 'accepted' },
  en_route: { from: ['accepted', 'en_route'], to: 'en_route' },
  arrive: { from: ['accepted', 'en_route'], to: 'arrived' },
  complete: { from: ['accepted', 'en_route', 'arrived'], to: 'completed' },
  unable: { from: ['accepted', 'en_route', 'arrived'], to: 'unable' },
  return: { from: ['assigned', 'accepted'], to: 'returned' },
  assign: { from: ['pending', 'assigned', 'accepted', 'en_route', 'unable'], to: 'assigned' },
  cancel: { from: ['pending', 'assigned', 'accepted', 'en_route', 'arrived', 'unable'], to: 'cancelled' },
  redo: { from: ['completed'], to: 'accepted' },
} as const satisfies Record<string, { from: readonly TaskStatus[]; to: TaskStatus }>;
/** An action on a task. */
export type TaskAction = keyof typeof TRANSITIONS;

const iso = z.iso.datetime({ offset: true });
const LonLat = z.object({ lon: z.number().min(-180).max(180), lat: z.number().min(-90).max(90) });

/** A task as the API returns it. */
export const TaskSchema = z.object({
  id: z.string(),
  eventId: z.string(),
  category: z.string(),
  role: z.enum(['lead', 'co']),
  departmentType: z.string(),
  departmentCode: z.string(),
  skill: z.string(),
  handlingLevel: z.enum(CENTRE_LEVELS),
  level: z.enum(CENTRE_LEVELS).describe('the centre following the task now (rises on escalation)'),
  centreCode: z.string(),
  jurisdictionPath: z.string(),
  location: LonLat,
  status: z.enum(TASK_STATUSES),
  team: z
    .object({ id: z.string(), code: z.string(), name: z.string(), departmentCode: z.string() })
    .nullable(),
  assignDecisionId: z.string().nullable(),
  assignReason: z
    .string()
    .nullable()
    .describe('why the task has its team (or none), in English: the fallback text'),
  assignReasonCode: z
    .enum(ASSIGN_REASON_CODES)
    .nullable()
    .describe(
      'the reason as a code for clients to render in their language (null on tasks assigned before codes)',
    ),
  assignReasonParams: ReasonParamsSchema.nullable().describe('the parameters of assignReasonCode'),
  acceptDueAt: iso,
  arriveDueAt: iso,
  resolveDueAt: iso,
  assignedAt: iso.nullable(),
  acceptedAt: iso.nullable(),
  arrivedAt: iso.nullable(),
  completedAt: iso.nullable(),
  escalations: z.number().int(),
  note: z.string().nullable(),
  position: LonLat.extend({ at: iso }).nullable(),
  createdAt: iso,
  updatedAt: iso,
});
/** A task. */
export type TaskDto = z.infer<typeof TaskSchema>;

/** One stored photo. */
export const EvidenceSchema = z.object({
  id: z.string(),
  taskId: z.string(),
  sha256: z.string(),
  mime: z.string(),
  bytes: z.number().int(),
  uploadedBy: z.string(),
  at: iso,
});
/** One stored photo. */
export type EvidenceDto = z.infer<typeof EvidenceSchema>;

/** Filters of task lists. */
export const TaskQuerySchema = z.object({
  status: z.enum(TASK_STATUSES).optional(),
  eventId: z.string().optional(),
  level: z.enum(CENTRE_LEVELS).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
/** Task filters. */
export type TaskQuery = z.infer<typeof TaskQuerySchema>;

/** A reason, required for refusals and returns. */
export const ReasonSchema = z.object({ reason: z.string().trim().min(2).max(1000) });
/** Optional note. */
export const NoteSchema = z.object({ note: z.string().trim().max(1000).optional() });
/** Body of en-route position updates. */
export const PositionSchema = LonLat;
/** Body of a centre's (re)assignment: a team, or empty to let the nearest-team algorithm choose again. */
export const AssignSchema = z.object({
  teamId: z.string().optional(),
  reason: z.string().trim().min(2).max(1000),
});

/** What the field card shows of the task's event (given by the event centre; see DispatchDeps.fieldContext). */
export const FieldEventSchema = z.object({
  trackingNo: z
    .string()
    .describe('the number the citizen was given (CQ-20261207-000123): the one a caller quotes'),
  description: z.string().describe("the problem as reported (the event's description)"),
  chain: z
    .array(z.string())
    .describe('jurisdiction names from the district down, e.g. ["渝中区", "解放碑街道"]'),
  landmark: z.string().nullable().describe('a named place near the task, when one is known'),
  photos: z
    .array(
      z.object({
        id: z.string(),
        url: z.string().describe('download path (bearer; an officer on the task may)'),
      }),
    )
    .describe("the citizens' photos of the report"),
});
/** What the field card shows of the task's event. */
export type FieldEvent = z.infer<typeof FieldEventSchema>;

/** A field officer's task: the task, its event's description, place and photos, and the officer's own photos. */
export const FieldTaskSchema = TaskSchema.extend({
  event: FieldEventSchema.optional(),
  evidence: z
    .array(EvidenceSchema.extend({ url: z.string() }))
    .optional()
    .describe('photos uploaded on this task, oldest first'),
});
/** A field officer's task with what the card shows. */
export type FieldTaskDto = z.infer<typeof FieldTaskSchema>;
