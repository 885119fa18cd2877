import { randomUUID } from 'node:crypto';
import type { RedisConnection } from './redis-client';
import { defineRedisScript } from './redis-scripts';
import type { Admission, RateLimit, RateLimitStore } from './rate-limit-store';

// Each limit is two keys: its failure count (expiring with its window) and its attempts in flight,
// a sorted set scored by when each reservation lapses, so that a process that dies holding one
// cannot keep it for longer than its lease. Times are the server's (TIME): the API hosts' clocks
// play no part.
const admitScript = defineRedisScript(`
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local lease = tonumber(ARGV[2])
local limits = #KEYS / 2
local retry = 0
for i = 1, limits do
  local failures = tonumber(redis.call('GET', KEYS[2 * i - 1]) or '0')
  if failures >= tonumber(ARGV[2 * i + 1]) then
    local ttl = redis.call('PTTL', KEYS[2 * i - 1])
    if ttl < 0 then
      ttl = tonumber(ARGV[2 * i + 2])
      redis.call('PEXPIRE', KEYS[2 * i - 1], ttl)
    end
    if ttl > retry then retry = ttl end
  end
end
if retry > 0 then return {'limited', retry} end
for i = 1, limits do
  redis.call('ZREMRANGEBYSCORE', KEYS[2 * i], '-inf', now)
  local failures = tonumber(redis.call('GET', KEYS[2 * i - 1]) or '0')
  if failures + redis.call('ZCARD', KEYS[2 * i]) >= tonumber(ARGV[2 * i + 1]) then return {'busy', 0} end
end
for i = 1, limits do
  redis.call('ZADD', KEYS[2 * i], now + lease, ARGV[1])
  redis.call('PEXPIRE', KEYS[2 * i], lease)
end
return {'admitted', 0}
`);

const settleScript = defineRedisScript(`
for i = 1, #KEYS / 2 do
  redis.call('ZREM', KEYS[2 * i], ARGV[1])
  if ARGV[2] == '1' then
    redis.call('INCR', KEYS[2 * i - 1])
    if redis.call('PTTL', KEYS[2 * i - 1]) < 0 then redis.call('PEXPIRE', KEYS[2 * i - 1], ARGV[2 + i]) end
  end
end
return 0
`);

const hitScript = defineRedisScript(`
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  ttl = tonumber(ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return {count, ttl}
`);

// How often a waiting attempt asks again: Redis tells no one when a slot frees up.
const pollMs = { min: 20, spread: 30 };

/** The counters every API process shares. */
export function createRedisRateLimitStore(redis: RedisConnection, prefix: string): RateLimitStore {
  const keysOf = (limits: readonly RateLimit[]) => limits.flatMap(({ key }) => [`${prefix}count:${key}`, `${prefix}in-flight:${key}`]);
  return {
    admit: (limits, leaseMs) =>
      redis.run(async (client) => {
        const args = [randomUUID(), String(leaseMs), ...limits.flatMap((l) => [String(l.max), String(l.windowMs)])];
        const [outcome, ms] = (await admitScript.run(client, keysOf(limits), args)) as [unknown, unknown];
        const admission: Admission =
          outcome === 'admitted' ? { outcome, ticket: args[0]! } : outcome === 'limited' ? { outcome, retryAfterMs: Number(ms) } : { outcome: 'busy' };
        return admission;
      }),
    settle: (limits, ticket, failed) =>
      redis.run(async (client) => {
        await settleScript.run(client, keysOf(limits), [ticket, failed ? '1' : '0', ...limits.map((l) => String(l.windowMs))]);
      }),
    settled: (_limits, maxMs) => new Promise((resolve) => setTimeout(resolve, Math.min(maxMs, pollMs.min + Math.random() * pollMs.spread))),
    hit: (key, windowMs) =>
      redis.run(async (client) => {
        const [count, ttl] = (await hitScript.run(client, [`${prefix}count:${key}`], [String(windowMs)])) as [unknown, unknown];
        return { count: Number(count), resetInMs: Number(ttl) };
      }),
  };
}
