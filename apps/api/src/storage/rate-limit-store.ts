import { randomUUID } from 'node:crypto';

/** At most `max` failures under `key` in a fixed window of `windowMs` from the first one. */
export interface RateLimit {
  key: string;
  max: number;
  windowMs: number;
}

export type Admission = { outcome: 'admitted'; ticket: string } | { outcome: 'limited'; retryAfterMs: number } | { outcome: 'busy' };

/** Rate-limit counters: process memory on one process, Redis across several. */
export interface RateLimitStore {
  /**
   * Lets an attempt in when, under every limit, failures plus attempts in flight stay below `max`,
   * so that however many arrive together, no more can fail than the limit allows; `limited` once
   * failures reach it; `busy` while attempts in flight might still reach it. A slot held longer
   * than `leaseMs` is freed, in case the process holding it died.
   */
  admit(limits: readonly RateLimit[], leaseMs: number): Promise<Admission>;
  /** Ends an admitted attempt: frees its slot, and counts a failure under every limit if it failed. */
  settle(limits: readonly RateLimit[], ticket: string, failed: boolean): Promise<void>;
  /** Resolves when an attempt under one of these limits may have settled, or after `maxMs`. */
  settled(limits: readonly RateLimit[], maxMs: number): Promise<void>;
  /** Counts one event under `key` in a fixed window: the count so far, and when the window ends. */
  hit(key: string, windowMs: number): Promise<{ count: number; resetInMs: number }>;
}

interface Counter {
  count: number;
  resetAt: number;
}

const sweepEvery = 1000;

/** The counters of one process, on its clock (tests move it to cross a window without sleeping). */
export function createMemoryRateLimitStore(now: () => number): RateLimitStore {
  const counters = new Map<string, Counter>();
  const inFlight = new Map<string, Map<string, number>>(); // key → ticket → lease end
  const waiting = new Map<string, Set<() => void>>();
  let calls = 0;

  const counter = (key: string, at: number) => {
    const found = counters.get(key);
    if (found && found.resetAt <= at) counters.delete(key);
    return found && found.resetAt > at ? found : undefined;
  };
  const holders = (key: string, at: number) => {
    const tickets = inFlight.get(key);
    if (!tickets) return 0;
    for (const [ticket, until] of tickets) if (until <= at) tickets.delete(ticket);
    if (tickets.size === 0) inFlight.delete(key);
    return tickets.size;
  };
  // Keys of attackers who went away would otherwise stay for good.
  const sweep = (at: number) => {
    if (++calls % sweepEvery !== 0) return;
    for (const key of counters.keys()) counter(key, at);
    for (const key of inFlight.keys()) holders(key, at);
  };

  return {
    admit(limits, leaseMs) {
      const at = now();
      sweep(at);
      const retryAfterMs = Math.max(0, ...limits.map((l) => ((counter(l.key, at)?.count ?? 0) >= l.max ? counter(l.key, at)!.resetAt - at : 0)));
      if (retryAfterMs > 0) return Promise.resolve({ outcome: 'limited', retryAfterMs });
      if (limits.some((l) => (counter(l.key, at)?.count ?? 0) + holders(l.key, at) >= l.max)) return Promise.resolve({ outcome: 'busy' });
      const ticket = randomUUID();
      for (const { key } of limits) inFlight.set(key, (inFlight.get(key) ?? new Map<string, number>()).set(ticket, at + leaseMs));
      return Promise.resolve({ outcome: 'admitted', ticket });
    },
    settle(limits, ticket, failed) {
      const at = now();
      for (const { key, windowMs } of limits) {
        inFlight.get(key)?.delete(ticket);
        holders(key, at);
        if (failed) {
          const found = counter(key, at) ?? { count: 0, resetAt: at + windowMs };
          found.count++;
          counters.set(key, found);
        }
      }
      for (const { key } of limits) for (const wake of waiting.get(key) ?? []) wake();
      return Promise.resolve();
    },
    settled(limits, maxMs) {
      return new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          for (const { key } of limits) {
            waiting.get(key)?.delete(wake);
            if (waiting.get(key)?.size === 0) waiting.delete(key);
          }
          resolve();
        };
        const timer = setTimeout(wake, maxMs);
        for (const { key } of limits) waiting.set(key, (waiting.get(key) ?? new Set()).add(wake));
      });
    },
    hit(key, windowMs) {
      const at = now();
      sweep(at);
      const found = counter(key, at) ?? { count: 0, resetAt: at + windowMs };
      found.count++;
      counters.set(key, found);
      return Promise.resolve({ count: found.count, resetInMs: found.resetAt - at });
    },
  };
}
