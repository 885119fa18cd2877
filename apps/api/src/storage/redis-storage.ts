import type { Logger } from 'pino';
import { connectRedis } from './redis-client';
import { createRedisProofReplayStore } from './redis-proof-replays';
import { createRedisRateLimitStore } from './redis-rate-limit-store';
import { createRedisRevocationList } from './redis-revocation-list';
import { RedisSessionStore } from './redis-session-store';
import type { Storage } from './storage';
import { createRedisUserCache, type UserCache } from './user-cache';

export type RedisStores = Pick<Storage, 'sessions' | 'revocations' | 'proofReplays' | 'rateLimits' | 'checks' | 'close'> & { userCache: UserCache };

/**
 * What every API process must share beyond the database, in Redis: sessions (with a per-user
 * index), login rate-limit counters, the access-token revocation list, the DPoP proofs seen, and a cache of users. Every key starts with
 * `keyPrefix` (the namespace), so tests and deployments can share one server.
 */
export async function openRedisStores(options: {
  url: string;
  keyPrefix: string;
  idleSeconds: number;
  now: () => number;
  logger?: Logger | undefined;
}): Promise<RedisStores> {
  const { keyPrefix, now } = options;
  const redis = await connectRedis(options.url, options.logger);
  return {
    sessions: new RedisSessionStore(redis, { idleSeconds: options.idleSeconds, now }, keyPrefix),
    revocations: createRedisRevocationList(redis, keyPrefix, now),
    proofReplays: createRedisProofReplayStore(redis, keyPrefix, now),
    rateLimits: createRedisRateLimitStore(redis, `${keyPrefix}rate-limit:`),
    userCache: createRedisUserCache(redis, keyPrefix),
    checks: {
      redis: async () => {
        await redis.run((client) => client.ping());
      },
    },
    close: () => redis.close(),
  };
}
