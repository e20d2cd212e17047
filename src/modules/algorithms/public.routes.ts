import type { Api } from '../../platform/http/server.ts';
import type { AlgorithmRegistry } from './algorithms.service.ts';
import { renderRegisterPage } from './public.html.ts';
import { PublicQuerySchema, PublicRegisterSchema } from './public.schema.ts';

const tags = ['algorithms'];

/** The public, unauthenticated register: JSON API and an HTML page, in zh-CN (default) or en. */
export function registerPublicRoutes(app: Api, registry: AlgorithmRegistry): void {
  app.get(
    '/api/v1/public/algorithms',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Public register: algorithms in use, approved or retired, without contacts’ personal data',
        security: [],
        querystring: PublicQuerySchema,
        response: { 200: PublicRegisterSchema },
      },
    },
    async (request) => ({
      lang: request.query.lang,
      items: await registry.publicRegister(request.query.lang),
    }),
  );
  app.get(
    '/algorithms',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Public register as an HTML page (zh-CN, or ?lang=en)',
        security: [],
        querystring: PublicQuerySchema,
        produces: ['text/html'],
      },
    },
    async (request, reply) => {
      const items = await registry.publicRegister(request.query.lang);
      return reply.type('text/html; charset=utf-8').send(renderRegisterPage(items, request.query.lang));
    },
  );
}
