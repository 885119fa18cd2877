import type { User } from '@authbench/contract';
import { LruMap } from '../lru-map';
import type { RedisConnection } from './redis-client';
import { defineRedisScript } from './redis-scripts';
import { toUser, type UserStore, type VersionedUser } from './user-store';

/** Enough for every active user of a busy process: ~10,000 × ~200 bytes. */
const maxEntries = 10_000;

/**
 * Where users read by id are remembered between requests: only what those reads answer (the
 * public fields, never the password hash, which only a login reads, by email, from the database).
 * `read` marks the start of a database read whose answer `fill` may remember; `change` wraps every
 * write, so that neither a fill from a read that overlapped it nor an older write can leave its
 * user behind in the cache.
 */
export interface UserCache {
  get(id: string): Promise<VersionedUser | undefined>;
  read(): number;
  fill(entry: VersionedUser, readStartedAt: number): Promise<void>;
  change(id: string, write: () => Promise<VersionedUser | undefined>): Promise<VersionedUser | undefined>;
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
      const found = await users.findById(id);
      if (found) await cache.fill(found, startedAt);
      return found;
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
  const entries = new LruMap<string, VersionedUser>(maxEntries);
  let generation = 0;
  return {
    get: (id) => Promise.resolve(entries.get(id)),
    read: () => generation,
    fill(entry, readStartedAt) {
      if (readStartedAt === generation) entries.set(entry.user.id, entry);
      return Promise.resolve();
    },
    async change(id, write) {
      generation += 1;
      entries.delete(id);
      try {
        const written = await write();
        if (written) entries.set(id, written);
        return written;
      } finally {
        generation += 1;
      }
    },
  };
}

const ttlSeconds = 600;

/**
 * Stores a user unless the cache already holds the same or a later version of it, in one step:
 * of two writers (or a reader and a writer) racing to the cache, the later database write wins
 * whichever reaches Redis last. KEYS[1] the user; ARGV: version, entry (JSON), time to live (s).
 */
const putIfNewer = defineRedisScript(`
local current = redis.call('GET', KEYS[1])
if current then
  local ok, stored = pcall(cjson.decode, current)
  if ok and type(stored) == 'table' and tonumber(stored.version) and tonumber(stored.version) >= tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1
`);

/** What a cached entry must hold to be used: anything else (an older format) is a miss. */
const isEntry = (value: unknown): value is VersionedUser => {
  if (typeof value !== 'object' || value === null) return false;
  const { user, version } = value as Partial<VersionedUser>;
  return typeof version === 'number' && typeof user === 'object' && typeof (user as Partial<User> | null)?.id === 'string';
};

/**
 * For API processes that share their stores: users in Redis, read through the client's RESP3
 * client-side cache (CLIENT TRACKING), so a hit is local, and a change written through any process
 * invalidates every other's copy within milliseconds, pushed by Redis itself. While the connection
 * is down node-redis empties that cache and reads fail over to the database: no stale answer is
 * ever used. Entries carry their row's version and are only ever replaced by a later one
 * (putIfNewer), so neither a late fill nor a late write puts an older user back; a change clears
 * the entry before the database write, so that a write Redis cannot hear about does not happen.
 */
export function createRedisUserCache(redis: RedisConnection, keyPrefix: string): UserCache {
  // `profile:`, not the `user:` of the entries that held whole records (hash included): those are
  // never read again, and expire.
  const key = (id: string) => `${keyPrefix}profile:${id}`;
  const parse = (raw: string | null): VersionedUser | undefined => {
    if (raw === null) return undefined;
    try {
      const value: unknown = JSON.parse(raw);
      return isEntry(value) ? value : undefined;
    } catch {
      return undefined;
    }
  };
  const put = ({ user, version }: VersionedUser) =>
    redis
      .run((client) => putIfNewer.run(client, [key(user.id)], [String(version), JSON.stringify({ version, user: toUser(user) }), String(ttlSeconds)]))
      .catch(() => undefined); // absent, the user is read from the database again
  return {
    async get(id) {
      try {
        return parse(await redis.read((client) => client.get(key(id))));
      } catch {
        return undefined; // Redis is down: the database answers
      }
    },
    read: () => 0,
    async fill(entry) {
      await put(entry);
    },
    async change(id, write) {
      // Cleared first: if this fails the write does not happen (503), so no copy goes stale.
      await redis.run((client) => client.del(key(id)));
      const written = await write();
      if (written) await put(written);
      return written;
    },
  };
}
