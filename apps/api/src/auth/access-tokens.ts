import { randomUUID } from 'node:crypto';
import { AccessTokenClaims, type TokenResponse } from '@authbench/contract';
import jwt from 'jsonwebtoken';
import { AppError } from '../errors';
import type { SigningKey } from './signing-keys';
import { createVerifiedTokenCache, defaultVerifiedTokenCacheSize } from './verified-token-cache';

export interface AccessTokenOptions {
  keys: SigningKey[];
  issuer: string;
  audience: string;
  ttlSeconds: number;
  now: () => number;
  /** How many verified tokens to remember (0: none); see createVerifiedTokenCache. */
  cacheSize?: number;
}

/**
 * ES256 access tokens: the first key signs, every key verifies, chosen by `kid`. The keys are
 * KeyObjects parsed once at start, and a token verified once is remembered until its `exp`.
 */
export function createAccessTokens({ keys, issuer, audience, ttlSeconds, now, cacheSize = defaultVerifiedTokenCacheSize }: AccessTokenOptions) {
  const signer = keys[0]!;
  const byKid = new Map(keys.map((key) => [key.kid, key]));
  const verified = createVerifiedTokenCache<AccessTokenClaims>({ maxEntries: cacheSize, now });

  return {
    /** A token for this login, issued at `at` (ms; default now), bound to the key `jkt` when given (RFC 9449 §6.1). */
    issue(userId: string, familyId: string, at = now(), jkt?: string | null): TokenResponse {
      const iat = Math.floor(at / 1000);
      const accessToken = jwt.sign({ sid: familyId, iat, exp: iat + ttlSeconds, ...(jkt && { cnf: { jkt } }) }, signer.privateKey, {
        algorithm: 'ES256',
        keyid: signer.kid,
        issuer,
        audience,
        subject: userId,
        jwtid: randomUUID(),
      });
      return { accessToken, tokenType: 'Bearer', expiresIn: ttlSeconds };
    },

    /**
     * The verified claims, or 401 token_expired / token_invalid. Algorithm, issuer and audience
     * are pinned. `expiredForAtMostMs` also accepts a genuine token that expired no longer ago
     * than that (a logout, a CSRF binding).
     */
    verify(token: string, { expiredForAtMostMs }: { expiredForAtMostMs?: number } = {}): AccessTokenClaims {
      const ignoreExpiration = expiredForAtMostMs !== undefined;
      // The cache answers only for unexpired tokens, which every caller accepts.
      const remembered = verified.get(token);
      if (remembered) return remembered;
      let payload: unknown;
      try {
        const decoded = jwt.decode(token, { complete: true });
        const key = typeof decoded?.header.kid === 'string' ? byKid.get(decoded.header.kid) : undefined;
        if (!key) throw new AppError('token_invalid');
        payload = jwt.verify(token, key.publicKey, {
          algorithms: ['ES256'],
          issuer,
          audience,
          clockTimestamp: Math.floor(now() / 1000),
          ignoreExpiration,
        });
      } catch (err) {
        // jsonwebtoken checks the signature before expiry, so only a genuine token is "expired".
        throw new AppError(err instanceof jwt.TokenExpiredError ? 'token_expired' : 'token_invalid');
      }
      const claims = AccessTokenClaims.safeParse(payload);
      if (!claims.success) throw new AppError('token_invalid');
      // jsonwebtoken's rule, in whole seconds: expired once `exp <= now`.
      const expired = claims.data.exp <= Math.floor(now() / 1000);
      if (expired && claims.data.exp * 1000 + (expiredForAtMostMs ?? 0) <= now()) throw new AppError('token_expired');
      // Only now, with every check passed, may the token be trusted again without them.
      const result = Object.freeze(claims.data);
      if (!expired) verified.set(token, result);
      return result;
    },

    jwks: () => ({ keys: keys.map((key) => key.publicJwk) }),
  };
}

export type AccessTokens = ReturnType<typeof createAccessTokens>;
