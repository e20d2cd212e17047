import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { currentOpenApi } from '../scripts/gen-api.ts';

const SRC = path.resolve(import.meta.dirname, '../src');

/** Every `api.GET('/path')`-style call in the web sources, as "get /path". */
function clientCalls(): Set<string> {
  const calls = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        for (const m of fs
          .readFileSync(full, 'utf8')
          .matchAll(/api\.(GET|POST|PUT|PATCH|DELETE)\(\s*'([^']+)'/g)) {
          calls.add(`${m[1]!.toLowerCase()} ${m[2]}`);
        }
      }
    }
  };
  walk(SRC);
  return calls;
}

describe('generated API types', () => {
  it('cover every call the client makes, against the current server', async () => {
    const current = await currentOpenApi();
    const doc = JSON.parse(current) as { paths: Record<string, Record<string, unknown>> };
    const calls = clientCalls();
    expect(calls.size).toBeGreaterThan(5);
    for (const call of calls) {
      const [method, route] = call.split(' ') as [string, string];
      expect(doc.paths[route]?.[method], `${call} is not in the server's OpenAPI`).toBeDefined();
    }
    const committed = fs.readFileSync(path.join(SRC, 'api/openapi.json'), 'utf8');
    const committedPaths = Object.keys((JSON.parse(committed) as typeof doc).paths);
    const added = Object.keys(doc.paths).filter((p) => !committedPaths.includes(p));
    // New server routes are not an error here; they only mean the types can be regenerated.
    if (added.length) {
      console.warn(
        `web/src/api is behind the server (${added.length} new paths, e.g. ${added[0]}): run gen-api`,
      );
    }
  });
});
