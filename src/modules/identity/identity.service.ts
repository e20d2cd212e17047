import type { IncomingHttpHeaders } from 'node:http';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Principal, Role } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import { AppError } from '../../platform/errors.ts';
import type { AuditLog } from '../audit/index.ts';
import { ApiKeyAdmin } from './identity.apikeys.ts';
import { type IdentityContext, inTransaction, tables, toUserDto } from './identity.context.ts';
import { PasswordHasher } from './identity.password.ts';
import { IdentityRepository, type UserRow } from './identity.repository.ts';
import {
  type CreateApiKeyInput,
  CreateApiKeySchema,
  type CreateUserInput,
  CreateUserSchema,
  type LoginResult,
  type ResolveDepartment,
  type ResolveJurisdiction,
} from './identity.schema.ts';
import { type OidcOptions, OidcVerifier, peekIssuer, SessionTokens } from './identity.tokens.ts';
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

/** Failed logins of one username within this window trip the brake… */
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
/** …once there are this many. */
export const LOGIN_MAX_FAILURES = 10;

/** Users, passwords, session tokens, API keys, OIDC, and turning request headers into a Principal. */
export class IdentityService {
  /** User administration (scoped, audited). */
  readonly users: UserAdmin;
  /** API keys of systems. */
  readonly apiKeys: ApiKeyAdmin;
  private readonly ctx: IdentityContext;
  private readonly tokens: SessionTokens;
  private readonly oidc?: OidcVerifier;

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
    this.users = new UserAdmin(this.ctx);
    this.apiKeys = new ApiKeyAdmin(this.ctx);
    this.tokens = new SessionTokens(options.tokenSecret, options.tokenTtlSeconds, clock);
    if (options.oidc) this.oidc = new OidcVerifier(options.oidc, clock);
  }

  /** Checks a username and password and issues a session token; one answer for every kind of failure. */
  async login(username: string, password: string, meta: { ip?: string } = {}): Promise<LoginResult> {
    const { repo, clock, passwords } = this.ctx;
    const name = username.trim().toLowerCase();
    const db = tables(this.ctx.db);
    const now = clock.now();
    if (
      (await repo.countFailures(db, name, new Date(now.getTime() - LOGIN_WINDOW_MS))) >= LOGIN_MAX_FAILURES
    ) {
      await this.ctx.audit.record(this.ctx.db, failure(name, undefined, 'rate_limited', meta));
      throw new AppError('rate_limited', 'too many failed logins for this username; try again later', {
        reason: 'too_many_failures',
        windowSeconds: LOGIN_WINDOW_MS / 1000,
      });
    }
    const user = await repo.userByUsername(db, name);
    // Unknown users still cost one scrypt (verify hashes against a dummy), so timing does not reveal them.
    const matches = await passwords.verify(password, user?.password_hash ?? null);
    if (!user || !matches || !user.active) {
      const reason = !user ? 'unknown_user' : !matches ? 'wrong_password' : 'inactive';
      await inTransaction(this.ctx, async (trx, raw) => {
        await repo.addFailure(trx, name, now, new Date(now.getTime() - LOGIN_WINDOW_MS));
        await this.ctx.audit.append(raw, failure(name, user, reason, meta));
      });
      throw new AppError('unauthenticated', 'invalid username or password', {
        reason: 'invalid_credentials',
      });
    }
    await inTransaction(this.ctx, async (trx, raw) => {
      await repo.clearFailures(trx, name);
      await this.ctx.audit.append(raw, {
        actor: { kind: 'user', id: user.id },
        action: 'auth.login',
        subjectType: 'user',
        subjectId: user.id,
        jurisdictionPath: user.jurisdiction_path,
        details: { username: name, method: 'password', ...(meta.ip ? { ip: meta.ip } : {}) },
      });
    });
    const { token, expiresAt } = await this.tokens.sign({
      sub: user.id,
      username: user.username,
      roles: user.roles,
      jurisdictionCode: user.jurisdiction_code,
      jurisdictionPath: user.jurisdiction_path,
      departmentCode: user.department_code,
      tv: user.token_version,
    });
    return { token, expiresAt: expiresAt.toISOString(), user: toUserDto(user) };
  }

  /**
   * The principal behind a request's credentials (`Authorization: Bearer <token>`,
   * `Authorization: ApiKey <key>` or `x-api-key`); undefined when none were sent.
   * Credentials that are present but bad throw unauthenticated: never silently anonymous.
   */
  async authenticate(headers: IncomingHttpHeaders): Promise<Principal | undefined> {
    const authorization = single(headers.authorization, 'authorization');
    const apiKey = single(headers['x-api-key'], 'x-api-key');
    if (authorization === undefined && apiKey === undefined) return undefined;
    if (authorization !== undefined && apiKey !== undefined)
      throw unauthenticated('send either Authorization or x-api-key, not both');
    if (apiKey !== undefined) return this.apiKeys.authenticate(apiKey.trim());
    const match = /^\s*(\S+)\s+(\S+)\s*$/.exec(authorization ?? '');
    if (!match) throw unauthenticated('malformed Authorization header');
    const scheme = match[1]!.toLowerCase();
    if (scheme === 'apikey') return this.apiKeys.authenticate(match[2]!);
    if (scheme === 'bearer') return this.bearer(match[2]!);
    throw unauthenticated(`unsupported authorization scheme '${match[1]}'`);
  }

  /** The caller and, for users, their user record (GET /api/v1/auth/me). */
  async me(
    principal: Principal,
  ): Promise<{ principal: Principal; user: ReturnType<typeof toUserDto> | null }> {
    if (principal.kind !== 'user') return { principal, user: null };
    const row = await this.ctx.repo.userById(tables(this.ctx.db), principal.id);
    return { principal, user: row ? toUserDto(row) : null };
  }

  /** Creates a user unless the username exists; for the demo seeder and `citybrain users add`. */
  async ensureUser(
    input: CreateUserInput,
  ): Promise<{ user: ReturnType<typeof toUserDto>; created: boolean }> {
    return this.users.ensure(parse(CreateUserSchema, input));
  }

  /** Creates an API key; the secret is returned only here. */
  createApiKey(actor: Principal, input: CreateApiKeyInput) {
    return this.apiKeys.create(actor, parse(CreateApiKeySchema, input));
  }

  /** Makes sure a live key `name` with this known secret exists (e.g. CITYBRAIN_OPEN311_KEY). */
  ensureApiKey(name: string, secret: string, input: Omit<CreateApiKeyInput, 'name'>) {
    return this.apiKeys.ensure(name, secret, parse(CreateApiKeySchema, { ...input, name }));
  }

  private async bearer(token: string): Promise<Principal> {
    const db = tables(this.ctx.db);
    if (this.oidc && peekIssuer(token) === this.oidc.issuer) {
      const username = await this.oidc.verify(token);
      const user = await this.ctx.repo.userByUsername(db, username);
      if (!user?.active) throw unauthenticated('no active local user for this identity', 'unknown_user');
      return userPrincipal(user);
    }
    const claims = await this.tokens.verify(token);
    const user = await this.ctx.repo.userById(db, claims.sub);
    if (!user?.active) throw unauthenticated('user unknown or deactivated', 'user_inactive');
    if (user.token_version !== claims.tv)
      throw unauthenticated('token revoked; sign in again', 'token_revoked');
    return userPrincipal(user);
  }
}

/** Roles and jurisdiction come from the user row, not the token, so changes apply at once. */
function userPrincipal(user: UserRow): Principal {
  return {
    kind: 'user',
    id: user.id,
    name: user.username,
    roles: user.roles as Role[],
    jurisdictionCode: user.jurisdiction_code,
    jurisdictionPath: user.jurisdiction_path,
    departmentCode: user.department_code,
  };
}

function failure(username: string, user: UserRow | undefined, reason: string, meta: { ip?: string }) {
  return {
    actor: { kind: 'user' as const, id: 'anonymous' },
    action: 'auth.login_failed',
    subjectType: 'user',
    subjectId: user?.id ?? `username:${username}`,
    jurisdictionPath: user?.jurisdiction_path ?? '',
    details: { username, reason, ...(meta.ip ? { ip: meta.ip } : {}) },
  };
}

function unauthenticated(message: string, reason = 'invalid_credentials'): AppError {
  return new AppError('unauthenticated', message, { reason });
}

function single(value: string | string[] | undefined, name: string): string | undefined {
  if (Array.isArray(value)) throw unauthenticated(`header ${name} sent more than once`);
  return value;
}

/** Validates service input from non-HTTP callers (CLI, seeder) with the API's schema. */
function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new AppError('invalid_data', 'invalid input', { issues: result.error.issues });
  return result.data;
}
