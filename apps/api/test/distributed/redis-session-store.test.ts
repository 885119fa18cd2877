import session, { type SessionData } from 'express-session';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, type RedisConnection } from '../../src/storage/redis-client';
import { RedisSessionStore } from '../../src/storage/redis-session-store';
import { publicSessionId, touchIntervalMs } from '../../src/storage/session-store';
import { dropNamespaces, newNamespace, sharedStores } from '../support/namespaces';
import { createClock } from '../support/test-app';

const idleSeconds = 30 * 60;
const minute = 60_000;

/** The Redis session store's own rules, checked against the keys it writes. */
describe('the Redis session store', () => {
  const stores = sharedStores();
  const namespace = newNamespace();
  const clock = createClock();
  const redis = createClient({ url: stores.redisUrl });
  let connection: RedisConnection;
  let sessions: RedisSessionStore;

  beforeAll(async () => {
    await redis.connect();
    connection = await connectRedis(stores.redisUrl);
    sessions = new RedisSessionStore(connection, { idleSeconds, now: clock.now }, `${namespace}:`);
  });
  afterAll(async () => {
    await connection.close();
    redis.destroy();
    await dropNamespaces(stores, [namespace]);
  });

  // Without a callback, the store's methods return a promise (and reject on failure).
  const get = (sid: string) =>
    new Promise<SessionData | null>((resolve, reject) => {
      void sessions.get(sid, (err, value) => {
        if (err) reject(err instanceof Error ? err : new Error('the store failed', { cause: err }));
        else resolve(value ?? null);
      });
    });
  const sessionOf = (extra: Partial<SessionData>): SessionData => Object.assign({ cookie: new session.Cookie() }, extra);
  const login = (userId: string, extra: Partial<SessionData> = {}) => {
    const at = clock.now();
    return sessionOf({ userId, createdAt: at, lastSeenAt: at, absoluteExpiresAt: at + 12 * 60 * minute, ...extra });
  };
  const index = (userId: string) => `${namespace}:user-sessions:${userId}`;
  const key = (sid: string) => `${namespace}:sess:${sid}`;
  let n = 0;
  const ids = () => ({ userId: `user-${++n}`, sid: `sid-${n}-${Math.random().toString(36).slice(2)}` });

  it('indexes a login under its user, scored by its expiry, in the same write', async () => {
    const { userId, sid } = ids();
    await sessions.set(sid, login(userId));
    expect(await redis.zScore(index(userId), sid)).toBe(clock.now() + idleSeconds * 1000);
    expect(await redis.pTTL(key(sid))).toBeGreaterThan(idleSeconds * 1000 - 5000);
    expect(await redis.pTTL(index(userId))).toBeGreaterThan(idleSeconds * 1000 - 5000);
    const listed = await sessions.listByUser(userId);
    expect(listed.map((s) => s.publicId)).toEqual([publicSessionId(sid)]);
  });

  it('keeps anonymous sessions (a CSRF token before login) out of every index', async () => {
    const { sid } = ids();
    const indexes = async () => (await redis.keys(`${namespace}:user-sessions:*`)).sort();
    const before = await indexes();
    await sessions.set(sid, sessionOf({ csrfToken: 'x' }));
    expect(await redis.exists(key(sid))).toBe(1);
    expect(await indexes()).toEqual(before);
  });

  it('touches lazily, and a touch moves the expiry in the session and the index together', async () => {
    const { userId, sid } = ids();
    const data = login(userId);
    await sessions.set(sid, data);
    const first = await redis.zScore(index(userId), sid);
    clock.advance(touchIntervalMs(idleSeconds) / 2);
    await sessions.touch(sid, data);
    expect(await redis.zScore(index(userId), sid)).toBe(first);
    clock.advance(touchIntervalMs(idleSeconds));
    await sessions.touch(sid, data);
    expect(await redis.zScore(index(userId), sid)).toBe(clock.now() + idleSeconds * 1000);
    const stored = await get(sid);
    expect(stored?.lastSeenAt).toBe(clock.now());
  });

  it('never brings back a destroyed session with a touch', async () => {
    const { userId, sid } = ids();
    const data = login(userId, { lastSeenAt: clock.now() - 10 * minute });
    await sessions.set(sid, data);
    await sessions.destroy(sid);
    expect(await redis.zScore(index(userId), sid)).toBeNull();
    await sessions.touch(sid, { ...data, lastSeenAt: clock.now() - 10 * minute });
    expect(await redis.exists(key(sid))).toBe(0);
    expect(await redis.zScore(index(userId), sid)).toBeNull();
    expect(await get(sid)).toBeNull();
  });

  it('expires at min(last seen + idle, absolute expiry), on the API’s clock', async () => {
    const { userId, sid } = ids();
    await sessions.set(sid, login(userId, { absoluteExpiresAt: clock.now() + 10 * minute }));
    expect(await redis.zScore(index(userId), sid)).toBe(clock.now() + 10 * minute);
    clock.advance(10 * minute);
    expect(await get(sid)).toBeNull();
    expect(await sessions.listByUser(userId)).toEqual([]);
    // Listing pruned the expired entry from the index.
    expect(await redis.zScore(index(userId), sid)).toBeNull();
  });

  it('ends the chosen sessions of a user, or all of them, and nobody else’s', async () => {
    const { userId } = ids();
    const other = ids();
    const mine = [ids().sid, ids().sid, ids().sid];
    for (const sid of mine) await sessions.set(sid, login(userId));
    await sessions.set(other.sid, login(other.userId));

    expect(await sessions.destroyByUser(userId, [publicSessionId(other.sid)])).toBe(0);
    expect(await sessions.destroyByUser(userId, [publicSessionId(mine[0]!)])).toBe(1);
    expect((await sessions.listByUser(userId)).map((s) => s.publicId).sort()).toEqual(mine.slice(1).map(publicSessionId).sort());
    expect(await sessions.destroyByUser(userId)).toBe(2);
    expect(await sessions.listByUser(userId)).toEqual([]);
    // An empty index is no key at all; the other user's session is untouched.
    expect(await redis.exists(index(userId))).toBe(0);
    expect(await redis.exists(key(other.sid))).toBe(1);
  });

  it('lets the index live exactly as long as its longest-lived session', async () => {
    const { userId, sid } = ids();
    const short = ids().sid;
    await sessions.set(sid, login(userId));
    await sessions.set(short, login(userId, { absoluteExpiresAt: clock.now() + minute }));
    const ttl = await redis.pTTL(index(userId));
    expect(ttl).toBeGreaterThan(idleSeconds * 1000 - 5000);
    expect(ttl).toBeLessThanOrEqual(idleSeconds * 1000);
  });
});
