import type { Principal } from '../access.ts';
import { createLogger } from '../logger.ts';
import { type Api, createHttpServer } from './server.ts';

/**
 * An HTTP server for a module's route tests: the real Fastify stack (validation, errors,
 * OpenAPI) with a stand-in for the identity module's authentication, where
 * `Authorization: Bearer <name>` makes the request act as `principals[name]`.
 * End-to-end tests use the real app instead (src/app.ts).
 */
export async function createTestApi(principals: Record<string, Principal> = {}): Promise<Api> {
  const app = await createHttpServer({ logger: createLogger('silent'), version: 'test' });
  app.addHook('onRequest', async (request) => {
    const token = request.headers.authorization?.replace(/^Bearer\s+/i, '');
    if (token && principals[token]) request.principal = principals[token];
  });
  return app;
}

/** Builds a principal for tests: a user at `path` with the given roles. */
export function testPrincipal(
  path: string,
  roles: Principal['roles'],
  departmentCode: string | null = null,
): Principal {
  const code = path.split('/').at(-1) ?? '';
  return {
    kind: 'user',
    id: `u-${code}-${roles.join('-')}`,
    name: 'test',
    roles,
    jurisdictionCode: code,
    jurisdictionPath: path,
    departmentCode,
  };
}
