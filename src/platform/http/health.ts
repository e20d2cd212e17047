import { z } from 'zod';
import type { Database } from '../db/database.ts';
import { ping } from '../db/database.ts';
import { ErrorBodySchema, errorBody } from './errors.ts';
import type { Api } from './server.ts';

const HealthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  database: z.object({ kind: z.enum(['pglite', 'postgres']), ok: z.boolean(), latencyMs: z.number() }),
  rules: z
    .object({ memberId: z.string(), partitions: z.array(z.number().int()) })
    .optional()
    .describe('a rules process (`serve --role rules`): its member id and the partitions it owns now'),
});

/** What a rules process adds to /health. */
export interface HealthRules {
  memberId: string;
  partitions: number[];
}

/** GET /health: answers 200 when the database answers, 503 otherwise. */
export function registerHealthRoute(
  app: Api,
  deps: { database: Database; version: string; rules?: () => HealthRules | undefined },
): void {
  app.get(
    '/health',
    {
      config: { access: 'public' },
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
      const rules = deps.rules?.();
      return {
        ...(rules ? { rules } : {}),
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
