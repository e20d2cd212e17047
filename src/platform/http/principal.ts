import type { FastifyRequest } from 'fastify';
import type { Principal } from '../access.ts';
import { AppError } from '../errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the identity module's authentication hook when the request carries valid credentials. */
    principal?: Principal;
  }
}

/** The caller of an authenticated route; throws unauthenticated when the request carried no valid credentials. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) {
    throw new AppError(
      'unauthenticated',
      'authentication required: send Authorization: Bearer <token> or x-api-key',
    );
  }
  return request.principal;
}
