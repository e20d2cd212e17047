import { z } from 'zod';
import { ROLE_GROUPS } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/database.ts';
import { principalOf } from '../../platform/http/principal.ts';
import type { Api } from '../../platform/http/server.ts';
import { acceptRawBodies, bodyBytes, sendPhoto } from '../../platform/photos.ts';
import type { DispatchService } from '../dispatch/index.ts';
import { NotificationSchema, type NotifyService } from '../notify/index.ts';
import { CITIZEN_PORTAL, sourceOf } from './events.channels.ts';
import { EventInsights } from './events.insights.ts';
import { KpiQuerySchema, KpiSchema } from './events.kpis.ts';
import { citizenPhotoPath, EventPhotoSchema, UploadedPhotoSchema } from './events.photos.ts';
import {
  CategoriseSchema,
  CreateEventSchema,
  EventDetailSchema,
  EventQuerySchema,
  EventSchema,
  IntakeResultSchema,
  IntakeSchema,
  RatingSchema,
  ReopenSchema,
  VerifySchema,
} from './events.schema.ts';
import type { EventService } from './events.service.ts';
import { registerWorkloadRoutes } from './events.workload.routes.ts';

const tags = ['events'];
const Id = z.object({ id: z.string().min(1) });

/** Dependencies of the event routes. */
export interface EventRouteDeps {
  events: EventService;
  dispatch: DispatchService;
  notify: NotifyService;
  db: Db;
  clock: Clock;
}

/** Operator, patrol and webhook intake, the triage queue, verification, KPIs; and the citizen API. */
export function registerEventRoutes(app: Api, deps: EventRouteDeps): void {
  const { events } = deps;
  const insights = new EventInsights(deps);
  registerWorkloadRoutes(app, insights);
  app.post(
    '/api/v1/events',
    {
      config: { access: { roles: ROLE_GROUPS.reporters } },
      schema: {
        tags,
        summary: 'Report an event (operators, field patrols, other systems with an API key)',
        body: CreateEventSchema,
        response: { 201: IntakeResultSchema },
      },
    },
    async (req, reply) => {
      const principal = principalOf(req);
      const { source, ...body } = req.body;
      return reply.status(201).send(await events.intake(principal, sourceOf(principal, source), body));
    },
  );
  app.get(
    '/api/v1/events',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Events in your jurisdiction (status=triage: the human queue)',
        querystring: EventQuerySchema.omit({ ids: true }),
        response: { 200: z.object({ items: z.array(EventSchema) }) },
      },
    },
    async (req) => ({
      items: await events.list(principalOf(req), req.query),
    }),
  );
  app.get(
    '/api/v1/events/:id',
    {
      config: { access: 'authenticated' },
      schema: { tags, summary: 'One event with its tasks', params: Id, response: { 200: EventDetailSchema } },
    },
    async (req) => events.get(principalOf(req), req.params.id),
  );
  app.post(
    '/api/v1/events/:id/categorise',
    {
      config: { access: { roles: ROLE_GROUPS.operators, audited: true } },
      schema: {
        tags,
        summary: 'Categorise or re-route an event in triage (teaches the classifier)',
        params: Id,
        body: CategoriseSchema,
        response: { 200: EventDetailSchema },
      },
    },
    async (req) => events.categorise(principalOf(req), req.params.id, req.body),
  );
  app.post(
    '/api/v1/events/:id/verify',
    {
      config: { access: { roles: ROLE_GROUPS.operators, audited: true } },
      schema: {
        tags,
        summary: 'Verify a resolved event: approve closes it and tells the reporters',
        params: Id,
        body: VerifySchema,
        response: { 200: EventDetailSchema },
      },
    },
    async (req) => events.verify(principalOf(req), req.params.id, req.body),
  );
  app.get(
    '/api/v1/kpis',
    {
      config: { access: { roles: ROLE_GROUPS.oversight } },
      schema: {
        tags,
        summary: 'Governance KPIs of your jurisdiction',
        querystring: KpiQuerySchema,
        response: { 200: KpiSchema },
      },
    },
    async (req) => insights.kpis(principalOf(req), req.query),
  );

  const citizen = ['citizen'];
  const TokenQuery = z.object({ token: z.string().min(10) });
  app.post(
    '/api/v1/citizen/requests',
    {
      config: { access: 'public' },
      schema: {
        tags: citizen,
        summary: 'File a request (no account needed); keep the token',
        security: [],
        body: IntakeSchema,
        response: { 201: IntakeResultSchema },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await events.intake(req.principal ?? CITIZEN_PORTAL, 'citizen', req.body)),
  );
  app.post(
    '/api/v1/citizen/requests/:id/rating',
    {
      config: { access: 'public' },
      schema: {
        tags: citizen,
        summary: 'Rate the result 1–5',
        security: [],
        params: Id,
        body: RatingSchema,
        response: { 200: EventSchema },
      },
    },
    async (req) => events.rate(req.params.id, req.body),
  );
  app.post(
    '/api/v1/citizen/requests/:id/reopen',
    {
      config: { access: 'public' },
      schema: {
        tags: citizen,
        summary: 'Reopen within the configured period',
        security: [],
        params: Id,
        body: ReopenSchema,
        response: { 200: EventSchema },
      },
    },
    async (req) => events.reopen(req.params.id, req.body),
  );
  app.get(
    '/api/v1/citizen/notifications',
    {
      config: { access: 'public' },
      schema: {
        tags: citizen,
        summary: 'What the city told you (by your token)',
        security: [],
        querystring: TokenQuery,
        response: { 200: z.object({ items: z.array(NotificationSchema) }) },
      },
    },
    async (req) => {
      const found = await events.reporterIds(req.query.token);
      return { items: await deps.notify.inbox(found.map((id) => `reporter:${id}`)) };
    },
  );
  registerPhotoRoutes(app, events);
}

/**
 * Citizen photos: upload (no account; an Open311 client sends its x-api-key), download by the
 * reporter's token or by staff whose scope covers the event, and a request's photo list.
 */
function registerPhotoRoutes(app: Api, events: EventService): void {
  const citizen = ['citizen'];
  const OptionalToken = z.object({ token: z.string().min(10).optional() });
  const Token = z.object({ token: z.string().min(10) });
  app.get(
    '/api/v1/citizen/photos/:id',
    {
      config: { access: 'public' },
      schema: {
        tags: citizen,
        summary:
          'Download a complaint photo (image bytes; ETag = SHA-256, cache-control: private): its reporter with ?token=, or staff whose jurisdiction covers the event',
        security: [{}, { bearer: [] }, { apiKey: [] }],
        params: Id,
        querystring: OptionalToken,
      },
    },
    async (req, reply) => {
      const photo = req.query.token
        ? await events.photoForReporter(req.params.id, req.query.token)
        : await events.photoForStaff(principalOf(req), req.params.id);
      return sendPhoto(req, reply, {
        sha256: photo.sha256,
        mime: photo.mime,
        bytes: photo.bytes,
        storedPath: photo.stored_path,
      });
    },
  );
  app.get(
    '/api/v1/citizen/requests/:id/photos',
    {
      config: { access: 'public' },
      schema: {
        tags: citizen,
        summary: 'The photos of my request: the ones I sent, and the proof photos once it is closed',
        security: [],
        params: Id,
        querystring: Token,
        response: { 200: z.object({ items: z.array(EventPhotoSchema) }) },
      },
    },
    async (req) => ({ items: await events.reporterPhotos(req.params.id, req.query.token) }),
  );
  app.get(
    '/api/v1/citizen/requests/:id/evidence/:evidenceId',
    {
      config: { access: 'public' },
      schema: {
        tags: citizen,
        summary: 'Download a proof photo of my closed request (?token=)',
        security: [],
        params: Id.extend({ evidenceId: z.string().min(1) }),
        querystring: Token,
      },
    },
    async (req, reply) =>
      sendPhoto(
        req,
        reply,
        await events.resultPhotoForReporter(req.params.id, req.params.evidenceId, req.query.token),
      ),
  );
  const max = events.photos.limits.maxBytes;
  app.register(async (instance) => {
    const scope = instance as unknown as Api;
    acceptRawBodies(scope, max);
    scope.post(
      '/api/v1/citizen/photos',
      {
        config: { access: 'public' },
        bodyLimit: max * 2,
        schema: {
          tags: citizen,
          summary:
            'Upload a complaint photo (JPEG/PNG/WebP by content, raw bytes in the body); name it in the complaint. No account needed: 20 per 10 min per address, 300 per API key',
          security: [{}, { apiKey: [] }],
          response: { 201: UploadedPhotoSchema },
        },
      },
      async (req, reply) => {
        const stored = await events.photos.upload(req.principal, req.ip, bodyBytes(req.body)).catch((err) => {
          const retry = (err as { details?: { retryAfterSeconds?: number } }).details?.retryAfterSeconds;
          if (retry) reply.header('retry-after', String(retry));
          throw err;
        });
        const url = `${req.protocol}://${req.host}${citizenPhotoPath(stored.id)}`;
        return reply
          .status(201)
          .header('location', url)
          .send({ ...stored, url });
      },
    );
  });
}
