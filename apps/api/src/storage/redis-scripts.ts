import { createHash } from 'node:crypto';
import { ErrorReply } from 'redis';
import type { RedisClient } from './redis-client';

export interface RedisScript {
  run(client: RedisClient, keys: string[], args: string[]): Promise<unknown>;
}

/** A Lua script sent once by its SHA1, and in full again whenever the server has forgotten it (a restart). */
export function defineRedisScript(source: string): RedisScript {
  const sha = createHash('sha1').update(source).digest('hex');
  return {
    async run(client, keys, args) {
      try {
        return await client.evalSha(sha, { keys, arguments: args });
      } catch (err) {
        if (!(err instanceof ErrorReply && err.message.startsWith('NOSCRIPT'))) throw err;
        return client.eval(source, { keys, arguments: args });
      }
    },
  };
}
