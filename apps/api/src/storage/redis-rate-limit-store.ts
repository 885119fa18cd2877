import type { ClientRateLimitInfo, IncrementResponse } from 'express-rate-limit';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { RedisConnection } from './redis-client';

const ignore = () => undefined;

/**
 * rate-limit-redis's counters, through the shared connection's timeouts and 503s. rate-limit-redis
 * keeps the promise of its scripts' SHA: loaded while Redis was down, that promise stays rejected
 * for good. After a failure this store loads the scripts again before its next use, so it heals
 * as soon as Redis is back.
 */
class ResilientRedisStore extends RedisStore {
  private failed = false;

  override async increment(key: string): Promise<IncrementResponse> {
    return this.healing(() => super.increment(key));
  }

  override async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    return this.healing(() => super.get(key));
  }

  private async healing<T>(work: () => Promise<T>): Promise<T> {
    if (this.failed) {
      this.failed = false;
      this.incrementScriptSha = this.loadIncrementScript();
      this.getScriptSha = this.loadGetScript();
      // Awaited by `work` when it needs them; a failure here fails `work`, which marks us again.
      this.incrementScriptSha.catch(ignore);
      this.getScriptSha.catch(ignore);
    }
    try {
      return await work();
    } catch (err) {
      this.failed = true;
      throw err;
    }
  }
}

export function createRedisRateLimitStore(redis: RedisConnection, prefix: string) {
  return new ResilientRedisStore({
    prefix,
    sendCommand: (...args: string[]) => redis.run((client) => client.sendCommand<RedisReply>(args)),
  });
}
