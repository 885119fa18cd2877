import { createHmac } from 'node:crypto';
import { csrfHeader, endpointList } from '@authbench/contract';
import type { Request, RequestHandler, Response } from 'express';
import type { Config } from '../config';
import { AppError } from '../errors';
import { credentialCookie } from '../http/cookies';
import { randomToken, safeEqual } from './tokens';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);
/** What the browser sends by itself (violation reports), on its exact method and path: no token to carry. */
const withoutToken = new Set(endpointList.filter((e) => e.withoutCsrfToken).map((e) => `${e.method.toUpperCase()} ${e.path}`));
const anonMaxAgeSeconds = 24 * 3600;

export interface CsrfOptions {
  /** HMAC keys: the first signs, all verify (they rotate with the secret they come from). */
  keys: readonly Buffer[];
  /** The cookie attributes of the deployment (the anonymous value's cookie follows them). */
  config: Pick<Config, 'cookieSecure' | 'cookieSameSite' | 'cookiePartitioned' | 'cookieNames'>;
  /** The id of the caller's login, if the request carries one: a token is then bound to it. */
  loginOf: (req: Request) => Promise<string | undefined> | string | undefined;
}

/**
 * Stateless CSRF tokens, the same in every mode whose credential the browser attaches by itself.
 * After login a token is an HMAC over the login's id, so it dies with the login and another
 * login's token is refused. Before login it is an HMAC over a random value in an HttpOnly cookie
 * (the signed double-submit pattern): a page on another site can neither read the cookie nor
 * forge the token, and the server keeps nothing for anonymous visitors.
 */
export function createCsrfProtection({ keys, config, loginOf }: CsrfOptions) {
  const cookie = credentialCookie(config, {
    name: config.cookieNames.csrf,
    purpose: 'before login: the random value the CSRF token is signed over',
    path: '/',
    maxAgeSeconds: anonMaxAgeSeconds,
  });
  const sign = (binding: string, key = keys[0]!) => createHmac('sha256', key).update(binding).digest('base64url');
  const forLogin = (loginId: string) => sign(`login:${loginId}`);
  const bindingOf = async (req: Request) => {
    const login = await loginOf(req);
    if (login !== undefined) return `login:${login}`;
    const anonymous = cookie.read(req);
    return anonymous ? `anon:${anonymous}` : undefined;
  };

  const check: RequestHandler = async (req, _res, next) => {
    if (safeMethods.has(req.method) || withoutToken.has(`${req.method} ${req.path}`)) return next();
    const sent = req.get(csrfHeader);
    const binding = await bindingOf(req);
    if (!sent || binding === undefined || !keys.some((key) => safeEqual(sent, sign(binding, key)))) throw new AppError('csrf_failed');
    next();
  };

  /** GET /api/auth/csrf: the token of this login, or of this browser before login. */
  const issue: RequestHandler = async (req, res) => {
    const login = await loginOf(req);
    if (login !== undefined) {
      res.json({ csrfToken: forLogin(login) });
      return;
    }
    let anonymous = cookie.read(req);
    if (!anonymous) {
      anonymous = randomToken();
      cookie.set(res, anonymous, anonMaxAgeSeconds * 1000);
    }
    res.json({ csrfToken: sign(`anon:${anonymous}`) });
  };

  return {
    check,
    issue,
    /** The token a login response hands over. */
    forLogin,
    cookieInfo: cookie.info,
    /** Forgets the anonymous value once a login takes over. */
    clearAnonymous: (res: Response) => cookie.clear(res),
  };
}

export type CsrfProtection = ReturnType<typeof createCsrfProtection>;
