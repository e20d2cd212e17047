import formbody from '@fastify/formbody';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Api } from '../../platform/http/server.ts';
import { noteLanguage } from '../events/index.ts';
import { open311Status } from './open311.errors.ts';
import { GetRequestsSchema, Open311Failure, PostRequestSchema } from './open311.schema.ts';
import type { Open311Service } from './open311.service.ts';
import { toXml } from './open311.xml.ts';

const Format = z.enum(['json', 'xml']);
const tags = ['open311'];

/** The XML root and item element of each answer. */
type Shape = { root: string; item: string | null };
const REQUESTS: Shape = { root: 'service_requests', item: 'request' };

function send(reply: FastifyReply, format: string, shape: Shape, body: unknown, status = 200) {
  if (format === 'xml')
    return reply
      .status(status)
      .type('text/xml; charset=utf-8')
      .send(toXml(shape.root, shape.item, body));
  return reply.status(status).type('application/json; charset=utf-8').send(JSON.stringify(body));
}

/** This server's origin as the client reached it (media_url is absolute). */
function baseOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

function formatOf(request: FastifyRequest): string {
  const p = (request.params as { format?: string } | undefined)?.format;
  if (p) return p;
  return request.url.split('?')[0]?.endsWith('.xml') ? 'xml' : 'json';
}

/**
 * Open311 GeoReport v2 at `/open311/v2/`: discovery, services, service definitions, POST/GET
 * requests, one request, tokens — JSON and XML, errors as `[{"code":400,"description":"…"}]`
 * (XML `<errors><error>…`) — in a scope of its own so the rest of the API keeps its error shape.
 */
export function registerOpen311Routes(app: Api, deps: { open311: Open311Service }): void {
  const { open311 } = deps;
  app.register(
    async (instance) => {
      const scope = instance as unknown as Api;
      await scope.register(formbody);
      scope.setErrorHandler((error, request, reply) => {
        const { status, description } = open311Status(error);
        if (status >= 500) request.log.error({ err: error }, 'open311 error');
        return send(
          reply,
          formatOf(request),
          { root: 'errors', item: 'error' },
          [{ code: status, description }],
          status,
        );
      });
      scope.setNotFoundHandler((request, reply) =>
        send(
          reply,
          formatOf(request),
          { root: 'errors', item: 'error' },
          [{ code: 404, description: `no resource ${request.url.split('?')[0]}` }],
          404,
        ),
      );
      const F = z.object({ format: Format });
      scope.get(
        '/discovery.:format',
        { config: { access: 'public' }, schema: { tags, summary: 'Service discovery', params: F } },
        async (req, reply) => {
          const base = `${req.protocol}://${req.host}/open311/v2`;
          return send(
            reply,
            req.params.format,
            { root: 'discovery', item: null },
            {
              changeset: '2026-11-25T00:00:00Z',
              contact: '城市运行管理指挥中心 City Operations Command Centre, 12345',
              key_service: 'API keys are issued per client application by the city (POST /api/v1/api-keys)',
              endpoints: [
                {
                  specification: 'http://wiki.open311.org/GeoReport_v2',
                  url: base,
                  changeset: '2026-11-25T00:00:00Z',
                  type: 'production',
                  formats: ['text/xml', 'application/json'],
                },
              ],
            },
          );
        },
      );
      scope.get(
        '/services.:format',
        {
          config: { access: 'public' },
          schema: {
            tags,
            summary: 'Services citizens may request',
            params: F,
            querystring: z.object({ jurisdiction_id: z.string().optional() }),
          },
        },
        async (req, reply) =>
          send(reply, req.params.format, { root: 'services', item: 'service' }, await open311.services()),
      );
      scope.get(
        '/services/:code.:format',
        {
          config: { access: 'public' },
          schema: {
            tags,
            summary: 'A service’s definition (attributes)',
            params: F.extend({ code: z.string() }),
          },
        },
        async (req, reply) =>
          send(
            reply,
            req.params.format,
            { root: 'service_definition', item: null },
            await open311.definition(req.params.code),
          ),
      );
      scope.post(
        '/requests.:format',
        {
          config: { access: 'public' },
          schema: {
            tags,
            summary: 'Create a service request (form or JSON; api_key required)',
            params: F,
            body: PostRequestSchema,
          },
        },
        async (req, reply) =>
          send(reply, req.params.format, REQUESTS, await open311.create(req.body as never), 201),
      );
      scope.get(
        '/requests.:format',
        {
          config: { access: 'public' },
          schema: {
            tags,
            summary: 'Service requests (filters of the spec)',
            params: F,
            querystring: GetRequestsSchema,
          },
        },
        async (req, reply) =>
          send(
            reply,
            req.params.format,
            REQUESTS,
            await open311.list(req.query, baseOf(req), noteLanguage(req.headers['accept-language'])),
          ),
      );
      scope.get(
        '/requests/:id.:format',
        {
          config: { access: 'public' },
          schema: { tags, summary: 'One service request', params: F.extend({ id: z.string() }) },
        },
        async (req, reply) =>
          send(
            reply,
            req.params.format,
            REQUESTS,
            await open311.get(req.params.id, baseOf(req), noteLanguage(req.headers['accept-language'])),
          ),
      );
      scope.get(
        '/tokens/:token.:format',
        {
          config: { access: 'public' },
          schema: { tags, summary: 'The request id of a token', params: F.extend({ token: z.string() }) },
        },
        async (req, reply) => send(reply, req.params.format, REQUESTS, await open311.token(req.params.token)),
      );
    },
    { prefix: '/open311/v2' },
  );
  // The portal's address search over the same names address_string is placed by (outside the
  // Open311 scope: the platform's own error shape).
  app.get(
    '/api/v1/citizen/places',
    {
      config: { access: 'public' },
      schema: {
        tags: ['citizen'],
        summary: 'Named places whose name contains the text (address search)',
        description:
          'Districts, streets and landmarks (crowd areas, metro stations, malls, monitoring sections) the city knows, ' +
          'for placing a report: whole names first, then names starting with the text. The point is the place’s ' +
          'label point or location (WGS84).',
        querystring: z.object({
          q: z.string().trim().min(1).max(50),
          limit: z.coerce.number().int().min(1).max(20).default(8),
        }),
        response: { 200: PlacesSchema },
      },
    },
    async (req) => ({ items: await open311.searchPlaces(req.query.q, req.query.limit) }),
  );
}

const PlacesSchema = z.object({
  items: z.array(
    z.object({
      name: z.string(),
      level: z.enum(['city', 'district', 'street', 'grid', 'landmark']),
      lon: z.number(),
      lat: z.number(),
      path: z.string().optional(),
      hint: z.string().optional().describe('the parent area, where names repeat'),
    }),
  ),
});

export { Open311Failure };
