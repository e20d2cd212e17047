import { z } from 'zod';
import { ROLE_GROUPS } from '../../platform/access.ts';
import { principalOf } from '../../platform/http/principal.ts';
import type { Api } from '../../platform/http/server.ts';
import {
  ApiKeySchema,
  CreateApiKeySchema,
  CreatedApiKeySchema,
  CreateUserSchema,
  LoginResultSchema,
  LoginSchema,
  MeSchema,
  PasswordChangeSchema,
  UpdateUserSchema,
  UserQuerySchema,
  UserSchema,
} from './identity.schema.ts';
import type { IdentityService } from './identity.service.ts';

/** Sets `request.principal` from the request's credentials on every request; bad credentials answer 401. */
export function installAuthentication(app: Api, identity: IdentityService): void {
  app.addHook('onRequest', async (request) => {
    const principal = await identity.authenticate(request.headers);
    if (principal) request.principal = principal;
  });
}

const UserParams = z.strictObject({ id: z.uuid() });
const KeyParams = z.strictObject({ id: z.string().regex(/^[0-9a-f]{16}$/, 'an API key id') });

/** Login, the caller, scoped user administration and API keys. */
export function registerIdentityRoutes(app: Api, deps: { identity: IdentityService }): void {
  const { identity } = deps;
  const auth = ['auth'];
  const users = ['users'];

  app.post(
    '/api/v1/auth/login',
    {
      config: { access: 'public' },
      schema: {
        tags: auth,
        summary: 'Sign in with username and password; returns a bearer token',
        security: [],
        body: LoginSchema,
        response: { 200: LoginResultSchema },
      },
    },
    async (request) => identity.login(request.body.username, request.body.password, { ip: request.ip }),
  );
  app.get(
    '/api/v1/auth/me',
    {
      config: { access: 'authenticated' },
      schema: { tags: auth, summary: 'Who you are signed in as', response: { 200: MeSchema } },
    },
    async (request) => identity.me(principalOf(request)),
  );

  app.get(
    '/api/v1/users',
    {
      config: { access: { roles: ROLE_GROUPS.operators } },
      schema: {
        tags: users,
        summary: 'Users in your jurisdiction (operators only)',
        querystring: UserQuerySchema,
        response: { 200: z.object({ items: z.array(UserSchema) }) },
      },
    },
    async (request) => ({ items: await identity.users.list(principalOf(request), request.query) }),
  );
  app.post(
    '/api/v1/users',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: users,
        summary: 'Create a user in your jurisdiction with roles you hold',
        body: CreateUserSchema,
        response: { 201: UserSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await identity.users.create(principalOf(request), request.body)),
  );
  app.get(
    '/api/v1/users/:id',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: users,
        summary: 'One user (yourself, or in your jurisdiction)',
        params: UserParams,
        response: { 200: UserSchema },
      },
    },
    async (request) => identity.users.get(principalOf(request), request.params.id),
  );
  app.patch(
    '/api/v1/users/:id',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: users,
        summary: 'Change display name, roles, active flag or department',
        params: UserParams,
        body: UpdateUserSchema,
        response: { 200: UserSchema },
      },
    },
    async (request) => identity.users.update(principalOf(request), request.params.id, request.body),
  );
  app.post(
    '/api/v1/users/:id/password',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: users,
        summary: 'Change your password (with the old one) or reset a user’s; earlier tokens stop working',
        params: UserParams,
        body: PasswordChangeSchema,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      await identity.users.changePassword(principalOf(request), request.params.id, request.body);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/api-keys',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: users,
        summary: 'API keys in your jurisdiction (without secrets)',
        response: { 200: z.object({ items: z.array(ApiKeySchema) }) },
      },
    },
    async (request) => ({ items: await identity.apiKeys.list(principalOf(request)) }),
  );
  app.post(
    '/api/v1/api-keys',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: users,
        summary: 'Create an API key for a system; the secret is shown only in this answer',
        body: CreateApiKeySchema,
        response: { 201: CreatedApiKeySchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await identity.createApiKey(principalOf(request), request.body)),
  );
  app.delete(
    '/api/v1/api-keys/:id',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: users,
        summary: 'Revoke an API key',
        params: KeyParams,
        response: { 200: ApiKeySchema },
      },
    },
    async (request) => identity.apiKeys.revoke(principalOf(request), request.params.id),
  );
}
