import type { ProofReplayStore } from './proof-replays';
import type { RedisConnection } from './redis-client';

/** The record every API process on one Redis shares: one key per proof, gone when the proof could no longer pass. */
export function createRedisProofReplayStore(redis: RedisConnection, keyPrefix: string, now: () => number): ProofReplayStore {
  return {
    claim: (key, untilMs) =>
      redis.run(async (client) => {
        const ttl = Math.max(1, Math.ceil(untilMs - now()));
        return (await client.set(`${keyPrefix}dpop-jti:${key}`, '1', { condition: 'NX', expiration: { type: 'PX', value: ttl } })) === 'OK';
      }),
  };
}
