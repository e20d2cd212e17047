/** Public surface of the identity module. */
export { LOGIN_MAX_FAILURES, LOGIN_WINDOW_MS } from './identity.login.ts';
export { identityMigrations } from './identity.migrations.ts';
export { installAuthentication, registerIdentityRoutes } from './identity.routes.ts';
export type {
  ApiKeyDto,
  CreateApiKeyInput,
  CreateUserInput,
  JurisdictionNode,
  LoginResult,
  ResolveDepartment,
  ResolveJurisdiction,
  UserDto,
  UserQuery,
} from './identity.schema.ts';
export { CreateUserSchema, UserQuerySchema } from './identity.schema.ts';
export { type IdentityOptions, IdentityService } from './identity.service.ts';
export type { OidcOptions } from './identity.tokens.ts';
