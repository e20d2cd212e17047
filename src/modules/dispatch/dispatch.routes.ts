import { z } from 'zod';
import { ROLE_GROUPS } from '../../platform/access.ts';
import { principalOf } from '../../platform/http/principal.ts';
import type { Api } from '../../platform/http/server.ts';
import { acceptRawBodies, bodyBytes, DEFAULT_MAX_PHOTO_BYTES, sendPhoto } from '../../platform/photos.ts';
import {
  AssignSchema,
  EvidenceSchema,
  FieldTaskSchema,
  NoteSchema,
  PositionSchema,
  ReasonSchema,
  TaskQuerySchema,
  TaskSchema,
} from './dispatch.schema.ts';
import type { DispatchService } from './dispatch.service.ts';

const tags = ['dispatch'];
const Id = z.object({ id: z.string().min(1) });
const Items = z.object({ items: z.array(TaskSchema) });
const FieldItems = z.object({
  items: z.array(FieldTaskSchema),
  done: z.array(FieldTaskSchema).optional().describe('tasks of my department’s teams completed today'),
});
const OptionalPosition = z
  .object({
    lon: z.number().min(-180).max(180),
    lat: z.number().min(-90).max(90),
    note: z.string().max(1000),
  })
  .partial();

/** Centre routes (tasks in your jurisdiction, reassign, cancel) and the field app's routes. */
export function registerDispatchRoutes(
  app: Api,
  deps: { dispatch: DispatchService; maxEvidenceBytes?: number },
): void {
  const { dispatch } = deps;
  app.get(
    '/api/v1/tasks',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Tasks in your jurisdiction',
        querystring: TaskQuerySchema,
        response: { 200: Items },
      },
    },
    async (req) => ({
      items: await dispatch.list(principalOf(req), req.query),
    }),
  );
  app.get(
    '/api/v1/tasks/:id',
    {
      config: { access: 'authenticated' },
      schema: { tags, summary: 'One task', params: Id, response: { 200: TaskSchema } },
    },
    async (req) => dispatch.get(principalOf(req), req.params.id),
  );
  app.post(
    '/api/v1/tasks/:id/assign',
    {
      config: { access: { roles: ROLE_GROUPS.operators, audited: true } },
      schema: {
        tags,
        summary: 'The centre following the task (re)assigns it',
        params: Id,
        body: AssignSchema,
        response: { 200: TaskSchema },
      },
    },
    async (req) => dispatch.assign(principalOf(req), req.params.id, req.body),
  );
  app.post(
    '/api/v1/tasks/:id/cancel',
    {
      config: { access: { roles: ROLE_GROUPS.operators, audited: true } },
      schema: {
        tags,
        summary: 'Cancel a task',
        params: Id,
        body: ReasonSchema,
        response: { 200: TaskSchema },
      },
    },
    async (req) => dispatch.cancel(principalOf(req), req.params.id, req.body.reason),
  );
  app.post(
    '/api/v1/tasks/:id/escalate',
    {
      config: { access: { roles: ROLE_GROUPS.operators, audited: true } },
      schema: {
        tags,
        summary:
          'Escalate a task one level by hand (street → district → city), with a reason. The centre following the task (or one above) only; 409 `already_top_level` at the city level, 409 `invalid_transition` when the task is finished.',
        params: Id,
        body: ReasonSchema,
        response: { 200: TaskSchema },
      },
    },
    async (req) => dispatch.escalate(principalOf(req), req.params.id, req.body.reason),
  );
  app.get(
    '/api/v1/tasks/:id/evidence',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Photos of a task',
        params: Id,
        response: { 200: z.object({ items: z.array(EvidenceSchema) }) },
      },
    },
    async (req) => ({ items: await dispatch.evidence(principalOf(req), req.params.id) }),
  );
  app.get(
    '/api/v1/tasks/:id/evidence/:evidenceId',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary:
          'Download one photo of a task (the image bytes; ETag = SHA-256, cache-control: private). Same visibility as the task.',
        params: Id.extend({ evidenceId: z.string().min(1) }),
      },
    },
    async (req, reply) =>
      sendPhoto(
        req,
        reply,
        await dispatch.evidenceFile(principalOf(req), req.params.id, req.params.evidenceId),
      ),
  );

  const field = ['field'];
  app.get(
    '/api/v1/field/tasks',
    {
      config: { access: { roles: ['field_officer'] } },
      schema: {
        tags: field,
        summary:
          'My team’s open tasks, each with its event’s description, place and citizen photos and my photos; `done`: completed today (city time)',
        response: { 200: FieldItems },
      },
    },
    async (req) => {
      const principal = principalOf(req);
      const [items, done] = await Promise.all([dispatch.myTasks(principal), dispatch.doneToday(principal)]);
      return { items, done };
    },
  );
  app.post(
    '/api/v1/field/tasks/:id/accept',
    {
      config: { access: { roles: ROLE_GROUPS.fieldWork, audited: true } },
      schema: {
        tags: field,
        summary: 'Accept a task',
        params: Id,
        body: NoteSchema.optional(),
        response: { 200: TaskSchema },
      },
    },
    async (req) => dispatch.act(principalOf(req), req.params.id, 'accept', { note: req.body?.note }),
  );
  app.post(
    '/api/v1/field/tasks/:id/en-route',
    {
      config: { access: { roles: ROLE_GROUPS.fieldWork, audited: true } },
      schema: {
        tags: field,
        summary: 'On the way (position update)',
        params: Id,
        body: PositionSchema,
        response: { 200: TaskSchema },
      },
    },
    async (req) => dispatch.act(principalOf(req), req.params.id, 'en_route', { position: req.body }),
  );
  app.post(
    '/api/v1/field/tasks/:id/arrive',
    {
      config: { access: { roles: ROLE_GROUPS.fieldWork, audited: true } },
      schema: {
        tags: field,
        summary: 'Arrived on scene',
        params: Id,
        body: OptionalPosition.optional(),
        response: { 200: TaskSchema },
      },
    },
    async (req) => {
      const b = req.body ?? {};
      const position = b.lon !== undefined && b.lat !== undefined ? { lon: b.lon, lat: b.lat } : undefined;
      return dispatch.act(principalOf(req), req.params.id, 'arrive', { position, note: b.note });
    },
  );
  app.post(
    '/api/v1/field/tasks/:id/complete',
    {
      config: { access: { roles: ROLE_GROUPS.fieldWork, audited: true } },
      schema: {
        tags: field,
        summary: 'Completed (needs a photo first)',
        params: Id,
        body: NoteSchema.optional(),
        response: { 200: TaskSchema },
      },
    },
    async (req) => dispatch.act(principalOf(req), req.params.id, 'complete', { note: req.body?.note }),
  );
  app.post(
    '/api/v1/field/tasks/:id/unable',
    {
      config: { access: { roles: ROLE_GROUPS.fieldWork, audited: true } },
      schema: {
        tags: field,
        summary: 'Cannot complete, with a reason',
        params: Id,
        body: ReasonSchema,
        response: { 200: TaskSchema },
      },
    },
    async (req) => dispatch.act(principalOf(req), req.params.id, 'unable', { reason: req.body.reason }),
  );
  app.post(
    '/api/v1/field/tasks/:id/return',
    {
      config: { access: { roles: ROLE_GROUPS.fieldWork, audited: true } },
      schema: {
        tags: field,
        summary: 'Return: not this department’s task',
        params: Id,
        body: ReasonSchema,
        response: { 200: TaskSchema },
      },
    },
    async (req) => dispatch.act(principalOf(req), req.params.id, 'return', { reason: req.body.reason }),
  );
  const max = deps.maxEvidenceBytes ?? DEFAULT_MAX_PHOTO_BYTES;
  app.register(async (instance) => {
    const scope = instance as unknown as Api;
    acceptRawBodies(scope, max);
    scope.post(
      '/api/v1/field/tasks/:id/evidence',
      {
        config: { access: { roles: ROLE_GROUPS.fieldWork, audited: true } },
        bodyLimit: max * 2,
        schema: {
          tags: field,
          summary: 'Upload a photo (JPEG/PNG/WebP, raw bytes in the body)',
          params: Id,
          response: { 201: EvidenceSchema },
        },
      },
      async (req, reply) =>
        reply
          .status(201)
          .send(await dispatch.addEvidence(principalOf(req), req.params.id, bodyBytes(req.body))),
    );
  });
}
