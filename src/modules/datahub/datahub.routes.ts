import { z } from 'zod';
import { principalOf } from '../../platform/http/principal.ts';
import type { Api } from '../../platform/http/server.ts';
import { ROLE_GROUPS } from '../../platform/roles.ts';
import { DatahubKpiQuerySchema, DatahubKpisSchema } from './datahub.kpis.ts';
import type { Datahub } from './datahub.module.ts';
import {
  DecisionRequestSchema,
  DecisionSchema,
  ListVersionSchema,
  ProposalBodySchema,
  ProposalSchema,
  ResourcePageSchema,
  ResourceQuerySchema,
  ResourceSchema,
} from './datahub.schema.ts';

const tags = ['datahub'];

/** Catalogue, DCAT export, negative list, proposals and decisions under /api/v1/datahub. */
export function registerDatahubRoutes(app: Api, deps: { datahub: Datahub }): void {
  const { catalogue, list, kpis } = deps.datahub;
  app.get(
    '/api/v1/datahub/kpis',
    {
      config: { access: { roles: ROLE_GROUPS.dataOversight } },
      schema: {
        tags,
        summary:
          'Data-sharing KPIs over a window: exchanges per day and department pair, denials by list entry, approvals, collaboration rate (city operators, auditors, data authority)',
        querystring: DatahubKpiQuerySchema,
        response: { 200: DatahubKpisSchema },
      },
    },
    async (request) => kpis.kpis(principalOf(request), request.query),
  );
  app.get(
    '/api/v1/datahub/resources',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary:
          'Search the data resource catalogue by Chinese keywords, department and theme (any signed-in caller)',
        querystring: ResourceQuerySchema,
        response: { 200: ResourcePageSchema },
      },
    },
    async (request) => catalogue.search(principalOf(request), request.query),
  );
  app.post(
    '/api/v1/datahub/resources',
    {
      config: { access: { roles: ['data_authority'] } },
      schema: {
        tags,
        summary: 'Register or replace catalogue resources, in one transaction (data_authority)',
        body: z.object({ resources: z.array(ResourceSchema).min(1).max(5000) }),
        response: { 200: z.object({ registered: z.number().int() }) },
      },
    },
    async (request) => catalogue.register(principalOf(request), request.body.resources),
  );
  app.get(
    '/api/v1/datahub/resources/:id',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'One catalogue resource with its fields and their classes',
        params: z.object({ id: z.string() }),
        response: { 200: ResourceSchema },
      },
    },
    async (request) => catalogue.get(principalOf(request), request.params.id),
  );
  app.get(
    '/api/v1/datahub/catalogue.jsonld',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'The catalogue as DCAT-AP 3 JSON-LD (dcat:Catalog, dcat:Dataset, dcat:DataService)',
        response: { 200: z.record(z.string(), z.unknown()) },
      },
    },
    async (request, reply) => {
      const base = `${request.protocol}://${request.host}/api/v1/datahub`;
      const doc = await catalogue.dcat(principalOf(request), base);
      reply.type('application/ld+json');
      return doc;
    },
  );
  app.get(
    '/api/v1/datahub/negative-list',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'The negative list in force: its version and entries with their legal bases',
        response: { 200: ListVersionSchema },
      },
    },
    async (request) => list.current(principalOf(request)),
  );
  app.get(
    '/api/v1/datahub/negative-list/proposals',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Proposed changes to the negative list, newest first',
        querystring: z.object({ status: ProposalSchema.shape.status.optional() }),
        response: { 200: z.object({ items: z.array(ProposalSchema) }) },
      },
    },
    async (request) => ({ items: await list.proposals(principalOf(request), request.query.status) }),
  );
  app.post(
    '/api/v1/datahub/negative-list/proposals',
    {
      config: { access: { roles: ['data_authority'] } },
      schema: {
        tags,
        summary: 'Propose a change to the negative list (data_authority)',
        body: ProposalBodySchema,
        response: { 201: ProposalSchema },
      },
    },
    async (request, reply) => {
      const proposal = await list.propose(principalOf(request), request.body);
      reply.code(201);
      return proposal;
    },
  );
  app.post(
    '/api/v1/datahub/negative-list/proposals/:id/approve',
    {
      config: { access: { roles: ['data_authority'] } },
      schema: {
        tags,
        summary:
          'Approve a proposed change: a new list version (data_authority other than the proposer; 403 four_eyes)',
        params: z.object({ id: z.string() }),
        response: { 200: ProposalSchema },
      },
    },
    async (request) => list.approve(principalOf(request), request.params.id),
  );
  app.post(
    '/api/v1/datahub/negative-list/proposals/:id/reject',
    {
      config: { access: { roles: ['data_authority'] } },
      schema: {
        tags,
        summary: 'Reject a proposed change, or withdraw your own (data_authority)',
        params: z.object({ id: z.string() }),
        response: { 200: ProposalSchema },
      },
    },
    async (request) => list.reject(principalOf(request), request.params.id),
  );
  app.post(
    '/api/v1/datahub/decisions',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary:
          'Explain a sharing decision: allow, deny or needs_approval, with the list entries, their bases and the masked fields',
        body: DecisionRequestSchema,
        response: { 200: DecisionSchema },
      },
    },
    async (request) => list.decide(principalOf(request), request.body),
  );
}
