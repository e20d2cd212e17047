import { AppError } from '../../platform/errors.ts';
import type { AuditEvent } from '../audit/index.ts';
import { type IdentityContext, inTransaction, tables, toUserDto } from './identity.context.ts';
import type { UserRow } from './identity.repository.ts';
import type { LoginResult } from './identity.schema.ts';
import type { SessionTokens } from './identity.tokens.ts';

/** Failed logins of one username within this window trip the brake… */
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
/** …once there are this many. */
export const LOGIN_MAX_FAILURES = 10;

/** Password sign-in with a per-username brute-force brake; every outcome audited. */
export class PasswordLogin {
  private readonly ctx: IdentityContext;
  private readonly tokens: SessionTokens;

  constructor(ctx: IdentityContext, tokens: SessionTokens) {
    this.ctx = ctx;
    this.tokens = tokens;
  }

  /** Checks a username and password and issues a session token; one answer for every kind of failure. */
  async login(username: string, password: string, meta: { ip?: string } = {}): Promise<LoginResult> {
    const { repo, clock, passwords, audit } = this.ctx;
    const name = username.trim().toLowerCase();
    const db = tables(this.ctx.db);
    const now = clock.now();
    const windowStart = new Date(now.getTime() - LOGIN_WINDOW_MS);
    // Refused attempts do not count as failures, so the brake lifts once the window has passed.
    if ((await repo.countFailures(db, name, windowStart)) >= LOGIN_MAX_FAILURES) {
      await audit.record(this.ctx.db, failure(name, undefined, 'rate_limited', meta));
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
        await repo.addFailure(trx, name, now, windowStart);
        await audit.append(raw, failure(name, user, reason, meta));
      });
      throw new AppError('unauthenticated', 'invalid username or password', {
        reason: 'invalid_credentials',
      });
    }
    await inTransaction(this.ctx, async (trx, raw) => {
      await repo.clearFailures(trx, name);
      await audit.append(raw, {
        actor: { kind: 'user', id: user.id },
        action: 'auth.login',
        subjectType: 'user',
        subjectId: user.id,
        jurisdictionPath: user.jurisdiction_path,
        details: { username: name, method: 'password', ...(meta.ip ? { ip: meta.ip } : {}) },
      });
    });
    const { token, expiresAt } = await this.tokens.sign({ sub: user.id, tv: user.token_version });
    return { token, expiresAt: expiresAt.toISOString(), user: toUserDto(user) };
  }
}

/** The audit entry of a refused login; the actor is unknown, the subject is the user when one exists. */
function failure(
  username: string,
  user: UserRow | undefined,
  reason: string,
  meta: { ip?: string },
): AuditEvent {
  return {
    actor: { kind: 'anonymous', id: 'anonymous' },
    action: 'auth.login_failed',
    subjectType: 'user',
    subjectId: user?.id ?? `username:${username}`,
    jurisdictionPath: user?.jurisdiction_path ?? '',
    details: { username, reason, ...(meta.ip ? { ip: meta.ip } : {}) },
  };
}
