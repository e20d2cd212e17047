import type { IncomingMessage } from 'node:http';
import { AppError } from '../errors.ts';
import type { Api } from './api.ts';

/** Deepest JSON (or form) nesting a request body may have; deeper bodies get 400 invalid_request. */
export const MAX_BODY_DEPTH = 32;

/** Most offending fields named in one invalid_text answer. */
const MAX_REPORTED = 10;

/** Where in the request an input came from. */
type Place = 'body' | 'query' | 'params' | 'headers';

/** One field that holds text no route may store: NUL or a lone UTF-16 surrogate. */
export interface BadText {
  in: Place;
  /** JSON pointer of the field (or of the key that is itself bad). */
  path: string;
}

/** True if the string holds NUL or a lone surrogate (PostgreSQL stores neither; JSON output breaks on them). */
export function isBadText(s: string): boolean {
  return s.includes('\u0000') || !s.isWellFormed();
}

const pointer = (parent: string, key: string | number) =>
  `${parent}/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`;

/**
 * Walks a parsed input without recursion (a hostile body cannot blow the stack here) and
 * collects the fields holding bad text. Throws 400 invalid_request past `MAX_BODY_DEPTH`.
 */
export function findBadText(value: unknown, place: Place, found: BadText[] = []): BadText[] {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: '', depth: 0 }];
  while (stack.length && found.length < MAX_REPORTED) {
    const { value: v, path, depth } = stack.pop() as (typeof stack)[number];
    if (typeof v === 'string') {
      if (isBadText(v)) found.push({ in: place, path });
      continue;
    }
    if (v === null || typeof v !== 'object' || Buffer.isBuffer(v)) continue;
    if (depth >= MAX_BODY_DEPTH)
      throw new AppError('invalid_request', `${place} nests deeper than ${MAX_BODY_DEPTH} levels`, {
        in: place,
        maxDepth: MAX_BODY_DEPTH,
      });
    const entries = Array.isArray(v) ? v.entries() : Object.entries(v);
    for (const [key, child] of entries) {
      const at = pointer(path, key);
      if (typeof key === 'string' && isBadText(key)) found.push({ in: place, path: at });
      stack.push({ value: child, path: at, depth: depth + 1 });
    }
  }
  return found;
}

/** Requests whose URL had malformed percent-encoding (rewritten so they can be routed, then refused). */
const malformedUrls = new WeakSet<IncomingMessage>();

/** True if some `%` in the text does not start a valid UTF-8 escape sequence (`%ZZ`, `%ED%A0%80`, a lone `%`). */
function badlyEscaped(text: string): boolean {
  try {
    decodeURIComponent(text);
    return false;
  } catch {
    return true;
  }
}

/**
 * Fastify's `rewriteUrl`: a path with malformed percent-encoding would be answered by the router
 * itself (FST_ERR_BAD_URL, outside every error handler and shape). Such segments are rewritten
 * to their tolerant decoding (invalid bytes become U+FFFD) so the request reaches its route's
 * scope, and marked so `installTextHygiene` refuses it there with that scope's error format.
 */
export function routableUrl(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const pathPart = q < 0 ? url : url.slice(0, q);
  if (!badlyEscaped(pathPart)) return url;
  malformedUrls.add(req);
  const fixed = pathPart
    .split('/')
    .map((segment) => {
      if (!badlyEscaped(segment)) return segment;
      const bytes = segment.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) =>
        String.fromCharCode(Number.parseInt(hex, 16)),
      );
      return encodeURIComponent(Buffer.from(bytes, 'latin1').toString('utf8'));
    })
    .join('/');
  return q < 0 ? fixed : fixed + url.slice(q);
}

function refuse(found: BadText[]): void {
  if (!found.length) return;
  const where = found.map((f) => `${f.in} ${f.path || '(whole)'}`).join(', ');
  throw new AppError('invalid_text', `text may not contain NUL or a lone UTF-16 surrogate: ${where}`, found);
}

/**
 * Text hygiene for every route in one place (with `routableUrl` as the server's rewriteUrl).
 * A malformed percent-encoded path gives 400 invalid_request. Path parameters, query and headers are checked
 * when the request arrives (before authentication reads a header or a handler a parameter),
 * the parsed body (JSON, form, text) before validation. NUL or a lone surrogate anywhere gives
 * 400 invalid_text naming the fields; a body nested deeper than `MAX_BODY_DEPTH` gives 400
 * invalid_request. Both are AppErrors, so a scope with its own error format (Open311) maps them.
 */
export function installTextHygiene(app: Api): void {
  app.addHook('onRequest', async (request) => {
    if (malformedUrls.has(request.raw))
      throw new AppError('invalid_request', 'malformed percent-encoding in the URL path', { in: 'path' });
    const found: BadText[] = [];
    findBadText(request.params, 'params', found);
    findBadText(request.query, 'query', found);
    findBadText(request.headers, 'headers', found);
    refuse(found);
  });
  app.addHook('preValidation', async (request) => {
    if (request.body !== undefined) refuse(findBadText(request.body, 'body'));
  });
}
