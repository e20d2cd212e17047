import { z } from 'zod';
import { defineSubjects } from '../../platform/bus/index.ts';

const TaskRef = z.object({
  taskId: z.string(),
  eventId: z.string(),
  category: z.string(),
  departmentCode: z.string(),
  level: z.string(),
  jurisdictionPath: z.string(),
});

/** What dispatch publishes (through the transactional outbox). */
export const dispatchSubjects = defineSubjects({
  'dispatch.task.created': TaskRef.extend({ role: z.enum(['lead', 'co']) }),
  'dispatch.task.assigned': TaskRef.extend({
    teamId: z.string(),
    teamCode: z.string(),
    decisionId: z.string().nullable(),
    reason: z.string(),
  }),
  'dispatch.task.status_changed': TaskRef.extend({ from: z.string(), to: z.string(), by: z.string() }),
  'dispatch.task.escalated': TaskRef.extend({
    kind: z
      .enum(['accept', 'arrive', 'resolve', 'manual'])
      .describe('the missed time limit, or `manual` when an operator escalated'),
    fromLevel: z.string(),
    toLevel: z.string(),
    centreCode: z.string(),
    /** The operator's reason (manual escalations). */
    reason: z.string().optional(),
  }),
});
