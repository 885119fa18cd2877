import type { Request } from 'express';
import type { Config } from '../config';
import type { RateLimitStore } from '../storage/rate-limit-store';
import { clientOf, rateLimited } from './rate-limited';

/**
 * Counts a registration per client IP (REGISTER_MAX_PER_IP per hour), every valid attempt
 * whether its email is taken or not, so that probing for accounts is bounded as much as
 * creating them: 429 with Retry-After beyond the limit.
 */
export async function limitRegistrations(req: Request, config: Config, store: RateLimitStore): Promise<void> {
  const { count, resetInMs } = await store.hit(`register:${clientOf(req)}`, config.registerWindowSeconds * 1000);
  if (count > config.registerMaxPerIp) throw rateLimited(resetInMs);
}
