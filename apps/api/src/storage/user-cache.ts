import { LruMap } from '../lru-map';
import type { RedisConnection } from './redis-client';
import type { UserRecord, UserStore } from './user-store';

/** Enough for every active user of a busy process: ~10,000 × ~400 bytes. */
const maxEntries = 10_000;

/**
 * Where user records are remembered between requests. `read` marks the start of a database read
 * whose answer `fill` may remember; `change` wraps every write, so that no fill from a read that
 * overlapped it can put the old record back.
 */
export interface UserCache {
  get(id: string): Promise<UserRecord | undefined>;
  read(): number;
  fill(user: UserRecord, readStartedAt: number): Promise<void>;
  change<T extends UserRecord | undefined>(id: string, write: () => Promise<T>): Promise<T>;
}

/**
 * GET /api/me reads its user on every request: remembered here, it costs no database round trip.
 * Only the lookup by id is cached; logins (by email) always ask the database.
 */
export function withUserCache(users: UserStore, cache: UserCache): UserStore {
  return {
    ...users,
    async findById(id) {
      const cached = await cache.get(id);
      if (cached) return cached;
      const startedAt = cache.read();
      const user = await users.findById(id);
      if (user) await cache.fill(user, startedAt);
      return user;
    },
    updateName: (id, name) => cache.change(id, () => users.updateName(id, name)),
  };
}

/**
 * For a database this process alone writes (PGlite in DATA_DIR): a change of a user can only
 * come through here, so memory is always current. A generation counter drops fills that raced a
 * change, as the session read cache does.
 */
export function createMemoryUserCache(): UserCache {
  const entries = new LruMap<string, UserRecord>(maxEntries);
  let generation = 0;
  return {
    get: (id) => Promise.resolve(entries.get(id)),
    read: () => generation,
    fill(user, readStartedAt) {
      if (readStartedAt === generation) entries.set(user.id, user);
      return Promise.resolve();
    },
    async change(id, write) {
      generation += 1;
      entries.delete(id);
      try {
        const user = await write();
        if (user) entries.set(id, user);
        return user;
      } finally {
        generation += 1;
      }
    },
  };
}

const ttlSeconds = 600;

/**
 * For API processes that share their stores: user records in Redis, read through the client's
 * RESP3 client-side cache (CLIENT TRACKING), so a hit is local, and a change written through any
 * process invalidates every other's copy within milliseconds, pushed by Redis itself. While the
 * connection is down node-redis empties that cache and reads fail over to the database: no stale
 * answer is ever used. A fill never overwrites (SET NX), so a read that raced a change cannot put
 * the old record back; a change clears the record before the database write and sets it after.
 */
export function createRedisUserCache(redis: RedisConnection, keyPrefix: string): UserCache {
  const key = (id: string) => `${keyPrefix}user:${id}`;
  const parse = (raw: string | null): UserRecord | undefined => (raw === null ? undefined : (JSON.parse(raw) as UserRecord));
  return {
    async get(id) {
      try {
        return parse(await redis.read((client) => client.get(key(id))));
      } catch {
        return undefined; // Redis is down: the database answers
      }
    },
    read: () => 0,
    async fill(user) {
      await redis.run((client) => client.set(key(user.id), JSON.stringify(user), { condition: 'NX', expiration: { type: 'EX', value: ttlSeconds } })).catch(() => undefined);
    },
    async change(id, write) {
      // Cleared first: if this fails the write does not happen (503), so no copy goes stale.
      await redis.run((client) => client.del(key(id)));
      const user = await write();
      if (user) {
        await redis
          .run((client) => client.set(key(id), JSON.stringify(user), { expiration: { type: 'EX', value: ttlSeconds } }))
          .catch(() => undefined); // absent, the record is read from the database again
      }
      return user;
    },
  };
}
