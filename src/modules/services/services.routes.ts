import { z } from 'zod';
import { ROLE_GROUPS } from '../../platform/access.ts';
import { principalOf } from '../../platform/http/principal.ts';
import type { Api } from '../../platform/http/server.ts';
import { NotificationSchema } from '../notify/index.ts';
import { KpiQuerySchema, ServicesKpisSchema, servicesKpis } from './services.kpis.ts';
import type { IntegratedServices } from './services.module.ts';
import {
  ApplicationSchema,
  BundleSummarySchema,
  CorrectionSchema,
  CreateApplicationSchema,
  DecisionSchema,
  DeskItemSchema,
  EligibilityBodySchema,
  EligibilitySchema,
  SubmitSchema,
} from './services.schema.ts';

const tags = ['services'];
const Id = z.object({ id: z.string().max(64) });
const StepParams = z.object({ id: z.string().max(64), item: z.string().max(64) });

/** Bundles, applications, the departments' desks and the applicant's notices under /api/v1/services. */
export function registerServicesRoutes(app: Api, deps: { services: IntegratedServices }): void {
  const { core, desk } = deps.services;
  app.get(
    '/api/v1/services/bundles',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Bundles (一件事) a citizen or enterprise can apply for, with their figures',
        security: [],
        response: { 200: z.object({ items: z.array(BundleSummarySchema) }) },
      },
    },
    async () => ({ items: core.listBundles() }),
  );
  app.post(
    '/api/v1/services/bundles/:id/eligibility',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Which eligibility rules the form fails, and why — before anything is filed',
        params: Id,
        body: EligibilityBodySchema,
        response: { 200: EligibilitySchema },
      },
    },
    async (req) => core.eligibility(req.params.id, req.body.form),
  );
  app.post(
    '/api/v1/services/applications',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary:
          'Start an application: with consent, what departments hold is read through the data-sharing gateway and shown to confirm',
        body: CreateApplicationSchema,
        response: { 201: ApplicationSchema },
      },
    },
    async (req, reply) => reply.status(201).send(await core.apply(principalOf(req), req.body)),
  );
  app.get(
    '/api/v1/services/applications',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Your applications, newest first',
        response: { 200: z.object({ items: z.array(ApplicationSchema) }) },
      },
    },
    async (req) => ({ items: await core.mine(principalOf(req)) }),
  );
  app.get(
    '/api/v1/services/applications/:id',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'One application (its applicant, a department with a step in it, or an administrator)',
        params: Id,
        response: { 200: ApplicationSchema },
      },
    },
    async (req) => core.get(principalOf(req), req.params.id),
  );
  app.post(
    '/api/v1/services/applications/:id/submit',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Confirm the records filled from shared data, give the rest, and file the application',
        params: Id,
        body: SubmitSchema,
        response: { 200: ApplicationSchema },
      },
    },
    async (req) => core.submit(principalOf(req), req.params.id, req.body),
  );
  app.post(
    '/api/v1/services/applications/:id/correction',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Give what a department asked to be corrected; the step reopens',
        params: Id,
        body: CorrectionSchema,
        response: { 200: ApplicationSchema },
      },
    },
    async (req) => desk.correct(principalOf(req), req.params.id, req.body),
  );
  app.get(
    '/api/v1/services/desk',
    {
      config: { access: { roles: ['department_liaison'] } },
      schema: {
        tags,
        summary:
          "Your department's pending steps with the materials each needs (an administrator may name a department)",
        querystring: z.object({ department: z.string().max(64).optional() }),
        response: { 200: z.object({ items: z.array(DeskItemSchema) }) },
      },
    },
    async (req) => ({ items: await desk.inbox(principalOf(req), req.query.department) }),
  );
  app.post(
    '/api/v1/services/applications/:id/steps/:item/decision',
    {
      // The service checks the department and audits a refusal (403 forbidden, details.reason wrong_department).
      config: { access: { roles: ['department_liaison'], audited: true } },
      schema: {
        tags,
        summary: 'Decide a step as its department: approve, reject with a reason, or ask for a correction',
        params: StepParams,
        body: DecisionSchema,
        response: { 200: ApplicationSchema },
      },
    },
    async (req) => desk.decide(principalOf(req), req.params.id, req.params.item, req.body),
  );
  app.get(
    '/api/v1/services/notices',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'What the departments told you about your applications (in-app)',
        response: { 200: z.object({ items: z.array(NotificationSchema) }) },
      },
    },
    async (req) => ({ items: await core.notices(principalOf(req)) }),
  );
  app.get(
    '/api/v1/services/kpis',
    {
      config: { access: { roles: ROLE_GROUPS.oversight } },
      schema: {
        tags,
        summary:
          'Per bundle: applications, lead time, share of materials from shared data; per desk: decided on time, open, overdue, escalated',
        querystring: KpiQuerySchema,
        response: { 200: ServicesKpisSchema },
      },
    },
    async (req) => servicesKpis(core.deps.db, core.deps.clock.now(), req.query),
  );
}
