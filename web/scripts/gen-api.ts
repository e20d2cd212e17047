/**
 * Regenerates the web client's API types from the server's own OpenAPI document.
 * Boots the real app in-process on an in-memory PGlite (no port, no data dir kept),
 * writes web/src/api/openapi.json, then runs openapi-typescript on it → schema.d.ts.
 *
 * Run: ./node_modules/.bin/node web/scripts/gen-api.ts
 *
 * openapi-typescript needs TypeScript 5's compiler API, which the repository's
 * TypeScript 7 (native compiler) does not ship, so it runs through `npm exec` with its
 * own TypeScript 5 instead of being a dependency. The generated files are committed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { openTestDatabase } from '../../src/platform/db/testing.ts';
import { createLogger } from '../../src/platform/logger.ts';

const apiDir = path.resolve(import.meta.dirname, '../src/api');

/** The OpenAPI document of the current server code, as JSON text with sorted paths. */
export async function currentOpenApi(): Promise<string> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-genapi-'));
  const config = loadConfig({}, { dataDir, port: 0, tokenSecret: 'g'.repeat(40) });
  const app = await createApp({
    config,
    logger: createLogger('silent'),
    database: await openTestDatabase('pglite'),
  });
  try {
    await app.http.ready();
    const doc = app.http.swagger() as { paths?: Record<string, unknown>; components?: { schemas?: object } };
    // Sorted so that routes registered in a different order give the same file.
    const paths = Object.fromEntries(Object.entries(doc.paths ?? {}).sort(([a], [b]) => a.localeCompare(b)));
    const dangling = new Set<string>();
    const resolved = dropDanglingRefs(
      { ...doc, paths },
      new Set(Object.keys(doc.components?.schemas ?? {})),
      dangling,
    );
    if (dangling.size) {
      console.warn(
        `gen-api: the server's OpenAPI refers to missing schemas (typed as unknown): ${[...dangling].join(', ')}`,
      );
    }
    return `${JSON.stringify(resolved, null, 2)}\n`;
  } finally {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Replaces `$ref`s to component schemas the document does not contain (the server emits
 * some for recursive zod schemas) by an untyped schema, so generation does not fail.
 */
function dropDanglingRefs(node: unknown, known: Set<string>, dangling: Set<string>): unknown {
  if (Array.isArray(node)) return node.map((n) => dropDanglingRefs(n, known, dangling));
  if (!node || typeof node !== 'object') return node;
  const ref = (node as { $ref?: unknown }).$ref;
  const name = typeof ref === 'string' ? /^#\/components\/schemas\/(.+)$/.exec(ref)?.[1] : undefined;
  if (name && !known.has(name)) {
    dangling.add(name);
    return { description: `unresolved schema ${name} in the server's OpenAPI document` };
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, dropDanglingRefs(v, known, dangling)]));
}

if (import.meta.main) {
  const json = await currentOpenApi();
  const jsonPath = path.join(apiDir, 'openapi.json');
  fs.writeFileSync(jsonPath, json);
  execFileSync(
    'npm',
    [
      'exec',
      '--yes',
      '--package=openapi-typescript@7.13.0',
      '--package=typescript@5.9.3',
      '--',
      'openapi-typescript',
      jsonPath,
      '--output',
      path.join(apiDir, 'schema.d.ts'),
    ],
    { stdio: 'inherit' },
  );
  // The repository's formatter and linter check web/ too; generated files follow its style.
  const biome = path.resolve(import.meta.dirname, '../../node_modules/.bin/biome');
  execFileSync(biome, ['check', '--write', jsonPath, path.join(apiDir, 'schema.d.ts')], { stdio: 'inherit' });
  console.log(`wrote ${path.relative(process.cwd(), jsonPath)} and schema.d.ts`);
}
