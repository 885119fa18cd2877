import { csrfHeader } from '@authbench/contract';
import type { Request, Response } from 'express';
import { credentialCookie } from '../http/cookies';
import type { AccessTokens } from './access-tokens';
import { createCsrfProtection } from './csrf';
import { deriveFromSigningKeys } from './signing-keys';
import type { AuthDeps, AuthStrategy } from './strategy';
import { createTokenStrategy, type TokenTransfer } from './token-strategy';

/**
 * The access token travels in the HttpOnly cookie `at`, which the browser attaches by itself and
 * script cannot read; because the browser attaches it, every unsafe request carries a CSRF token.
 */
function cookieTransfer({ config, secrets, now }: AuthDeps, tokens: AccessTokens): TokenTransfer {
  // The cookie lives as long as the refresh token, so that an expired access token is still
  // presented, answered `token_expired`, and refreshed.
  const cookie = credentialCookie(config, {
    name: config.cookieNames.access,
    purpose: 'the access token (a JWT script cannot read)',
    path: '/',
    maxAgeSeconds: config.refreshTokenTtlSeconds,
  });
  const read = (req: Request) => cookie.read(req);

  const csrf = createCsrfProtection({
    keys: deriveFromSigningKeys('csrf', secrets.signingKeys),
    config,
    // A genuine token names its login even once expired (a refresh keeps the sid, and so the
    // CSRF token); it need not still be valid, since authentication is checked after routing.
    loginOf(req) {
      const token = read(req);
      if (!token) return undefined;
      try {
        return tokens.verify(token, { expiredForAtMostMs: config.refreshFamilyLifetimeSeconds * 1000 }).sid;
      } catch {
        return undefined; // a forged cookie binds nothing: the anonymous token is asked for
      }
    },
  });

  const setAccessToken = (res: Response, token: string, refreshExpiresAt: number) => cookie.set(res, token, refreshExpiresAt - now());

  return {
    mode: 'jwt-cookie',
    read,
    deliverLogin(res, issued) {
      setAccessToken(res, issued.accessToken, issued.refreshExpiresAt);
      csrf.clearAnonymous(res);
      return { csrfToken: csrf.forLogin(issued.familyId), expiresIn: issued.expiresIn };
    },
    deliverRefresh(res, issued) {
      setAccessToken(res, issued.accessToken, issued.refreshExpiresAt);
      return { expiresIn: issued.expiresIn };
    },
    clear: (res) => cookie.clear(res),
    beforeRoutes: [csrf.check],
    handlers: { csrf: csrf.issue },
    extraConfig: { csrfHeader },
    cookies: [cookie.info, csrf.cookieInfo],
  };
}

/** The hybrid: jwt mode's stateless tokens, carried in an HttpOnly cookie instead of a header. */
export const createJwtCookieStrategy = (deps: AuthDeps): AuthStrategy => createTokenStrategy(deps, cookieTransfer);
