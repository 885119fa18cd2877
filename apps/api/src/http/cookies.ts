import type { CookieInfo } from '@authbench/contract';
import { parseCookie } from 'cookie';
import type { CookieOptions, Request, Response } from 'express';
import type { Config } from '../config';

/** One cookie of the request, or undefined (an empty value counts as none). */
export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  return header ? parseCookie(header)[name] || undefined : undefined;
}

export interface CredentialCookie {
  readonly name: string;
  /** What express-session (or res.cookie) is given: every attribute but the lifetime. */
  readonly options: CookieOptions;
  /** What GET /api/config reports of it, since script cannot read an HttpOnly cookie. */
  readonly info: CookieInfo;
  read(req: Request): string | undefined;
  set(res: Response, value: string, maxAgeMs: number): void;
  clear(res: Response): void;
}

/**
 * A cookie that carries a credential, with the attributes the deployment asks for, in one place:
 * HttpOnly always; Secure, SameSite and Partitioned (CHIPS) from the configuration, so that the
 * same cookie works same-origin, same-site or cross-site (SPEC §8). `sameSite` overrides the
 * configured one (the refresh cookie is Strict unless cross-site needs None).
 */
export function credentialCookie(
  config: Pick<Config, 'cookieSecure' | 'cookieSameSite' | 'cookiePartitioned'>,
  spec: { name: string; purpose: string; path: string; maxAgeSeconds: number; sameSite?: CookieInfo['sameSite'] },
): CredentialCookie {
  const sameSite = spec.sameSite ?? config.cookieSameSite;
  const options: CookieOptions = { httpOnly: true, secure: config.cookieSecure, sameSite, path: spec.path, partitioned: config.cookiePartitioned };
  return {
    name: spec.name,
    options,
    info: {
      name: spec.name,
      purpose: spec.purpose,
      httpOnly: true,
      secure: config.cookieSecure,
      sameSite,
      path: spec.path,
      maxAgeSeconds: spec.maxAgeSeconds,
      partitioned: config.cookiePartitioned,
    },
    read: (req) => readCookie(req, spec.name),
    set: (res, value, maxAgeMs) => void res.cookie(spec.name, value, { ...options, maxAge: Math.max(0, maxAgeMs) }),
    clear: (res) => void res.clearCookie(spec.name, options),
  };
}
