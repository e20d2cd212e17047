import type { IncomingHttpHeaders } from 'node:http';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { type Principal, SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import { AppError } from '../../platform/errors.ts';
import type { AuditLog } from '../audit/index.ts';
import { ApiKeyAdmin } from './identity.apikeys.ts';
import { Authenticator } from './identity.authenticate.ts';
import { type IdentityContext, tables, toUserDto } from './identity.context.ts';
import { PasswordLogin } from './identity.login.ts';
import { PasswordHasher } from './identity.password.ts';
import { IdentityRepository } from './identity.repository.ts';
import {
  type ApiKeyDto,
  type CreateApiKeyInput,
  CreateApiKeySchema,
  type CreateUserInput,
  CreateUserSchema,
  type LoginResult,
  PasswordChangeSchema,
  type ResolveDepartment,
  type ResolveJurisdiction,
  type UserDto,
} from './identity.schema.ts';
import { type OidcOptions, OidcVerifier, SessionTokens } from './identity.tokens.ts';
import { UserAdmin } from './identity.users.ts';

/** What the identity service is built from; the composition root passes it in. */
export interface IdentityOptions {
  db: Kysely<unknown>;
  audit: AuditLog;
  clock: Clock;
  /** HS256 key of session tokens (config tokenSecret, or one generated and kept in the data dir). */
  tokenSecret: string;
  tokenTtlSeconds: number;
  resolveJurisdiction: ResolveJurisdiction;
  resolveDepartment?: ResolveDepartment;
  oidc?: OidcOptions;
  /** scrypt N; lower it only in tests. */
  scryptCost?: number;
}

/** Users, passwords, session tokens, API keys, OIDC, and turning request headers into a Principal. */
export class IdentityService {
  /** User administration (scoped, audited). */
  readonly users: UserAdmin;
  /** API keys of systems. */
  readonly apiKeys: ApiKeyAdmin;
  private readonly ctx: IdentityContext;
  private readonly passwordLogin: PasswordLogin;
  private readonly authenticator: Authenticator;

  constructor(options: IdentityOptions) {
    const { db, audit, clock, resolveJurisdiction, resolveDepartment } = options;
    const passwords = new PasswordHasher(options.scryptCost);
    this.ctx = {
      db,
      audit,
      clock,
      repo: new IdentityRepository(),
      passwords,
      resolveJurisdiction,
      resolveDepartment,
    };
    const tokens = new SessionTokens(options.tokenSecret, options.tokenTtlSeconds, clock);
    const oidc = options.oidc ? new OidcVerifier(options.oidc, clock) : undefined;
    this.users = new UserAdmin(this.ctx);
    this.apiKeys = new ApiKeyAdmin(this.ctx);
    this.passwordLogin = new PasswordLogin(this.ctx, tokens);
    this.authenticator = new Authenticator(this.ctx, tokens, this.apiKeys, oidc);
  }

  /** Checks a username and password and issues a session token; wrong password and unknown user answer alike. */
  login(username: string, password: string, meta: { ip?: string } = {}): Promise<LoginResult> {
    return this.passwordLogin.login(username, password, meta);
  }

  /**
   * The principal behind a request's credentials (`Authorization: Bearer <token>`,
   * `Authorization: ApiKey <key>` or `x-api-key`); undefined when none were sent.
   * Credentials that are present but bad throw unauthenticated: never silently anonymous.
   */
  authenticate(headers: IncomingHttpHeaders): Promise<Principal | undefined> {
    return this.authenticator.authenticate(headers);
  }

  /** The caller and, for users, their user record (GET /api/v1/auth/me). */
  async me(principal: Principal): Promise<{ principal: Principal; user: UserDto | null }> {
    if (principal.kind !== 'user') return { principal, user: null };
    const row = await this.ctx.repo.userById(tables(this.ctx.db), principal.id);
    return { principal, user: row ? toUserDto(row) : null };
  }

  /** Creates a user unless the username exists; for the demo seeder and `citybrain users add`. */
  async ensureUser(input: CreateUserInput): Promise<{ user: UserDto; created: boolean }> {
    return this.users.ensure(parse(CreateUserSchema, input));
  }

  /** Creates a user as `actor` (validated like the API's body); for the CLI. */
  async createUser(actor: Principal, input: CreateUserInput): Promise<UserDto> {
    return this.users.create(actor, parse(CreateUserSchema, input));
  }

  /** Sets a user's password as the platform (`citybrain users passwd`); their earlier tokens stop working. */
  async setPassword(username: string, newPassword: string): Promise<void> {
    const user = await this.users.findByUsername(SYSTEM_PRINCIPAL, username.trim().toLowerCase());
    await this.users.changePassword(SYSTEM_PRINCIPAL, user.id, parse(PasswordChangeSchema, { newPassword }));
  }

  /** Creates an API key; the secret is returned only here. */
  async createApiKey(
    actor: Principal,
    input: CreateApiKeyInput,
  ): Promise<{ apiKey: ApiKeyDto; secret: string }> {
    return this.apiKeys.create(actor, parse(CreateApiKeySchema, input));
  }

  /** Makes sure a live key `name` with this known secret exists (e.g. CITYBRAIN_OPEN311_KEY). */
  async ensureApiKey(
    name: string,
    secret: string,
    input: Omit<CreateApiKeyInput, 'name'>,
  ): Promise<{ apiKey: ApiKeyDto; created: boolean }> {
    return this.apiKeys.ensure(name, secret, parse(CreateApiKeySchema, { ...input, name }));
  }
}

/** Validates input from non-HTTP callers (CLI, seeder) with the API's schema. */
function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new AppError('invalid_data', 'invalid input', { issues: result.error.issues });
  return result.data;
}
