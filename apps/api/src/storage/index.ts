import { openSqlStorage } from './embedded-storage';
import { openRedisStores } from './redis-storage';
import type { Storage, StorageOptions } from './storage';

/**
 * Which store keeps what (SPEC §3), decided here and nowhere else:
 *
 *   concern                              without REDIS_URL                  with REDIS_URL
 *   users, refresh-token families        SQL: PGlite in DATA_DIR, or PostgreSQL at DATABASE_URL
 *   sessions                             SQL                                Redis
 *   login rate limits, revocation list   process memory                     Redis
 *
 * The SQL stores are the base; Redis, when configured, takes over the concerns that every API
 * process must share at request speed. Routes and strategies see one Storage either way.
 */
export async function openStorage(options: StorageOptions): Promise<Storage> {
  const namespace = options.namespace ?? options.config.storeNamespace;
  const sql = await openSqlStorage({ ...options, ...(namespace && { namespace }) });
  const { redisUrl } = options.config;
  if (!redisUrl) return sql;

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
    sessions: redis.sessions,
    revocations: redis.revocations,
    createRateLimitStore: redis.createRateLimitStore,
    checks: { ...sql.checks, ...redis.checks },
    async close() {
      const failed = (await Promise.allSettled(closeBoth.map((close) => close()))).find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}
