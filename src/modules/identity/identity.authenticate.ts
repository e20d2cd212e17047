import type { IncomingHttpHeaders } from 'node:http';
import type { Principal, Role } from '../../platform/access.ts';
import { AppError } from '../../platform/errors.ts';
import type { ApiKeyAdmin } from './identity.apikeys.ts';
import { type IdentityContext, tables } from './identity.context.ts';
import type { UserRow } from './identity.repository.ts';
import { type OidcVerifier, peekIssuer, type SessionTokens } from './identity.tokens.ts';

/** Turns request headers into a principal: session tokens, OIDC tokens and API keys. */
export class Authenticator {
  private readonly ctx: IdentityContext;
  private readonly tokens: SessionTokens;
  private readonly apiKeys: ApiKeyAdmin;
  private readonly oidc?: OidcVerifier;

  constructor(ctx: IdentityContext, tokens: SessionTokens, apiKeys: ApiKeyAdmin, oidc?: OidcVerifier) {
    this.ctx = ctx;
    this.tokens = tokens;
    this.apiKeys = apiKeys;
    this.oidc = oidc;
  }

  /** The principal behind the headers; undefined when none were sent; unauthenticated when they are bad. */
  async authenticate(headers: IncomingHttpHeaders): Promise<Principal | undefined> {
    const authorization = single(headers.authorization, 'authorization');
    const apiKey = single(headers['x-api-key'], 'x-api-key');
    if (authorization === undefined && apiKey === undefined) return undefined;
    if (authorization !== undefined && apiKey !== undefined) {
      throw unauthenticated('send either Authorization or x-api-key, not both');
    }
    if (apiKey !== undefined) return this.apiKeys.authenticate(apiKey.trim());
    const match = /^\s*(\S+)\s+(\S+)\s*$/.exec(authorization ?? '');
    if (!match) throw unauthenticated('malformed Authorization header');
    const scheme = match[1]!.toLowerCase();
    if (scheme === 'apikey') return this.apiKeys.authenticate(match[2]!);
    if (scheme === 'bearer') return this.bearer(match[2]!);
    throw unauthenticated(`unsupported authorization scheme '${match[1]}'`);
  }

  private async bearer(token: string): Promise<Principal> {
    const db = tables(this.ctx.db);
    // A token naming the configured issuer goes to the OIDC verifier; everything else must be ours.
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
export function userPrincipal(user: UserRow): Principal {
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

function unauthenticated(message: string, reason = 'invalid_credentials'): AppError {
  return new AppError('unauthenticated', message, { reason });
}

function single(value: string | string[] | undefined, name: string): string | undefined {
  if (Array.isArray(value)) throw unauthenticated(`header ${name} sent more than once`);
  return value;
}
