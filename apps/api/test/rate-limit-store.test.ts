import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryRateLimitStore, type RateLimit, type RateLimitStore } from '../src/storage/rate-limit-store';
import { connectRedis, type RedisConnection } from '../src/storage/redis-client';
import { createRedisRateLimitStore } from '../src/storage/redis-rate-limit-store';
import { dropNamespaces, newNamespace, sharedStores } from './support/namespaces';
import { createClock, storageSetup } from './support/test-app';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
let keys = 0;
const limitOf = (max: number, windowMs = 60_000): RateLimit => ({ key: `test-${process.pid}-${++keys}`, max, windowMs });

interface Setup {
  store: RateLimitStore;
  /** Lets `ms` pass for the store: the test clock in memory, real time on Redis (which keeps its own). */
  pass: (ms: number) => Promise<void>;
}

const memory = (): Setup => {
  const clock = createClock();
  return {
    store: createMemoryRateLimitStore(clock.now),
    pass: (ms) => {
      clock.advance(ms);
      return Promise.resolve();
    },
  };
};

const connections: RedisConnection[] = [];
const namespaces: string[] = [];
afterAll(async () => {
  await Promise.all(connections.map((c) => c.close()));
  if (namespaces.length > 0) await dropNamespaces(sharedStores(), namespaces);
});

const redis = async (): Promise<Setup> => {
  const connection = await connectRedis(sharedStores().redisUrl);
  connections.push(connection);
  const namespace = newNamespace();
  namespaces.push(namespace);
  return { store: createRedisRateLimitStore(connection, `${namespace}:rate-limit:`), pass: sleep };
};

// The memory store always; the Redis one in the distributed run, where REDIS_URL is set.
const setups: [string, () => Promise<Setup>][] = [['process memory', () => Promise.resolve(memory())]];
if (storageSetup === 'distributed') setups.push(['Redis', redis]);

describe.each(setups)('the rate-limit store in %s', (_name, open) => {
  it('admits attempts while failures plus attempts in flight stay below max, and frees a slot on settling', async () => {
    const { store } = await open();
    const limit = limitOf(2);
    const first = await store.admit([limit], 60_000);
    const second = await store.admit([limit], 60_000);
    expect([first.outcome, second.outcome]).toEqual(['admitted', 'admitted']);
    expect(await store.admit([limit], 60_000)).toEqual({ outcome: 'busy' });
    if (first.outcome !== 'admitted' || second.outcome !== 'admitted') return;
    await store.settle([limit], first.ticket, false);
    const third = await store.admit([limit], 60_000);
    expect(third.outcome).toBe('admitted');
    // A failure keeps its slot taken for the window: 1 failure + 1 in flight = 2.
    await store.settle([limit], second.ticket, true);
    expect(await store.admit([limit], 60_000)).toEqual({ outcome: 'busy' });
    if (third.outcome === 'admitted') await store.settle([limit], third.ticket, true);
    const limited = await store.admit([limit], 60_000);
    expect(limited.outcome).toBe('limited');
    if (limited.outcome === 'limited') {
      expect(limited.retryAfterMs).toBeGreaterThan(50_000);
      expect(limited.retryAfterMs).toBeLessThanOrEqual(60_000);
    }
  });

  it('admits under every limit at once, or under none', async () => {
    const { store } = await open();
    const pair = limitOf(5);
    const client = limitOf(1);
    const held = await store.admit([pair, client], 60_000);
    expect(held.outcome).toBe('admitted');
    // The client's limit is full: the attempt takes no slot under the pair's either.
    expect(await store.admit([limitOf(5), client], 60_000)).toEqual({ outcome: 'busy' });
    for (let i = 0; i < 4; i++) expect((await store.admit([pair], 60_000)).outcome).toBe('admitted');
  });

  it('frees the slot of an attempt that never settles (its process died) when its lease ends', async () => {
    const { store, pass } = await open();
    const limit = limitOf(1);
    expect((await store.admit([limit], 150)).outcome).toBe('admitted');
    expect(await store.admit([limit], 150)).toEqual({ outcome: 'busy' });
    await pass(300);
    expect((await store.admit([limit], 150)).outcome).toBe('admitted');
  });

  it('forgets failures when their window ends', async () => {
    const { store, pass } = await open();
    const limit = limitOf(1, 200);
    const attempt = await store.admit([limit], 60_000);
    if (attempt.outcome === 'admitted') await store.settle([limit], attempt.ticket, true);
    expect((await store.admit([limit], 60_000)).outcome).toBe('limited');
    await pass(300);
    expect((await store.admit([limit], 60_000)).outcome).toBe('admitted');
  });

  it('wakes a waiting attempt when one in flight settles, or after its wait', async () => {
    const { store } = await open();
    const limit = limitOf(1);
    const held = await store.admit([limit], 60_000);
    if (held.outcome !== 'admitted') throw new Error('not admitted');
    const waited = store.settled([limit], 5_000).then(() => 'settled');
    await store.settle([limit], held.ticket, false);
    expect(await waited).toBe('settled');
    expect((await store.admit([limit], 60_000)).outcome).toBe('admitted');
    await expect(store.settled([limit], 10)).resolves.toBeUndefined();
  });

  it('counts hits in a fixed window', async () => {
    const { store, pass } = await open();
    const { key } = limitOf(1);
    expect((await store.hit(key, 200)).count).toBe(1);
    const second = await store.hit(key, 200);
    expect(second.count).toBe(2);
    expect(second.resetInMs).toBeGreaterThan(0);
    expect(second.resetInMs).toBeLessThanOrEqual(200);
    await pass(300);
    expect((await store.hit(key, 200)).count).toBe(1);
  });
});
