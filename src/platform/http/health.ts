import { z } from 'zod';
import type { Database } from '../db/database.ts';
import { ping } from '../db/database.ts';
import { ErrorBodySchema, errorBody } from './errors.ts';
import type { Api } from './server.ts';

const HealthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  database: z.object({ kind: z.enum(['pglite', 'postgres']), ok: z.boolean(), latencyMs: z.number() }),
});

/** GET /health: answers 200 when the database answers, 503 otherwise. */
export function registerHealthRoute(app: Api, deps: { database: Database; version: string }): void {
  app.get(
    '/health',
    {
      schema: {
        tags: ['platform'],
        summary: 'Liveness and database check',
        security: [],
        response: { 200: HealthSchema, 503: ErrorBodySchema },
      },
    },
    async (_request, reply) => {
      const started = performance.now();
      try {
        await ping(deps.database.db);
      } catch (error) {
        return reply
          .status(503)
          .send(errorBody('unavailable', `database unreachable: ${(error as Error).message}`));
      }
      return {
        status: 'ok' as const,
        version: deps.version,
        database: {
          kind: deps.database.kind,
          ok: true,
          latencyMs: Math.round((performance.now() - started) * 100) / 100,
        },
      };
    },
  );
}
