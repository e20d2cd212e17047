import { createRemoteJWKSet, decodeJwt, errors, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import type { Clock } from '../../platform/clock.ts';
import { AppError } from '../../platform/errors.ts';

/** Issuer and audience of the tokens citybrain signs itself. */
export const TOKEN_ISSUER = 'citybrain';

/**
 * What a session token says: who (the user id) and which token version, nothing else.
 * Roles, jurisdiction and department are read from the user row on every request, so a
 * token re-signed with extra claims gains nothing and a changed role applies at once.
 */
export interface SessionClaims {
  sub: string;
  /** The user's token_version when the token was issued. */
  tv: number;
}

/** Claims every token must carry; a token without `exp` would never expire. */
const REQUIRED_CLAIMS = ['exp', 'iat', 'sub'];

/** Signs and checks citybrain's own session tokens: HS256 JWTs with a shared secret. */
export class SessionTokens {
  private readonly key: Uint8Array;
  private readonly clock: Clock;
  private readonly ttlSeconds: number;

  constructor(secret: string, ttlSeconds: number, clock: Clock) {
    if (secret.length < 32) throw new Error('token secret must be at least 32 characters');
    this.key = new TextEncoder().encode(secret);
    this.ttlSeconds = ttlSeconds;
    this.clock = clock;
  }

  /** A signed token for the user and the moment it expires. */
  async sign(claims: SessionClaims): Promise<{ token: string; expiresAt: Date }> {
    const iat = Math.floor(this.clock.now().getTime() / 1000);
    const exp = iat + this.ttlSeconds;
    const token = await new SignJWT({ tv: claims.tv })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.sub)
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_ISSUER)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /** The claims of a valid token; throws unauthenticated for a bad, tampered or expired one. */
  async verify(token: string): Promise<SessionClaims> {
    const payload = await guard(() =>
      jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        issuer: TOKEN_ISSUER,
        audience: TOKEN_ISSUER,
        requiredClaims: REQUIRED_CLAIMS,
        currentDate: this.clock.now(),
      }),
    );
    if (typeof payload.sub !== 'string' || !Number.isInteger(payload.tv)) throw invalid('malformed token');
    return { sub: payload.sub, tv: payload.tv as number };
  }
}

/** Settings for accepting an external identity provider's JWTs. */
export interface OidcOptions {
  issuer: string;
  audience?: string;
  jwksUrl?: string;
}

/** Checks JWTs of an OpenID Connect issuer against its published keys (JWKS, fetched and cached by jose). */
export class OidcVerifier {
  readonly issuer: string;
  private readonly audience?: string;
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;
  private readonly clock: Clock;

  constructor(options: OidcOptions, clock: Clock) {
    this.issuer = options.issuer;
    this.audience = options.audience;
    const url = options.jwksUrl ?? `${options.issuer.replace(/\/+$/, '')}/.well-known/jwks.json`;
    this.jwks = createRemoteJWKSet(new URL(url));
    this.clock = clock;
  }

  /** The username the token vouches for (`preferred_username`, else `sub`), lowercased. */
  async verify(token: string): Promise<string> {
    const payload = await guard(() =>
      jwtVerify(token, this.jwks, {
        issuer: this.issuer,
        audience: this.audience,
        requiredClaims: ['exp'],
        currentDate: this.clock.now(),
      }),
    );
    const name = typeof payload.preferred_username === 'string' ? payload.preferred_username : payload.sub;
    if (!name) throw invalid('token names no user');
    return name.toLowerCase();
  }
}

/** The `iss` of a JWT without checking it, to route it to the right verifier; undefined when not a JWT. */
export function peekIssuer(token: string): string | undefined {
  try {
    return decodeJwt(token).iss;
  } catch {
    return undefined;
  }
}

function invalid(message: string, reason = 'invalid_token', check?: string): AppError {
  return new AppError('unauthenticated', message, check ? { reason, check } : { reason });
}

/** Runs a jose verification, turning its errors into our codes. */
async function guard(run: () => Promise<{ payload: JWTPayload }>): Promise<JWTPayload> {
  try {
    return (await run()).payload;
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw invalid('token expired', 'token_expired');
    if (error instanceof errors.JWKSTimeout)
      throw new AppError('unavailable', 'identity provider keys unavailable');
    if (error instanceof errors.JOSEError) throw invalid('invalid token', 'invalid_token', error.code);
    // Anything else (network failure fetching the JWKS) is the provider's trouble, not the caller's.
    throw new AppError('unavailable', 'identity provider keys unavailable', { cause: String(error) });
  }
}
