import { rm } from 'node:fs/promises';
import session, { type SessionData } from 'express-session';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../src/storage/database';
import { SessionReadCache } from '../src/storage/session-read-cache';
import { publicSessionId, SqlSessionStore } from '../src/storage/session-store';
import { createClock, createDataDir } from './support/test-app';

const idleSeconds = 600;
const sessionOf = (userId: string): SessionData =>
  ({ cookie: new session.Cookie(), userId, csrfToken: `csrf-${userId}`, createdAt: 1 });

describe('the embedded session store with its read cache', () => {
  let db: Db;
  let clock: ReturnType<typeof createClock>;
  let cache: SessionReadCache;
  let store: SqlSessionStore;
  let sid = 0;
  const nextSid = () => `sid-${String(++sid)}`;

  /** express-session's callback style, as a promise. */
  const call = <T>(work: (callback: (err?: unknown, value?: T) => void) => void) =>
    new Promise<T | undefined>((resolve, reject) => {
      work((err, value) => (err ? reject(err instanceof Error ? err : new Error('store callback failed', { cause: err })) : resolve(value)));
    });
  const get = (id: string) => call<SessionData | null>((done) => store.get(id, done));
  const set = (id: string, data: SessionData, through: SqlSessionStore = store) => call((done) => through.set(id, data, done));
  const destroy = (id: string) => call((done) => store.destroy(id, done));
  const touch = (id: string, data: SessionData) => call((done) => store.touch(id, data, done));
  /** Writes through a store without a cache, as if the row had been there before this process. */
  const setUncached = (id: string, data: SessionData) => set(id, data, new SqlSessionStore(db, { idleSeconds, now: clock.now }));
  /** Removes a row behind the store's back: only a read from the table can then still see it. */
  const deleteRow = (id: string) => db.deleteFrom('sessions').where('sid', '=', id).execute();

  let dataDir: string;
  beforeAll(async () => {
    dataDir = await createDataDir();
    db = await openDatabase({ dataDir });
  });
  afterAll(async () => {
    await db.destroy();
    await rm(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    clock = createClock();
    cache = new SessionReadCache(clock.now, 3);
    store = new SqlSessionStore(db, { idleSeconds, now: clock.now }, cache);
  });

  it('answers a session it wrote from memory, as a fresh copy each time', async () => {
    const id = nextSid();
    await set(id, sessionOf('u1'));
    await deleteRow(id);
    const first = await get(id);
    expect(first).toMatchObject({ userId: 'u1', csrfToken: 'csrf-u1' });
    (first as SessionData & { userId: string }).userId = 'mutated';
    expect(await get(id)).toMatchObject({ userId: 'u1' });
  });

  it('fills itself from a read of the table', async () => {
    const id = nextSid();
    await setUncached(id, sessionOf('u2'));
    expect(await get(id)).toMatchObject({ userId: 'u2' });
    await deleteRow(id);
    expect(await get(id)).toMatchObject({ userId: 'u2' });
  });

  it('forgets a destroyed session, and a late touch does not bring it back', async () => {
    const id = nextSid();
    const data = sessionOf('u3');
    await set(id, data);
    await destroy(id);
    expect(await get(id)).toBeNull();
    clock.advance(120_000);
    await touch(id, { ...data, lastSeenAt: 0 });
    expect(await get(id)).toBeNull();
  });

  it('drops the answer of a read that a destroy overlapped', async () => {
    const id = nextSid();
    await setUncached(id, sessionOf('u4'));
    const [read] = await Promise.all([get(id), destroy(id)]);
    expect(read === null || read?.userId === 'u4').toBe(true);
    expect(cache.get(id)).toBeUndefined();
    expect(await get(id)).toBeNull();
  });

  it('forgets the sessions a user loses, and only those', async () => {
    const [a, b, c] = [nextSid(), nextSid(), nextSid()];
    await set(a, sessionOf('u5'));
    await set(b, sessionOf('u5'));
    await set(c, sessionOf('u6'));
    expect(await store.destroyByUser('u5', [publicSessionId(a)])).toBe(1);
    expect(await get(a)).toBeNull();
    expect(await get(b)).toMatchObject({ userId: 'u5' });
    expect(await store.destroyByUser('u5')).toBe(1);
    expect(await get(b)).toBeNull();
    expect(await get(c)).toMatchObject({ userId: 'u6' });
  });

  it('stops answering a session at its expiry, as the table does', async () => {
    const id = nextSid();
    await set(id, sessionOf('u7'));
    clock.advance(idleSeconds * 1000 - 1);
    expect(await get(id)).toMatchObject({ userId: 'u7' });
    clock.advance(1);
    expect(cache.get(id)).toBeUndefined();
    expect(await get(id)).toBeNull();
  });

  it('keeps at most its bound, dropping the least recently used', async () => {
    const ids = [nextSid(), nextSid(), nextSid(), nextSid()];
    for (const id of ids.slice(0, 3)) await set(id, sessionOf(id));
    expect(cache.get(ids[0]!)).toBeDefined();
    await set(ids[3]!, sessionOf(ids[3]!));
    expect(cache.size).toBe(3);
    expect(cache.get(ids[1]!)).toBeUndefined();
    expect(cache.get(ids[0]!)).toBeDefined();
  });
});
