/**
 * Bearer tokens: HS256 with a shared secret (development, the CLI's `token` command) or any
 * algorithm a remote JWKS publishes (production identity providers). `sub` is the user id;
 * a `roles` array containing "admin" makes the caller an admin.
 */
import { SignJWT, createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import type { Principal } from '../../app/ledger-app.js';
import { Lru } from '../../app/lru.js';

export type TokenVerifierOptions = Readonly<{
  secret?: string | undefined;
  jwksUrl?: string | undefined;
  issuer?: string | undefined;
  audience?: string | undefined;
}>;

/** Who the token names, and when it stops being valid (epoch ms; null when it has no `exp`). */
export type VerifiedToken = Readonly<{ principal: Principal; expiresAt: number | null }>;

export class InvalidTokenError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidTokenError';
  }
}

const keyOf = (secret: string): Uint8Array => new TextEncoder().encode(secret);

function principalOf(payload: JWTPayload): Principal {
  if (typeof payload.sub !== 'string' || payload.sub.length === 0) throw new InvalidTokenError('token has no subject (sub)');
  const roles: unknown = payload['roles'];
  return { sub: payload.sub, admin: Array.isArray(roles) && roles.includes('admin') };
}

/** Verified tokens remembered per api process: clients send the same token with every request. */
const CACHE_SIZE = 10_000;
/** A token without `exp` is checked again after this long (a JWKS key may have been rotated out). */
const NO_EXPIRY_RECHECK_MS = 5 * 60_000;

export function createTokenVerifier(options: TokenVerifierOptions): (token: string) => Promise<VerifiedToken> {
  const checks: JWTVerifyOptions = {
    ...(options.issuer ? { issuer: options.issuer } : {}),
    ...(options.audience ? { audience: options.audience } : {}),
  };
  let verify: (token: string) => Promise<JWTPayload>;
  if (options.jwksUrl) {
    // Keys are fetched on first use and cached; an unknown `kid` triggers a (rate-limited) refetch.
    const jwks = createRemoteJWKSet(new URL(options.jwksUrl));
    verify = async (token) => (await jwtVerify(token, jwks, checks)).payload;
  } else if (options.secret) {
    const key = keyOf(options.secret);
    // Pinning the algorithm keeps a token signed some other way from ever being accepted.
    verify = async (token) => (await jwtVerify(token, key, { ...checks, algorithms: ['HS256'] })).payload;
  } else {
    throw new Error('createTokenVerifier needs a secret or a jwksUrl');
  }
  // Verifying a signature is most of the CPU a mutation costs the api (measured with
  // scripts/profile-api.ts). A token verified once stays good until it expires: remember it until
  // then. Only successes are remembered; a refused token is checked again every time.
  const verified = new Lru<string, { token: VerifiedToken; recheckAt: number }>(CACHE_SIZE);
  return async (token) => {
    const now = Date.now();
    const cached = verified.get(token);
    if (cached && now < cached.recheckAt) return cached.token;
    try {
      const payload = await verify(token);
      // Subscriptions outlive the request that started them: they end when this instant passes.
      const result: VerifiedToken = { principal: principalOf(payload), expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : null };
      verified.set(token, { token: result, recheckAt: result.expiresAt ?? now + NO_EXPIRY_RECHECK_MS });
      return result;
    } catch (error) {
      verified.delete(token);
      if (error instanceof InvalidTokenError) throw error;
      throw new InvalidTokenError(`invalid token: ${(error as Error).message}`, { cause: error });
    }
  };
}

export type SignTokenOptions = Readonly<{
  secret: string;
  sub: string;
  admin: boolean;
  /** A jose time span like "1h", "30d", or seconds. */
  ttl: string | number;
  issuer?: string | undefined;
  audience?: string | undefined;
}>;

export async function signToken(options: SignTokenOptions): Promise<string> {
  let jwt = new SignJWT({ roles: options.admin ? ['admin'] : [] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.sub)
    .setIssuedAt()
    .setExpirationTime(typeof options.ttl === 'number' ? Math.floor(Date.now() / 1000) + options.ttl : options.ttl);
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  if (options.audience) jwt = jwt.setAudience(options.audience);
  return jwt.sign(keyOf(options.secret));
}
