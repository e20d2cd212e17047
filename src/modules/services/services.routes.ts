import { z } from 'zod';
import { ROLE_GROUPS } from '../../platform/access.ts';
import { principalOf } from '../../platform/http/principal.ts';
import type { Api } from '../../platform/http/server.ts';
import { NotificationSchema } from '../notify/index.ts';
import { BundleDefinitionSchema } from './services.definition.ts';
import { KpiQuerySchema, ServicesKpisSchema, servicesKpis } from './services.kpis.ts';
import type { IntegratedServices } from './services.module.ts';
import {
  AcceptProposalSchema,
  ApplicationSchema,
  BirthSchema,
  BundleSummarySchema,
  CertificateSchema,
  CertificateStatusSchema,
  CertificateVerifySchema,
  CorrectionSchema,
  CreateApplicationSchema,
  DecisionSchema,
  DeclineProposalSchema,
  DeskItemSchema,
  EligibilityBodySchema,
  EligibilitySchema,
  ProposalSchema,
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
  app.get(
    '/api/v1/services/bundles/:id',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary:
          'A bundle’s whole definition: items, departments, form, eligibility rules in words, the approval graph in steps, materials and their sources, time limits, the consent words (404 not_found for an unknown bundle or version)',
        security: [],
        params: Id,
        querystring: z.object({
          version: z.coerce
            .number()
            .int()
            .min(1)
            .optional()
            .describe('a version an application runs on; default: the one new applications start on'),
        }),
        response: { 200: BundleDefinitionSchema },
      },
    },
    async (req) => core.definition(req.params.id, req.query.version),
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
  app.get(
    '/api/v1/services/desk/applications/:id/materials/:code/file',
    {
      // The service checks who may (the desks of the items needing it, the applicant, oversight in scope; else 404).
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary:
          'Open a file the applicant uploaded for a material: the desk of an item that needs it, the applicant, an operator or auditor whose area holds the application (anyone else: 404)',
        params: z.object({ id: z.string().max(64), code: z.string().max(64) }),
      },
    },
    async (req, reply) => {
      const file = await core.files.open(principalOf(req), req.params.id, req.params.code);
      return reply
        .type(file.contentType)
        .header('content-disposition', `inline; filename="${file.filename}"`)
        .header('etag', `"${file.sha256}"`)
        .header('cache-control', 'private')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .send(Buffer.from(file.bytes));
    },
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
          'Per bundle: applications, lead time, share of materials from shared data, share fully online, trips saved; per desk: decided on time, open, overdue, escalated',
        querystring: KpiQuerySchema,
        response: { 200: ServicesKpisSchema },
      },
    },
    async (req) => servicesKpis(core.deps.db, core.deps.clock.now(), req.query, core.bundles),
  );
  registerCertificateRoutes(app, deps.services);
  registerProposalRoutes(app, deps.services);
}

/** Electronic certificates: the applicant's list and PDFs, the published key, public verification. */
function registerCertificateRoutes(app: Api, { certificates }: IntegratedServices): void {
  app.get(
    '/api/v1/services/keys',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary:
          'The certificates’ signing key as a JWKS (Ed25519, EdDSA): verify a certificate’s QR text offline',
        security: [],
        response: { 200: z.object({ keys: z.array(z.record(z.string(), z.string())) }) },
      },
    },
    async () => certificates.jwks(),
  );
  app.get(
    '/api/v1/services/applications/:id/certificates',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'The electronic certificates of a completed application (one per item), with their QR text',
        params: Id,
        response: { 200: z.object({ items: z.array(CertificateSchema) }) },
      },
    },
    async (req) => ({ items: await certificates.list(principalOf(req), req.params.id) }),
  );
  app.get(
    '/api/v1/services/applications/:id/certificates/:number.pdf',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary:
          'Download a certificate as PDF (application/pdf): its applicant, a department with a step in it, an administrator',
        params: z.object({ id: z.string().max(64), number: z.string().max(64) }),
      },
    },
    async (req, reply) => {
      const bytes = await certificates.pdf(principalOf(req), req.params.id, req.params.number);
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="${req.params.number}.pdf"`)
        .header('cache-control', 'private')
        .send(Buffer.from(bytes));
    },
  );
  app.post(
    '/api/v1/services/certificates/verify',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary:
          'Verify a certificate from its QR text alone: signature, issued as is under its number, validity',
        security: [],
        body: z.object({ qr: z.string().max(8000) }),
        response: { 200: CertificateVerifySchema },
      },
    },
    async (req) => certificates.verify(req.body.qr),
  );
  app.get(
    '/api/v1/services/certificates/:number',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary:
          'A certificate’s status by its number (the holder’s name masked); 404 not_found for a number never issued',
        security: [],
        params: z.object({ number: z.string().max(64) }),
        response: { 200: CertificateStatusSchema },
      },
    },
    async (req) => certificates.status(req.params.number),
  );
}

/** Proactive services: a birth registered by the health department proposes the newborn bundle to the parent. */
function registerProposalRoutes(app: Api, { proposals }: IntegratedServices): void {
  app.post(
    '/api/v1/services/births',
    {
      // The service checks the department (the newborn bundle's first desk) and audits the proposal.
      config: { access: { roles: ['department_liaison'] } },
      schema: {
        tags,
        summary:
          'Register a birth (the health department): proposes the newborn bundle, pre-filled, to the parent (201; the same birth again: 200 with the proposal made)',
        body: BirthSchema,
        response: { 200: ProposalSchema, 201: ProposalSchema },
      },
    },
    async (req, reply) => {
      const { created, proposal } = await proposals.registerBirth(principalOf(req), req.body);
      return reply.status(created ? 201 : 200).send(proposal);
    },
  );
  app.get(
    '/api/v1/services/proposals',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Bundles the platform proposes to you (after a registered birth), newest first',
        response: { 200: z.object({ items: z.array(ProposalSchema) }) },
      },
    },
    async (req) => ({ items: await proposals.mine(principalOf(req)) }),
  );
  app.get(
    '/api/v1/services/proposals/:id',
    {
      config: { access: 'authenticated' },
      schema: { tags, summary: 'One of your proposals', params: Id, response: { 200: ProposalSchema } },
    },
    async (req) => proposals.get(principalOf(req), req.params.id),
  );
  app.post(
    '/api/v1/services/proposals/:id/accept',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary:
          'Accept a proposal: the application starts as a draft (with consent, the departments’ records are read and shown to confirm); again: the same application (200)',
        params: Id,
        body: AcceptProposalSchema,
        response: { 200: ApplicationSchema, 201: ApplicationSchema },
      },
    },
    async (req, reply) => {
      const { created, application } = await proposals.accept(principalOf(req), req.params.id, req.body);
      return reply.status(created ? 201 : 200).send(application);
    },
  );
  app.post(
    '/api/v1/services/proposals/:id/decline',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Decline a proposal (nothing was read from any department)',
        params: Id,
        body: DeclineProposalSchema,
        response: { 200: ProposalSchema },
      },
    },
    async (req) => proposals.decline(principalOf(req), req.params.id, req.body.reason),
  );
}
