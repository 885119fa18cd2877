/**
 * Logins beside the load: how many a process hashes per second, what a refresh costs, and what
 * a stream or a flood of logins does to everybody else's GET /api/me (issue 8: password hashing
 * must not stall it).
 */
import http from 'node:http';
import type { AuthMode } from '@authbench/contract';
import { benchOrigin, HttpError, refresh, signIn, type Credential } from './client';
import type { LoadItem } from './harness';
import type { ServerProcess } from './server-process';
import { timedWorkers } from './timed';

type User = { email: string; password: string };

/** Logins per second with `concurrency` clients, each a fresh browser (a CSRF token first where the mode has them). */
export async function measureLogins(server: ServerProcess, mode: AuthMode, user: User, concurrency: number, seconds: number) {
  const before = await server.cpu();
  const result = await timedWorkers<undefined>(
    concurrency,
    seconds,
    () => Promise.resolve(undefined),
    async () => {
      await signIn(server.api, mode, 'login', user);
      return undefined;
    },
  );
  const after = await server.cpu();
  return { perSecond: result.count / result.seconds, cpuUsPer: (after.cpuUs - before.cpuUs) / Math.max(1, result.count) };
}

/** Refreshes per second, `concurrency` clients each rotating its own refresh token. */
export async function measureRefreshes(server: ServerProcess, mode: AuthMode, user: User, concurrency: number, seconds: number) {
  const states = await Promise.all(Array.from({ length: concurrency }, () => signIn(server.api, mode, 'login', user)));
  const before = await server.cpu();
  const result = await timedWorkers<Credential>(
    concurrency,
    seconds,
    (i) => Promise.resolve(states[i]!),
    (credential) => refresh(server.api, credential),
  );
  const after = await server.cpu();
  return { perSecond: result.count / result.seconds, cpuUsPer: (after.cpuUs - before.cpuUs) / Math.max(1, result.count) };
}

/** Logins running in the background until stopped: `concurrency` clients back to back, or a steady rate. */
export function startLogins(server: ServerProcess, mode: AuthMode, user: User | ((i: number) => User), how: { concurrency: number } | { perSecond: number }) {
  const answers: Record<string, number> = {};
  // Stopping abandons the logins still waiting: what they would have cost has been measured.
  const abandon = new AbortController();
  let stopped = false;
  let started = 0;
  const userOf = typeof user === 'function' ? user : () => user;
  const one = async () => {
    const i = started++;
    let outcome: string;
    try {
      await signIn(server.api, mode, 'login', userOf(i), abandon.signal);
      outcome = '200';
    } catch (err) {
      if (stopped) return;
      outcome = err instanceof HttpError ? String(err.status) : 'error';
    }
    answers[outcome] = (answers[outcome] ?? 0) + 1;
  };
  const startedAt = performance.now();
  let running: Promise<unknown>;
  if ('concurrency' in how) {
    running = Promise.all(
      Array.from({ length: how.concurrency }, async () => {
        while (!stopped) await one();
      }),
    );
  } else {
    // Open loop: one login every 1/rate seconds whatever the answers do, as independent users would.
    const inFlight = new Set<Promise<void>>();
    running = (async () => {
      for (let n = 0; !stopped; n++) {
        const due = startedAt + (n * 1000) / how.perSecond;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        if (stopped) break;
        const p = one().finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      await Promise.all(inFlight);
    })();
  }
  return {
    async stop() {
      stopped = true;
      const seconds = (performance.now() - startedAt) / 1000;
      abandon.abort();
      await running;
      return { answers, perSecond: (answers['200'] ?? 0) / seconds, started };
    },
  };
}

export interface LatencyRun {
  /** Answers per second, counting only those that came back 200. */
  rps: number;
  p50: number;
  p99: number;
  /** The slowest answer, in ms: a request still waiting when the run ends is waited for and counted. */
  max: number;
  answered: number;
  non200: number;
  errors: number;
}

export interface UnderLogins {
  quiet: LatencyRun;
  loaded: LatencyRun;
  /** Logins answered 200 per second meanwhile, and every answer by status. */
  loginsPerSecond: number;
  loginAnswers: Record<string, number>;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

/**
 * `connections` clients asking GET /api/me back to back for `seconds`, each on its own keep-alive
 * connection. Unlike autocannon, a request still waiting at the end is waited for (up to 30 s)
 * and its latency counted: a stalled server shows up as a long tail, not as no data.
 */
export async function closedLoop(item: LoadItem, options: { seconds: number; connections: number }): Promise<LatencyRun> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const url = new URL(item.url);
  const get = (headers: Record<string, string>) =>
    new Promise<number>((resolve, reject) => {
      const req = http.get({ agent, hostname: url.hostname, port: url.port, path: url.pathname, headers: { origin: benchOrigin, ...headers }, timeout: 30_000 }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
    });
  const latencies: number[] = [];
  let non200 = 0;
  let errors = 0;
  const start = performance.now();
  const end = start + options.seconds * 1000;
  await Promise.all(
    Array.from({ length: options.connections }, async (_, connection) => {
      while (performance.now() < end) {
        const sent = performance.now();
        try {
          const status = await get({ ...item.headersOf(connection), ...item.perRequest?.(connection) });
          if (status === 200) latencies.push(performance.now() - sent);
          else non200 += 1;
        } catch {
          errors += 1;
        }
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? Number.NaN,
    answered: latencies.length,
    non200,
    errors,
  };
}

/**
 * GET /api/me (10 connections) alone, then while logins run beside it, each for `seconds`:
 * its latency with and without them. The logins start a moment before the load and stop after.
 */
export async function meUnderLogins(
  item: LoadItem,
  logins: () => ReturnType<typeof startLogins>,
  options: { seconds: number; connections: number; leadSeconds?: number },
): Promise<UnderLogins> {
  await item.before?.(options.seconds);
  const quiet = await closedLoop(item, options);
  if (quiet.non200 > 0 || quiet.errors > 0) throw new Error(`${item.key}: ${quiet.non200} non-200 answers and ${quiet.errors} errors without logins`);
  const background = logins();
  await new Promise((resolve) => setTimeout(resolve, (options.leadSeconds ?? 0.5) * 1000));
  await item.before?.(options.seconds);
  const loaded = await closedLoop(item, options);
  const { answers, perSecond } = await background.stop();
  return { quiet, loaded, loginsPerSecond: perSecond, loginAnswers: answers };
}
