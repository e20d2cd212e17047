import { randomUUID } from 'node:crypto';
import { constants as zlib } from 'node:zlib';
import compress from '@fastify/compress';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyReply } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from '../logger.ts';
import { annotateAccess, installAccessControl } from './access.ts';
import type { Api } from './api.ts';
import { errorBody, installErrorHandling } from './errors.ts';
import { installMetrics } from './metrics.ts';
import { installTextHygiene, routableUrl } from './text.ts';

export type { Api } from './api.ts';

/** Options of the HTTP layer. */
export interface HttpOptions {
  logger: Logger;
  version: string;
  /** Largest accepted request body in bytes. */
  bodyLimit?: number;
}

/** What a client-chosen request id may look like. */
const REQUEST_ID = /^[\w.:@/+=-]{1,200}$/;

/** Bodies smaller than this go out as they are (compression would not pay for its framing). */
export const COMPRESS_THRESHOLD = 1024;

/**
 * Text the server compresses: JSON, HTML, JavaScript, CSS, SVG, plain text (metrics), besides
 * what mime-db marks compressible. Images (PNG, JPEG, WebP: already compressed) are not.
 * The SSE stream opts out on its route (`compress: false`; it writes to the socket itself and
 * must flush every message).
 */
export function isCompressible(contentType: string): boolean {
  return /^(application\/(json|javascript|manifest\+json|[\w.-]+\+json)|text\/(html|css|plain|javascript)|image\/svg\+xml)\s*(;|$)/i.test(
    contentType,
  );
}

/**
 * Creates the Fastify app with zod validation, OpenAPI at /docs (JSON at /docs/json),
 * one error shape, request ids, text hygiene (no NUL or lone surrogate in any input, bodies at
 * most 32 levels deep: see text.ts), Prometheus metrics and response compression (brotli or gzip
 * by `accept-encoding`, bodies of 1 KiB and more, text types only) and the one authorization
 * check of each route's declared access (access.ts). Routes are added by the caller.
 */
export async function createHttpServer(options: HttpOptions): Promise<Api> {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // A client's x-request-id is kept when it is a plain token; anything else (control
    // characters could not even be echoed as a header) gets a generated one.
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // Long path parameters reach their route (and its validation, 4xx in the scope's own error
    // format) instead of the router's bare 414; Node's 16 KiB header limit bounds them anyway.
    routerOptions: { maxParamLength: 16 * 1024 },
    rewriteUrl: routableUrl,
    // What the router still answers itself (none known after the two options above): our shape.
    frameworkErrors: (error, _request, reply) => {
      (reply as FastifyReply)
        .status(error.statusCode && error.statusCode < 500 ? error.statusCode : 400)
        .send(errorBody('invalid_request', error.message));
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  installErrorHandling(app as unknown as Api);
  // Before any route: it records every route's declared access and checks it on each request.
  installAccessControl(app as unknown as Api);
  installMetrics(app as unknown as Api);
  // Before any route and before authentication's own onRequest hook (added by the caller).
  installTextHygiene(app as unknown as Api);
  // Before any route: the plugin attaches its hooks to routes as they are added. Brotli at
  // quality 4 (the default 11 costs tens of ms per large answer), gzip at level 6. Request
  // bodies are not decompressed (nothing sends them compressed; a zip bomb stays out).
  await app.register(compress, {
    global: true,
    globalDecompression: false,
    encodings: ['br', 'gzip'],
    threshold: COMPRESS_THRESHOLD,
    customTypes: isCompressible,
    brotliOptions: { params: { [zlib.BROTLI_PARAM_QUALITY]: 4 } },
    zlibOptions: { level: 6 },
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'citybrain API',
        version: options.version,
        description:
          'City operations platform: jurisdictions, organisation, identity, audit, sensing, events and dispatch. ' +
          'Errors are `{ "error": { "code", "message", "details"? } }`.',
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'Token from POST /api/v1/auth/login, or an OIDC JWT',
          },
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'API key of a system' },
        },
      },
      security: [{ bearer: [] }, { apiKey: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: (document) => {
      const object = jsonSchemaTransformObject(document);
      annotateAccess(app as unknown as Api, object as Parameters<typeof annotateAccess>[1]);
      return object;
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  return app as unknown as Api;
}
