import { z } from 'zod';
import { hasRole, type Principal, requireRole } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/database.ts';
import { principalOf } from '../../platform/http/principal.ts';
import type { Api } from '../../platform/http/server.ts';
import type { DispatchService } from '../dispatch/index.ts';
import type { NotifyService } from '../notify/index.ts';
import { NotificationSchema } from '../notify/notify.schema.ts';
import { computeKpis, KpiQuerySchema, KpiSchema } from './events.kpis.ts';
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
  type Source,
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

/** The channel a caller reports through: systems by API key, field officers on patrol, else citizen (hotline entry by operators). */
function sourceOf(principal: Principal, asked: Source | undefined): Source {
  if (principal.kind === 'api_key') return asked === 'sensor_alert' ? 'sensor_alert' : 'system';
  if (
    principal.roles.includes('field_officer') &&
    !hasRole(principal, 'city_operator', 'district_operator', 'street_operator')
  )
    return 'patrol';
  return asked ?? 'citizen';
}

/** Operator, patrol and webhook intake, the triage queue, verification, KPIs; and the citizen API. */
export function registerEventRoutes(app: Api, deps: EventRouteDeps): void {
  const { events } = deps;
  registerWorkloadRoutes(app, deps);
  app.post(
    '/api/v1/events',
    {
      schema: {
        tags,
        summary: 'Report an event (operators, field patrols, other systems with an API key)',
        body: CreateEventSchema,
        response: { 201: IntakeResultSchema },
      },
    },
    async (req, reply) => {
      const principal = principalOf(req);
      requireRole(
        principal,
        'city_operator',
        'district_operator',
        'street_operator',
        'field_officer',
        'department_liaison',
      );
      const { source, ...body } = req.body;
      return reply.status(201).send(await events.intake(principal, sourceOf(principal, source), body));
    },
  );
  app.get(
    '/api/v1/events',
    {
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
      schema: { tags, summary: 'One event with its tasks', params: Id, response: { 200: EventDetailSchema } },
    },
    async (req) => events.get(principalOf(req), req.params.id),
  );
  app.post(
    '/api/v1/events/:id/categorise',
    {
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
      schema: {
        tags,
        summary: 'Governance KPIs of your jurisdiction',
        querystring: KpiQuerySchema,
        response: { 200: KpiSchema },
      },
    },
    async (req) => {
      const principal = principalOf(req);
      requireRole(principal, 'city_operator', 'district_operator', 'street_operator', 'auditor');
      return computeKpis(deps.db, deps.dispatch, principal, deps.clock.now(), req.query);
    },
  );

  const citizen = ['citizen'];
  const TokenQuery = z.object({ token: z.string().min(10) });
  app.post(
    '/api/v1/citizen/requests',
    {
      schema: {
        tags: citizen,
        summary: 'File a request (no account needed); keep the token',
        security: [],
        body: IntakeSchema,
        response: { 201: IntakeResultSchema },
      },
    },
    async (req, reply) => {
      const actor: Principal = req.principal ?? {
        kind: 'system',
        id: 'citizen-portal',
        name: 'citizen',
        roles: [],
        jurisdictionCode: '',
        jurisdictionPath: '',
        departmentCode: null,
      };
      return reply.status(201).send(await events.intake(actor, 'citizen', req.body));
    },
  );
  app.post(
    '/api/v1/citizen/requests/:id/rating',
    {
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
}
