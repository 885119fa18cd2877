import type { RedisConnection } from './redis-client';
import type { RevocationList } from './revocation-list';

/** The revocation list shared by every API process: one key per family, gone when its access tokens are. */
export function createRedisRevocationList(redis: RedisConnection, keyPrefix: string, now: () => number): RevocationList {
  const key = (familyId: string) => `${keyPrefix}revoked:${familyId}`;
  return {
    revoke: (familyIds, untilMs) =>
      redis.run(async (client) => {
        const ttl = Math.ceil(untilMs - now());
        if (familyIds.length === 0 || ttl <= 0) return;
        const transaction = client.multi();
        for (const id of familyIds) transaction.set(key(id), '1', { expiration: { type: 'PX', value: ttl } });
        await transaction.exec();
      }),
    isRevoked: (familyId) => redis.read(async (client) => (await client.exists(key(familyId))) === 1),
  };
}
