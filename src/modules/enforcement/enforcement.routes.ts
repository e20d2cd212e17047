import { z } from 'zod';
import { principalOf } from '../../platform/http/principal.ts';
import type { Api } from '../../platform/http/server.ts';
import { ROLE_GROUPS } from '../../platform/roles.ts';
import { EnforcementKpiQuerySchema, EnforcementKpisSchema } from './enforcement.kpis.ts';
import type { Enforcement } from './enforcement.module.ts';
import {
  DrawCommitBodySchema,
  DrawRerunSchema,
  DrawSchema,
  EnterpriseBodySchema,
  EnterpriseQuerySchema,
  EnterpriseSchema,
  InspectionBodySchema,
  InspectorSchema,
  MyVisitsQuerySchema,
  MyVisitsSchema,
  PlacementSchema,
  PublicKeyBodySchema,
  RecordSchema,
  RecordSubmitSchema,
  RecordVerifySchema,
  VisitQuerySchema,
  VisitSchema,
} from './enforcement.schema.ts';

const tags = ['enforcement'];
const P = '/api/v1/enforcement';

/** Register, draws, visits, records and KPIs under /api/v1/enforcement (codes: codes.routes.ts). */
export function registerEnforcementRoutes(app: Api, deps: { enforcement: Enforcement }): void {
  const { register, draws, visits, records, kpis } = deps.enforcement;
  app.get(
    `${P}/enterprises`,
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Enterprises of the register in the caller’s jurisdiction',
        querystring: EnterpriseQuerySchema,
        response: { 200: z.object({ items: z.array(EnterpriseSchema) }) },
      },
    },
    async (request) => ({ items: await register.list(principalOf(request), request.query) }),
  );
  app.post(
    `${P}/enterprises`,
    {
      config: { access: { roles: ROLE_GROUPS.operators } },
      schema: {
        tags,
        summary:
          'Register an enterprise; its unified social credit code is checked (400 invalid_credit_code)',
        body: EnterpriseBodySchema,
        response: { 201: EnterpriseSchema },
      },
    },
    async (request, reply) => {
      const e = await register.register(principalOf(request), request.body);
      reply.code(201);
      return e;
    },
  );
  app.get(
    `${P}/enterprises/:creditCode`,
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'One enterprise (400 invalid_credit_code for a malformed code)',
        params: z.object({ creditCode: z.string() }),
        response: { 200: EnterpriseSchema },
      },
    },
    async (request) => register.get(principalOf(request), request.params.creditCode),
  );
  app.post(
    `${P}/enterprises/:creditCode/key`,
    {
      config: { access: { roles: ROLE_GROUPS.operators } },
      schema: {
        tags,
        summary: 'Bind the Ed25519 key the enterprise countersigns records with',
        params: z.object({ creditCode: z.string() }),
        body: PublicKeyBodySchema,
        response: { 200: EnterpriseSchema },
      },
    },
    async (request) =>
      register.setEnterpriseKey(principalOf(request), request.params.creditCode, request.body.publicKey),
  );
  app.post(
    `${P}/enterprises/:creditCode/one-time-code`,
    {
      config: { access: { roles: ROLE_GROUPS.operators } },
      schema: {
        tags,
        summary:
          'Issue a one-time code the enterprise countersigns with instead of a key (2 h, one use; a deployment sends it to the enterprise)',
        params: z.object({ creditCode: z.string() }),
        response: { 200: z.object({ code: z.string(), expiresAt: z.string() }) },
      },
    },
    async (request) => register.issueOneTimeCode(principalOf(request), request.params.creditCode),
  );
  app.get(
    `${P}/inspectors/:id`,
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'One inspector with the catalogue items they are qualified for',
        params: z.object({ id: z.string() }),
        response: { 200: InspectorSchema },
      },
    },
    async (request) => {
      const {
        jurisdictionPath: _p,
        publicKey: _k,
        ...dto
      } = await register.inspector(principalOf(request), request.params.id);
      return dto;
    },
  );
  app.post(
    `${P}/inspectors/:id/key`,
    {
      config: { access: { roles: ROLE_GROUPS.fieldWork, audited: true } },
      schema: {
        tags,
        summary: 'Bind the Ed25519 key of the inspector’s field app (the inspector, or operators)',
        params: z.object({ id: z.string() }),
        body: PublicKeyBodySchema,
        response: { 200: InspectorSchema },
      },
    },
    async (request) =>
      register.setInspectorKey(principalOf(request), request.params.id, request.body.publicKey),
  );
  app.get(
    `${P}/draws`,
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Published draws (commitments, and seeds and results once revealed): 一公开',
        querystring: z.object({
          districtCode: z.string().optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: z.object({ items: z.array(DrawSchema) }) },
      },
    },
    async (request) => ({ items: await draws.list(request.query.districtCode, request.query.limit) }),
  );
  app.post(
    `${P}/draws`,
    {
      config: { access: { roles: ROLE_GROUPS.operators } },
      schema: {
        tags,
        summary:
          'Commit a draw: publish SHA-256 of the seed; the inputs are fixed and their digest published',
        body: DrawCommitBodySchema,
        response: { 201: DrawSchema },
      },
    },
    async (request, reply) => {
      const d = await draws.commit(principalOf(request), request.body);
      reply.code(201);
      return d;
    },
  );
  app.get(
    `${P}/draws/:id`,
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'One published draw',
        params: z.object({ id: z.string() }),
        response: { 200: DrawSchema },
      },
    },
    async (request) => draws.get(request.params.id),
  );
  app.get(
    `${P}/draws/:id/inputs`,
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary:
          'The committed inputs of a draw, to re-run it anywhere (drawJoint in src/modules/enforcement/draw.ts)',
        params: z.object({ id: z.string() }),
        response: { 200: z.record(z.string(), z.unknown()) },
      },
    },
    async (request) => (await draws.inputs(request.params.id)) as unknown as Record<string, unknown>,
  );
  app.post(
    `${P}/draws/:id/reveal`,
    {
      config: { access: { roles: ROLE_GROUPS.operators } },
      schema: {
        tags,
        summary:
          'Reveal the seed (409 seed_mismatch unless it hashes to the commitment); the draw is made and its inspections planned',
        params: z.object({ id: z.string() }),
        body: z.object({ seed: z.string().min(16).max(200) }),
        response: { 200: DrawSchema.extend({ planned: z.number().int(), refused: z.number().int() }) },
      },
    },
    async (request) => draws.reveal(principalOf(request), request.params.id, request.body.seed),
  );
  app.post(
    `${P}/draws/:id/rerun`,
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary:
          'Re-run a revealed draw from its published seed and inputs and compare with the published result',
        params: z.object({ id: z.string() }),
        response: { 200: DrawRerunSchema },
      },
    },
    async (request) => draws.rerun(request.params.id),
  );
  app.post(
    `${P}/inspections`,
    {
      config: { access: { roles: ROLE_GROUPS.responders } },
      schema: {
        tags,
        summary:
          'Plan a department’s inspection: merged into an overlapping visit, or a new one (409 repeat_inspection within the quiet period without a reason)',
        body: InspectionBodySchema,
        response: { 201: PlacementSchema },
      },
    },
    async (request, reply) => {
      const placed = await visits.schedule(principalOf(request), request.body);
      reply.code(201);
      return placed;
    },
  );
  app.get(
    `${P}/visits`,
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Visits in the caller’s jurisdiction, newest first',
        querystring: VisitQuerySchema,
        response: { 200: z.object({ items: z.array(VisitSchema) }) },
      },
    },
    async (request) => ({ items: await visits.list(principalOf(request), request.query) }),
  );
  app.get(
    `${P}/visits/mine`,
    {
      config: { access: { roles: ROLE_GROUPS.fieldWork } },
      schema: {
        tags,
        summary:
          'The signed-in inspector’s visits of a day (today by default) with each enterprise and the combined published checklist: the field app’s on-site list',
        querystring: MyVisitsQuerySchema,
        response: { 200: MyVisitsSchema },
      },
    },
    async (request) => visits.mine(principalOf(request), request.query.date),
  );
  app.get(
    `${P}/visits/:id`,
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'One visit with its departments, lead and combined checklist',
        params: z.object({ id: z.string() }),
        response: { 200: VisitSchema },
      },
    },
    async (request) => visits.get(principalOf(request), request.params.id),
  );
  app.post(
    `${P}/visits/:id/record`,
    {
      config: { access: { roles: ROLE_GROUPS.fieldWork } },
      schema: {
        tags,
        summary:
          'File the on-site record: both codes verified, findings only from the published checklist, countersigned by both parties; updates credit',
        params: z.object({ id: z.string() }),
        body: RecordSubmitSchema,
        response: { 201: RecordSchema },
      },
    },
    async (request, reply) => {
      const r = await records.submit(principalOf(request), request.params.id, request.body);
      reply.code(201);
      return r;
    },
  );
  app.get(
    `${P}/records/:id`,
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'One countersigned record',
        params: z.object({ id: z.string() }),
        response: { 200: RecordSchema },
      },
    },
    async (request) => records.get(principalOf(request), request.params.id),
  );
  app.get(
    `${P}/records/:id/verify`,
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Re-check a record: digest of its body and both countersignatures',
        params: z.object({ id: z.string() }),
        response: { 200: RecordVerifySchema },
      },
    },
    async (request) => records.verify(principalOf(request), request.params.id),
  );
  app.get(
    `${P}/kpis`,
    {
      config: { access: { roles: ROLE_GROUPS.oversight } },
      schema: {
        tags,
        summary:
          'Joint share, visits per enterprise against the unmerged plan, flagged repeats, per district',
        querystring: EnforcementKpiQuerySchema,
        response: { 200: EnforcementKpisSchema },
      },
    },
    async (request) => kpis.kpis(principalOf(request), request.query),
  );
}
