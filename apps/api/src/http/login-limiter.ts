import type { Request, RequestHandler, Response } from 'express';
import type { Config } from '../config';
import type { RateLimit, RateLimitStore } from '../storage/rate-limit-store';
import { AppError } from '../errors';
import { clientOf, rateLimited } from './rate-limited';

// How long an attempt waits for others in flight to settle before it is told to come back.
const maxWaitMs = 10_000;
// Outlives any attempt (the hash queue's line, the stores' timeouts), so that only an attempt
// whose process died loses its slot, and then only for this long.
const leaseMs = 60_000;

const emailOf = (body: unknown) =>
  typeof body === 'object' && body !== null && 'email' in body && typeof body.email === 'string'
    ? body.email.trim().toLowerCase().slice(0, 254)
    : '';

const isFailure = (err: unknown) => err instanceof AppError && err.code === 'invalid_credentials';

async function admit(store: RateLimitStore, limits: RateLimit[]): Promise<string> {
  const deadline = performance.now() + maxWaitMs;
  for (;;) {
    const admission = await store.admit(limits, leaseMs);
    if (admission.outcome === 'admitted') return admission.ticket;
    if (admission.outcome === 'limited') throw rateLimited(admission.retryAfterMs);
    const left = deadline - performance.now();
    if (left <= 0) {
      throw new AppError('service_unavailable', 'Too many logins in flight for this account. Try again shortly.', undefined, { 'Retry-After': '1' });
    }
    await store.settled(limits, left);
  }
}

/**
 * Wraps the login handler so that only failures count, per (email, client IP) and per client IP
 * (SPEC §4): unknown emails exactly as known ones, and whatever the password once a limit is
 * reached (429 with Retry-After).
 *
 * An attempt is let in only while failures plus attempts in flight stay below each limit, and
 * otherwise waits for those in flight to settle: however many arrive together, no more than the
 * limit can fail before the rest are refused, and a correct login is never refused for the
 * company it arrived in (a limiter that counts every request and gives successes back later
 * refuses some of a burst of correct logins). A failure is counted before its 401 leaves.
 */
export function loginLimiter(config: Config, store: RateLimitStore, handler: (req: Request, res: Response) => Promise<void>): RequestHandler {
  const windowMs = config.loginWindowSeconds * 1000;
  return async (req, res) => {
    const client = clientOf(req);
    const limits = [
      { key: `login:${emailOf(req.body)}|${client}`, max: config.loginMaxFailures, windowMs },
      { key: `login-ip:${client}`, max: config.loginMaxFailuresPerIp, windowMs },
    ];
    const ticket = await admit(store, limits);
    let failed = false;
    try {
      await handler(req, res);
    } catch (err) {
      failed = isFailure(err);
      // If the failure cannot be counted, its answer is a 503, not a 401 that went uncounted.
      if (failed) await store.settle(limits, ticket, true);
      throw err;
    } finally {
      // Anything but a failure gives its slot back; should that fail, the lease frees it.
      if (!failed) store.settle(limits, ticket, false).catch(() => undefined);
    }
  };
}
