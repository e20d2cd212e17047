import type { FastifyError } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, type ErrorCode } from '../errors.ts';
import type { Api } from './api.ts';

/** The body of every error response, for OpenAPI. */
export const ErrorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

/** The body of every error response. */
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** Builds the one error body. */
export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** Fastify's own error codes that are the client's fault, mapped onto ours. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
};

/** PostgreSQL's deadlock_detected and serialization_failure: the transaction was rolled back whole. */
const ROLLED_BACK = new Set(['40P01', '40001']);

/**
 * Maps every error to `{ error: { code, message, details? } }` in one place:
 * AppError by its code, validation failures to 400 invalid_request with the issues,
 * malformed JSON to 400 invalid_json, a transaction the database rolled back (deadlock,
 * serialisation) to 503 retry, anything unknown to a bare 500.
 */
export function installErrorHandling(app: Api): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      return reply.status(error.status).send(errorBody(error.code, error.message, error.details));
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const details = error.validation.map((v) => ({
        in: error.validationContext,
        path: v.instancePath,
        message: v.message,
        ...(v.params && typeof v.params === 'object' ? { issue: v.params } : {}),
      }));
      return reply
        .status(400)
        .send(
          errorBody(
            'invalid_request',
            `invalid ${error.validationContext ?? 'request'}: ${error.message}`,
            details,
          ),
        );
    }
    if (error instanceof SyntaxError || (error.code && FASTIFY_CODES[error.code])) {
      const code = (error.code && FASTIFY_CODES[error.code]) || 'invalid_json';
      const status = code === 'payload_too_large' ? 413 : code === 'unsupported_media_type' ? 415 : 400;
      return reply.status(status).send(errorBody(code, error.message));
    }
    if (error.code && ROLLED_BACK.has(error.code)) {
      request.log.warn({ err: error }, 'transaction rolled back by the database; the client may retry');
      return reply
        .status(503)
        .header('retry-after', '1')
        .send(errorBody('retry', 'the database rolled this request back (concurrent change); send it again'));
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.status(error.statusCode).send(errorBody('invalid_request', error.message));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send(errorBody('internal', 'internal error'));
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(errorBody('not_found', `no route ${request.method} ${request.url.split('?')[0]}`));
  });
}
