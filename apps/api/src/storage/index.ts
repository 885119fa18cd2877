import { openSqlStorage } from './embedded-storage';
import { openRedisStores } from './redis-storage';
import type { Storage, StorageOptions } from './storage';
import { createMemoryUserCache, withUserCache } from './user-cache';

/**
 * Which store keeps what (SPEC §3), decided here and nowhere else:
 *
 *   concern                              without REDIS_URL                  with REDIS_URL
 *   users, refresh-token families        SQL: PGlite in DATA_DIR, or PostgreSQL at DATABASE_URL
 *   sessions                             SQL                                Redis
 *   login rate limits, revocation list,  process memory                     Redis
 *   DPoP proofs seen (jti)
 *   cache of users (GET /api/me)         memory on PGlite; none on          Redis, read through the
 *                                        PostgreSQL (other processes        client-side cache
 *                                        write it, unseen)
 *
 * The SQL stores are the base; Redis, when configured, takes over the concerns that every API
 * process must share at request speed. Routes and strategies see one Storage either way.
 */
export async function openStorage(options: StorageOptions): Promise<Storage> {
  const namespace = options.namespace ?? options.config.storeNamespace;
  const sql = await openSqlStorage({ ...options, ...(namespace && { namespace }) });
  const { redisUrl, databaseUrl } = options.config;
  if (!redisUrl) return databaseUrl ? sql : { ...sql, users: withUserCache(sql.users, createMemoryUserCache()) };

  let redis;
  try {
    redis = await openRedisStores({
      url: redisUrl,
      keyPrefix: `${namespace ?? 'authbench'}:`,
      idleSeconds: options.config.sessionIdleSeconds,
      now: options.now,
      logger: options.logger,
    });
  } catch (err) {
    await sql.close();
    throw err;
  }
  const closeBoth = [redis.close, sql.close];
  return {
    ...sql,
    users: withUserCache(sql.users, redis.userCache),
    sessions: redis.sessions,
    revocations: redis.revocations,
    proofReplays: redis.proofReplays,
    rateLimits: redis.rateLimits,
    checks: { ...sql.checks, ...redis.checks },
    async close() {
      const failed = (await Promise.allSettled(closeBoth.map((close) => close()))).find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}
