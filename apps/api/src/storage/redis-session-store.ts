import { RedisStore } from 'connect-redis';
import type { SessionData } from 'express-session';
import type { RedisClient, RedisConnection } from './redis-client';
import { defineRedisScript } from './redis-scripts';
import { expiryOf, maxSessionsPerUser, publicSessionId, touchIntervalMs, type SessionTimeouts, type StoredSession, type UserSessionIndex } from './session-store';

type Callback<T = unknown> = (err?: unknown, value?: T) => void;

/**
 * Writes a session and, for a logged-in one, its entry in the user's index, atomically.
 * KEYS[1] the session; KEYS[2] the user's index (a sorted set of session ids scored by expiry).
 * ARGV: data, time to live (ms), '1' to update only (a touch), session id, expiry (ms), now (ms).
 * The index is pruned of expired entries and lives exactly as long as its longest-lived session.
 */
const writeSession = defineRedisScript(`
if ARGV[3] == '1' and redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if KEYS[2] then
  redis.call('ZADD', KEYS[2], ARGV[5], ARGV[4])
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[6])
  local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
  if last[2] then
    redis.call('PEXPIRE', KEYS[2], math.max(1, math.ceil(tonumber(last[2]) - tonumber(ARGV[6]))))
  else
    redis.call('DEL', KEYS[2])
  end
end
return 1
`);

const settle = <T>(promise: Promise<T>, callback?: Callback<T>): Promise<void> =>
  promise.then(
    (value) => callback?.(undefined, value),
    (err: unknown) => {
      if (!callback) throw err;
      callback(err);
    },
  );

const parse = (raw: string | null): SessionData | undefined => {
  if (raw === null) return undefined;
  try {
    return JSON.parse(raw) as SessionData;
  } catch {
    return undefined;
  }
};

/**
 * express-session's store in Redis: connect-redis, plus what the API needs beyond it. Each
 * logged-in user has an index of their session ids (a sorted set scored by expiry) written in the
 * same script as the session, so listing a user's sessions and "log out everywhere" need no key
 * scan and never miss a session. Expiry follows SqlSessionStore's rule: min(last seen + idle,
 * absolute expiry), touched lazily; a touch never brings back a destroyed session.
 */
export class RedisSessionStore extends RedisStore implements UserSessionIndex {
  private readonly indexPrefix: string;

  constructor(
    private readonly redis: RedisConnection,
    private readonly timeouts: SessionTimeouts,
    keyPrefix: string,
  ) {
    super({ client: redis.client, prefix: `${keyPrefix}sess:` });
    this.indexPrefix = `${keyPrefix}user-sessions:`;
  }

  private key = (sid: string) => `${this.prefix}${sid}`;
  private indexKey = (userId: string) => `${this.indexPrefix}${userId}`;
  private isLive = (data: SessionData, now: number) => expiryOf(data, data.lastSeenAt ?? now, this.timeouts.idleSeconds) > now;

  override get(sid: string, callback?: Callback<SessionData | null>) {
    const now = this.timeouts.now();
    return settle(
      this.redis.read(async (client) => {
        const data = parse(await client.get(this.key(sid)));
        // Redis expires keys on its own clock; this check keeps to the API's (tests move it).
        return data && this.isLive(data, now) ? data : null;
      }),
      callback,
    );
  }

  override set(sid: string, data: SessionData, callback?: Callback) {
    return settle(this.write(sid, { ...data, lastSeenAt: this.timeouts.now() }, 'upsert'), callback);
  }

  override touch(sid: string, data: SessionData, callback?: Callback) {
    const now = this.timeouts.now();
    if (now - (data.lastSeenAt ?? 0) < touchIntervalMs(this.timeouts.idleSeconds)) {
      callback?.();
      return Promise.resolve();
    }
    return settle(this.write(sid, { ...data, lastSeenAt: now }, 'update'), callback);
  }

  override destroy(sid: string, callback?: Callback) {
    return settle(this.remove(sid), callback);
  }

  override clear(callback?: Callback) {
    return settle(
      this.redis.run(async (client) => {
        for (const prefix of [this.prefix, this.indexPrefix]) {
          for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
            if (keys.length > 0) await client.unlink(keys);
          }
        }
      }),
      callback,
    );
  }

  listByUser(userId: string): Promise<StoredSession[]> {
    const now = this.timeouts.now();
    return this.redis.run(async (client) => {
      const live = await this.liveEntries(client, userId, now);
      return live.filter(({ data }) => this.isLive(data, now)).map(({ sid, data }) => ({ publicId: publicSessionId(sid), data }));
    });
  }

  destroyByUser(userId: string, publicIds?: string[]): Promise<number> {
    const now = this.timeouts.now();
    return this.redis.run(async (client) => {
      if (publicIds?.length === 0) return 0;
      const wanted = publicIds && new Set(publicIds);
      const targets = (await this.liveEntries(client, userId, now)).filter(({ sid }) => !wanted || wanted.has(publicSessionId(sid)));
      if (targets.length === 0) return 0;
      const sids = targets.map(({ sid }) => sid);
      const [deleted] = await client
        .multi()
        .del(sids.map(this.key))
        .zRem(this.indexKey(userId), sids)
        .exec();
      return Number(deleted);
    });
  }

  limitPerUser(userId: string): Promise<void> {
    return this.redis.run(async (client) => {
      const index = this.indexKey(userId);
      // Scored by expiry: the lowest scores are the sessions closest to their end.
      const excess = await client.zRange(index, 0, -(maxSessionsPerUser + 1));
      if (excess.length === 0) return;
      await client.multi().del(excess.map(this.key)).zRem(index, excess).exec();
    });
  }

  /** The user's indexed sessions that still exist and still belong to the user; prunes the rest. */
  private async liveEntries(client: RedisClient, userId: string, now: number): Promise<{ sid: string; data: SessionData }[]> {
    const index = this.indexKey(userId);
    const [, members] = await client.multi().zRemRangeByScore(index, '-inf', now).zRange(index, 0, -1).exec();
    const sids = (members ?? []) as unknown as string[];
    if (sids.length === 0) return [];
    const values = await client.mGet(sids.map(this.key));
    const live: { sid: string; data: SessionData }[] = [];
    const gone: string[] = [];
    sids.forEach((sid, i) => {
      const data = parse(values[i] ?? null);
      if (data?.userId === userId) live.push({ sid, data });
      else gone.push(sid);
    });
    // Expired by Redis before the index was pruned: tidy up, nothing depends on it.
    if (gone.length > 0) await client.zRem(index, gone);
    return live;
  }

  private write(sid: string, data: SessionData, how: 'upsert' | 'update') {
    const now = this.timeouts.now();
    const expiresAt = expiryOf(data, data.lastSeenAt ?? now, this.timeouts.idleSeconds);
    if (expiresAt <= now) return how === 'upsert' ? this.remove(sid) : Promise.resolve();
    const keys = [this.key(sid), ...(data.userId ? [this.indexKey(data.userId)] : [])];
    const args = [JSON.stringify(data), String(Math.ceil(expiresAt - now)), how === 'update' ? '1' : '0', sid, String(expiresAt), String(now)];
    return this.redis.run(async (client) => {
      await writeSession.run(client, keys, args);
    });
  }

  private remove(sid: string) {
    return this.redis.run(async (client) => {
      const data = parse(await client.get(this.key(sid)));
      const transaction = client.multi().del(this.key(sid));
      if (data?.userId) transaction.zRem(this.indexKey(data.userId), sid);
      await transaction.exec();
    });
  }
}
