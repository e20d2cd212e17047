import createClient from 'openapi-fetch';
import type { paths } from './schema.d.ts';
import { session } from './session.ts';

/** The typed API client: paths, parameters and bodies come from the server's OpenAPI document. */
export const api = createClient<paths>({ baseUrl: globalThis.location?.origin ?? '' });

api.use({
  onRequest({ request }) {
    const token = session.token();
    if (token) request.headers.set('authorization', `Bearer ${token}`);
    return request;
  },
  onResponse({ request, response }) {
    // An expired or revoked token: drop it so the login page shows.
    if (response.status === 401 && request.headers.has('authorization')) session.clear();
    return response;
  },
});

/** An error answered by the server, with its machine-readable code. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The data of an openapi-fetch result, or an ApiError carrying the server's `{ error: { code, message } }`. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data !== undefined && result.response.ok) return result.data;
  const body = result.error as { error?: { code?: string; message?: string } } | undefined;
  throw new ApiError(
    result.response.status,
    body?.error?.code ?? 'http_error',
    body?.error?.message ?? `HTTP ${result.response.status}`,
  );
}
