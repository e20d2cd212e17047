import { z } from 'zod';
import { principalOf } from '../../platform/http/principal.ts';
import type { Api } from '../../platform/http/server.ts';
import { Code } from './organisation.catalogue.ts';
import {
  DomainSummarySchema,
  ListQuerySchema,
  ResponsibilityListSchema,
  RevisionSchema,
  RulePatchSchema,
  RuleQuerySchema,
  RuleVersionSchema,
} from './responsibility.schema.ts';
import type { ResponsibilityService } from './responsibility.service.ts';

const tags = ['organisation'];
const CategoryParams = z.object({ category: Code });

/** Routes of the responsibility list (权责清单) and its domains. */
export function registerResponsibilityRoutes(app: Api, list: ResponsibilityService): void {
  app.get(
    '/api/v1/responsibilities',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'The responsibility list: current revision, or an older one with ?revision=',
        querystring: ListQuerySchema,
        response: { 200: ResponsibilityListSchema },
      },
    },
    async (request) => list.list(request.query),
  );
  app.get(
    '/api/v1/responsibilities/:category',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'The current rule for one category; ?history=true adds every revision in which it changed',
        params: CategoryParams,
        querystring: RuleQuerySchema,
        response: {
          200: z.object({ rule: RuleVersionSchema, history: z.array(RuleVersionSchema).optional() }),
        },
      },
    },
    async (request) => {
      const rule = await list.lookup(request.params.category);
      return request.query.history
        ? { rule, history: await list.history(request.params.category) }
        : { rule };
    },
  );
  app.put(
    '/api/v1/responsibilities/:category',
    {
      config: { access: { roles: ['city_operator'] } },
      schema: {
        tags,
        summary: 'Change or add one rule; makes a new revision of the list (admin, city operator)',
        params: CategoryParams,
        body: RulePatchSchema,
        response: { 200: RuleVersionSchema },
      },
    },
    async (request) => list.update(principalOf(request), request.params.category, request.body),
  );
  app.get(
    '/api/v1/responsibility-revisions',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Every revision of the responsibility list, oldest first',
        response: { 200: z.object({ items: z.array(RevisionSchema) }) },
      },
    },
    async () => ({ items: await list.revisions() }),
  );
  app.get(
    '/api/v1/domains',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'The governance domains of the current list, with category and city-power counts',
        response: { 200: z.object({ items: z.array(DomainSummarySchema) }) },
      },
    },
    async () => ({ items: await list.domains() }),
  );
}
