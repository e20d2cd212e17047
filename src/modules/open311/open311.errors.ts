import { AppError } from '../../platform/errors.ts';
import { Open311Failure } from './open311.schema.ts';

/** What an Open311 error answer says: the HTTP status (also the body's `code`) and the description. */
export interface Open311Status {
  status: number;
  description: string;
}

/**
 * Maps any error onto GeoReport's error answer. Our Open311Failure keeps its status; an AppError
 * (e.g. the HTTP edge's `invalid_text`) or a framework error with a 4xx status (malformed JSON 400,
 * body too large 413, unsupported media type 415, schema validation 400) keeps it, in GeoReport's
 * terms (see appStatus); anything else is a 500 the caller logs.
 */
export function open311Status(err: unknown): Open311Status {
  if (err instanceof Open311Failure) return { status: err.status, description: err.message };
  if (err instanceof AppError)
    return { status: appStatus(err.status), description: withIssue(err.message, err.details) };
  const e = err as { statusCode?: unknown; validation?: unknown; message?: unknown };
  if (e?.validation) return { status: 400, description: String(e.message) };
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: appStatus(e.statusCode), description: String(e.message) };
  }
  return { status: 500, description: 'internal error' };
}

/**
 * GeoReport answers 400 for any bad input and 403 for a bad api_key: our 401 becomes 403 and
 * 409/422 (a conflict, outside the city) become 400. 403, 404, 413, 415, 429 and 5xx are kept.
 */
function appStatus(status: number): number {
  if (status === 401) return 403;
  if (status === 409 || status === 422) return 400;
  return status;
}

/** The event centre's field names as GeoReport calls them. */
const PARAM: Record<string, string> = {
  'location.lat': 'lat',
  'location.lon': 'long',
  address: 'address_string',
  media: 'media_url',
};

/** "invalid report" says nothing to a client: add the first issue, named by GeoReport's parameter. */
function withIssue(message: string, details: unknown): string {
  const issue = (details as { issues?: { path?: unknown[]; message?: string }[] } | undefined)?.issues?.[0];
  if (!issue?.message) return message;
  const field = (issue.path ?? []).map(String).join('.');
  const name = PARAM[field] ?? PARAM[field.split('.')[0] ?? ''] ?? field;
  return `${message}: ${name ? `${name}: ` : ''}${issue.message}`;
}
