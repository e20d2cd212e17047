/** The machine-readable error codes every API answers with, and their HTTP status. */
export const ERROR_STATUS = {
  invalid_request: 400,
  invalid_json: 400,
  /** A string input holds NUL or a lone UTF-16 surrogate (details name the fields). */
  invalid_text: 400,
  /** A map tile address that is not z/x/y integers, lies outside its zoom or is deeper than the max zoom (details: reason, maxZoom). */
  invalid_tile: 400,
  invalid_data: 422,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  outside_city: 422,
  invalid_transition: 409,
  already_top_level: 409,
  /** A unified social credit code fails GB 32100 (details: `reason` length | charset | check_char). */
  invalid_credit_code: 400,
  /** An enforcement code (执法码/企业码) is forged, expired, revoked or malformed (details: `reason`). */
  code_refused: 422,
  /** An on-site finding names an item outside the visit's published checklist. */
  finding_outside_checklist: 422,
  /** A countersignature of an inspection record does not verify. */
  bad_countersignature: 422,
  /** A draw's revealed seed does not hash to its published commitment. */
  seed_mismatch: 409,
  /** A visit within the quiet period of another visit to the same enterprise, without a recorded reason. */
  repeat_inspection: 409,
  /** A parking booking outside the windows its space is offered in (details: the offered stretches). */
  outside_window: 422,
  /** A patrol plan would give one area (street or district) more than the cap's share of patrol hours (details name it). */
  share_cap_exceeded: 422,
  /** A parking space already booked for an overlapping time. */
  taken: 409,
  rate_limited: 429,
  /** A consumer application used up its quota (details carry `retryAfterSeconds`). */
  over_quota: 429,
  unavailable: 503,
  /**
   * The database broke a lock cycle or a serialisation conflict by rolling this request's
   * transaction back (PostgreSQL 40P01 / 40001): nothing was stored, the same request may be
   * sent again (`Retry-After: 1`).
   */
  retry: 503,
  /** A connected source system is down or refused us (details name the source). */
  source_unavailable: 503,
  internal: 500,
} as const;

/** One of the known error codes. */
export type ErrorCode = keyof typeof ERROR_STATUS;

/**
 * The one error type services throw. It carries a code (mapped to HTTP in one place),
 * a human message and optional structured details; services never throw HTTP errors.
 */
export class AppError extends Error {
  override name = 'AppError';
  readonly code: ErrorCode;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.code = code;
    this.details = details;
  }

  /** HTTP status for this error's code. */
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

/** Shorthand for a not_found error naming the kind of thing and its key. */
export function notFound(kind: string, key: string | number): AppError {
  return new AppError('not_found', `${kind} '${key}' not found`, { kind, key });
}
