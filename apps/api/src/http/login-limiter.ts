import { ipKeyGenerator, rateLimit, type Store } from 'express-rate-limit';
import type { Config } from '../config';
import { AppError } from './app-error';

const emailOf = (body: unknown) =>
  typeof body === 'object' && body !== null && 'email' in body && typeof body.email === 'string'
    ? body.email.trim().toLowerCase().slice(0, 254)
    : '';

/**
 * Failed logins per (email, client IP) in a window; unknown emails count exactly as known ones.
 * Only a 401 is a failure: a success, a 400 or the 429 itself gives its count back.
 */
export function loginLimiter(config: Config, store: Store) {
  return rateLimit({
    windowMs: config.loginWindowSeconds * 1000,
    limit: config.loginMaxFailures,
    store,
    standardHeaders: false,
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    keyGenerator: (req) => `${emailOf(req.body)}|${ipKeyGenerator(req.ip ?? '')}`,
    handler: (req, _res, next) => {
      const resetTime = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const seconds = resetTime ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : config.loginWindowSeconds;
      next(new AppError('rate_limited', undefined, undefined, { 'Retry-After': String(seconds) }));
    },
  });
}
