import { authModes, ErrorBody, HealthResponse, modeTraits, paths, type AuthMode } from '@authbench/contract';
import supertest, { type Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedStores } from '../../support/namespaces';
import { uniqueEmail } from '../../support/test-app';
import { createClient, type TestClient } from '../../support/test-client';
import { startApiProcess, type ApiProcess } from '../support/api-process';
import { createClusterSetup, type ClusterSetup } from '../support/cluster';
import { startOwnRedis, startTcpProxy, type OwnRedis, type TcpProxy } from '../support/own-stores';

/**
 * A store that goes away costs the requests that need it a 503 within 2 s, never a hang or a
 * crash; /api/health names it; and the process recovers by itself, logins intact, when it is
 * back. Each mode gets its own redis-server and a TCP proxy in front of PostgreSQL, so the shared
 * services are never touched.
 */
const answerWithinMs = 2000;
const recoverWithinMs = 5000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function timed(request: () => Promise<Response>): Promise<{ res: Response; ms: number }> {
  const start = performance.now();
  const res = await request();
  return { res, ms: Math.round(performance.now() - start) };
}

/** Milliseconds until `check` passes, polling every 50 ms; throws after `limitMs`. */
async function until(limitMs: number, what: string, check: () => Promise<boolean>): Promise<number> {
  const start = performance.now();
  while (!(await check())) {
    if (performance.now() - start > limitMs) throw new Error(`${what}: not within ${limitMs} ms`);
    await sleep(50);
  }
  return Math.round(performance.now() - start);
}

const timings: string[] = [];

const setups = [
  ...authModes.map((mode) => ({ mode, redis: true, label: `${mode} mode on PostgreSQL and Redis` })),
  // Without Redis, sessions live in PostgreSQL: a hung database must not cost them either.
  { mode: 'session' as AuthMode, redis: false, label: 'session mode on PostgreSQL alone' },
];

describe.each(setups)('store faults in $label', ({ mode, redis: withRedis }) => {
  let redis: OwnRedis;
  let proxy: TcpProxy;
  let setup: ClusterSetup;
  let api: ApiProcess;
  let user: { email: string; password: string; client: TestClient };

  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    const shared = new URL(sharedStores().databaseUrl);
    redis = await startOwnRedis();
    cleanups.push(() => redis.destroy());
    proxy = await startTcpProxy({ host: shared.hostname, port: Number(shared.port || 5432) });
    cleanups.push(() => proxy.destroy());
    setup = await createClusterSetup({ databaseUrl: proxy.url(shared.toString()), redisUrl: redis.url });
    cleanups.push(() => setup.cleanup());
    const { REDIS_URL: _unused, ...withoutRedis } = setup.env;
    api = await startApiProcess({ mode, env: withRedis ? setup.env : withoutRedis });
    cleanups.push(() => api.stop());
    const client = createClient(api.url, mode);
    user = { email: uniqueEmail('faults'), password: 'correct horse battery', client };
    expect((await client.register({ ...user, name: 'Fault Tolerant' })).status).toBe(201);
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  const http = () => supertest(api.url);
  const health = () => timed(() => http().get(paths.health));
  const expectUnavailable = ({ res, ms }: { res: Response; ms: number }, what: string) => {
    expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(503);
    expect(ErrorBody.parse(res.body).error.code).toBe('service_unavailable');
    expect(JSON.stringify(res.body)).not.toMatch(/\bat .+:\d+:\d+/);
    expect(ms, what).toBeLessThan(answerWithinMs);
  };
  const expectDegraded = ({ res, ms }: { res: Response; ms: number }, down: string) => {
    expect(res.status).toBe(503);
    const body = HealthResponse.parse(res.body);
    const checks = { database: down === 'database' ? 'down' : 'ok', ...(withRedis && { redis: down === 'redis' ? 'down' : 'ok' }) };
    expect(body).toEqual({ status: 'degraded', authMode: mode, checks });
    expect(ms).toBeLessThan(answerWithinMs);
  };
  /** The process must still be the one we started: no unhandled error took it down. */
  const expectAlive = async () => {
    const exited = await Promise.race([api.exited, sleep(10).then(() => 'running')]);
    expect(exited).toBe('running');
  };
  const loggedIn = async () => (await user.client.me()).status === 200;
  const freshLogin = async () => (await createClient(api.url, mode).login(user)).status === 200;

  const recover = async (store: string, fault: string, cause: string) => {
    // GET /api/me alone is no sign that PostgreSQL is back (with Redis it answers from the caches
    // throughout): a fresh login, which needs it, is.
    const recovered = await until(recoverWithinMs, `${store} recovery`, async () => (await loggedIn()) && (await freshLogin()));
    expect((await health()).res.status).toBe(200);
    if (modeTraits[mode].refreshToken) expect((await user.client.refresh()).status).toBe(200);
    await expectAlive();
    timings.push(`${mode}${withRedis ? '' : ' (no Redis)'} ${store} ${fault}: ${cause}; recovered ${recovered} ms after it was back`);
  };

  // Without REDIS_URL there is no Redis to fail: these tests do not apply, rather than skip.
  if (withRedis) {
    it('answers 503 within 2 s while Redis is down (killed), then recovers with every login', async () => {
      expect(await loggedIn()).toBe(true);
      await redis.kill();
      const me = await timed(() => user.client.me());
      expectUnavailable(me, 'GET /api/me');
      const login = await timed(() => user.client.login(user));
      expectUnavailable(login, 'POST /api/auth/login');
      expectDegraded(await health(), 'redis');
      // What does not need Redis carries on: a refresh uses only PostgreSQL, unless its proof's
      // jti must be checked against every process's (jwt-dpop: in Redis), when it waits too.
      if (modeTraits[mode].refreshToken) {
        const refresh = await timed(() => user.client.refresh());
        if (modeTraits[mode].proof) expectUnavailable(refresh, 'POST /api/auth/refresh');
        else expect(refresh.res.status).toBe(200);
      }
      await expectAlive();
      await sleep(1500); // a while down, through several reconnection attempts
      expectUnavailable(await timed(() => user.client.me()), 'GET /api/me, later');
      await redis.start();
      await recover('redis', 'killed', `503 after ${me.ms} ms (me), ${login.ms} ms (login)`);
    });

    // A hung Redis delivers no invalidations: the client-side cache may answer only until the
    // heartbeat finds it hung (redis-client.ts), then every request that needs Redis gets 503.
    it('stops answering from the client-side cache and answers 503 within 2 s while Redis hangs (SIGSTOP), then recovers', async () => {
      expect(await loggedIn()).toBe(true); // the login and the user now in the client-side cache
      redis.pause();
      const pausedAt = performance.now();
      try {
        let me = await timed(() => user.client.me());
        while (me.res.status === 200 && performance.now() - pausedAt < answerWithinMs) {
          await sleep(50);
          me = await timed(() => user.client.me());
        }
        expectUnavailable(me, 'GET /api/me');
        const cachedForMs = Math.round(performance.now() - pausedAt - me.ms);
        expect(cachedForMs, 'cached answers after the hang').toBeLessThan(answerWithinMs);
        expectDegraded(await health(), 'redis');
        const login = await timed(() => user.client.login(user));
        expectUnavailable(login, 'POST /api/auth/login');
        await expectAlive();
        redis.resume();
        await recover('redis', 'hung', `me cached for ${cachedForMs} ms, then 503 after ${me.ms} ms; login 503 after ${login.ms} ms`);
      } finally {
        redis.resume();
      }
    });
  }

  /**
   * GET /api/me while PostgreSQL is gone: with Redis, its session (or revocation check) and its
   * user come from Redis, whose invalidations still arrive, so it answers; without Redis, 503.
   */
  const expectMeWithoutDatabase = (me: { res: Response; ms: number }, what: string) => {
    if (!withRedis) return expectUnavailable(me, what);
    expect(me.res.status, `${what}: ${JSON.stringify(me.res.body)}`).toBe(200);
    expect(me.ms, what).toBeLessThan(answerWithinMs);
  };

  it('answers 503 within 2 s where PostgreSQL is needed while it is unreachable, then recovers with every login', async () => {
    expect(await loggedIn()).toBe(true);
    await proxy.close();
    try {
      const me = await timed(() => user.client.me());
      expectMeWithoutDatabase(me, 'GET /api/me');
      const login = await timed(() => user.client.login(user));
      expectUnavailable(login, 'POST /api/auth/login');
      expectDegraded(await health(), 'database');
      await expectAlive();
      await sleep(1500);
      expectMeWithoutDatabase(await timed(() => user.client.me()), 'GET /api/me, later');
      await proxy.open();
      await recover('postgres', 'unreachable', `me ${me.res.status} after ${me.ms} ms, login 503 after ${login.ms} ms`);
    } finally {
      await proxy.open().catch(() => undefined);
    }
  });

  it('answers 503 within 2 s where PostgreSQL is needed while it hangs, then recovers', async () => {
    expect(await loggedIn()).toBe(true);
    proxy.stall();
    try {
      const me = await timed(() => user.client.me());
      expectMeWithoutDatabase(me, 'GET /api/me');
      const login = await timed(() => user.client.login(user));
      expectUnavailable(login, 'POST /api/auth/login');
      expectDegraded(await health(), 'database');
      await expectAlive();
      proxy.unstall();
      await recover('postgres', 'hung', `me ${me.res.status} after ${me.ms} ms, login 503 after ${login.ms} ms`);
    } finally {
      proxy.unstall();
    }
  });
});

afterAll(() => {
  console.log(`[faults]\n${timings.join('\n')}`);
});
