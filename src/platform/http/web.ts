import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import { errorBody } from './errors.ts';
import type { Api } from './server.ts';

/** Where the web app is served from. */
export interface WebOptions {
  /** The built single-page app (`web/dist`, from `npm run build:web`). */
  distDir: string;
  /** Served instead while no build exists; default: `public` beside distDir (the placeholder page). */
  placeholderDir?: string;
}

/** Paths that belong to the server, never to the web app: unknown ones stay JSON 404s. */
const SERVER_PREFIXES = ['/api', '/docs', '/health', '/metrics', '/open311', '/algorithms'];

/** Hashed build output never changes under its name; everything else is revalidated. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Serves the web app: files of the build as they are (their precompressed `.br`/`.gz` twin when
 * the client accepts it), and index.html for every other GET that is not a server path, so
 * client routes (/citizen, /field, /plans/…) load the app.
 * Without a build, the placeholder page. A catch-all route rather than a not-found
 * handler, because the HTTP layer already owns the not-found handler.
 */
export async function registerWebRoutes(app: Api, options: WebOptions): Promise<{ root: string }> {
  const built = fs.existsSync(path.join(options.distDir, 'index.html'));
  const root = built ? options.distDir : (options.placeholderDir ?? path.join(options.distDir, '../public'));
  await app.register(async (scope) => {
    // serve: false only decorates reply.sendFile; encapsulated so it cannot clash with another registration.
    // preCompressed: the build writes `.br`/`.gz` beside its text files (web/vite.config.ts); they are
    // sent as they are for a client that accepts them. Files without them (and clients that accept
    // neither) get the plain file, which the HTTP layer compresses on the fly when it is text.
    await scope.register(fastifyStatic, { root, serve: false, preCompressed: true });
    scope.get('/*', { schema: { hide: true } }, (request, reply) => {
      const urlPath = decodePath(request.url.split('?')[0] ?? '/');
      if (urlPath === undefined) return reply.status(400).send(errorBody('invalid_request', 'malformed URL'));
      if (
        SERVER_PREFIXES.some(
          (p) => urlPath === p || urlPath.startsWith(`${p}/`) || urlPath.startsWith(`${p}.`),
        )
      ) {
        return reply.status(404).send(errorBody('not_found', `no route ${request.method} ${urlPath}`));
      }
      const file = existingFile(root, urlPath);
      if (file) {
        const cacheControl = file.startsWith('assets/') ? IMMUTABLE : 'no-cache';
        return reply.header('cache-control', cacheControl).sendFile(file, { cacheControl: false });
      }
      // A missing file (has an extension) is a 404; anything else is a client route.
      if (path.posix.extname(urlPath)) {
        return reply.status(404).send(errorBody('not_found', `no file ${urlPath}`));
      }
      return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
    });
  });
  return { root };
}

/** The path of an existing regular file under root for a URL path, relative to root; never outside it. */
function existingFile(root: string, urlPath: string): string | undefined {
  const relative = path.posix.normalize(urlPath).replace(/^\/+/, '');
  if (!relative || relative.startsWith('..')) return undefined;
  const full = path.join(root, relative);
  if (!full.startsWith(path.resolve(root) + path.sep)) return undefined;
  try {
    return fs.statSync(full).isFile() ? relative : undefined;
  } catch {
    return undefined;
  }
}

/** The decoded URL path, or undefined when its percent-encoding is malformed. */
function decodePath(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}
